import { describe, expect, it } from 'vitest';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const perFunction = require('../../../infra/per-function.js') as {
  roles: (ctx: { resolveVariable: (v: string) => Promise<string> }) => Promise<Record<string, any>>;
  environment: (ctx: { resolveVariable: (v: string) => Promise<string> }) => Promise<Record<string, Record<string, string>>>;
};

/** What serverless' resolveVariable answers for the variables infra/per-function.js asks about. */
function variables(stage: string, params: Record<string, string> = {}) {
  return {
    resolveVariable: async (variable: string) => {
      if (variable === 'self:service') return 'docspace-flows';
      if (variable === 'sls:stage') return stage;
      const [name, fallback] = variable.split(/,\s*/) as [string, string | undefined];
      const key = name.replace(/^param:/, '');
      if (key in params) return params[key]!;
      if (fallback === undefined) throw new Error(`unexpected variable ${variable}`);
      return fallback.replace(/^'|'$/g, '');
    },
  };
}

const statementsOf = (role: any): any[] => role.Properties.Policies[0].PolicyDocument.Statement;

describe('per-function secrets and roles', () => {
  it('points functions at Secrets Manager through SSM and lets them read only their own secrets', async () => {
    const ctx = variables('prod', { secretsBackend: 'secretsmanager' });
    const env = await perFunction.environment(ctx);
    expect(env.dealArchiveWebhook).toEqual({ DEALS_WEBHOOK_SECRET_PARAMETER: '/aws/reference/secretsmanager/docspace-flows/prod/DEALS_WEBHOOK_SECRET' });
    const roles = await perFunction.roles(ctx);
    const sm = statementsOf(roles.DealArchiveWebhookIamRole).find((s) => s.Action.includes('secretsmanager:GetSecretValue'));
    expect(sm.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:docspace-flows/prod/DEALS_WEBHOOK_SECRET-??????' },
    ]);
    for (const role of Object.values(roles)) {
      for (const s of statementsOf(role)) for (const r of s.Resource) expect(JSON.stringify(r)).not.toContain('*');
    }
  });

  it('adds kms:Decrypt on a customer-managed key only when one is named', async () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const withKey = await perFunction.roles(variables('prod', { secretsKmsKeyArn: key }));
    expect(statementsOf(withKey.JobsApiIamRole).find((s) => s.Action.includes('kms:Decrypt')).Resource).toEqual([key]);
    const without = await perFunction.roles(variables('prod'));
    expect(statementsOf(without.JobsApiIamRole).some((s) => s.Action.includes('kms:Decrypt'))).toBe(false);
  });

  it('gives the local stage no _PARAMETER variables, so the plain settings are used', async () => {
    const env = await perFunction.environment(variables('local'));
    for (const vars of Object.values(env)) expect(Object.keys(vars).filter((k) => k.endsWith('_PARAMETER'))).toEqual([]);
  });

  it('refuses a secrets path without its slashes and an unknown backend', async () => {
    await expect(perFunction.roles(variables('prod', { secretsPath: 'docspace/prod' }))).rejects.toThrow(/secretsPath/);
    await expect(perFunction.roles(variables('prod', { secretsBackend: 'vault' }))).rejects.toThrow(/secretsBackend/);
  });
});
