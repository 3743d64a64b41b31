import { afterEach, describe, expect, it } from 'vitest';
import { config, ConfigError, resetConfigCache } from '../../../lib/config';
import { loadSecrets, resetSecrets, secretsMiddleware, SECRET_SETTINGS } from '../../../lib/secrets';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const perFunction = require('../../../infra/per-function.js') as { SECRETS: string[]; FUNCTIONS: Record<string, { secrets?: string[] }> };

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  resetConfigCache();
  resetSecrets();
});

describe('secrets on AWS', () => {
  it('reads each secret named by a _PARAMETER variable and hands it to the settings', async () => {
    const reads: string[] = [];
    const loaded = await loadSecrets(
      { DEALS_WEBHOOK_SECRET_PARAMETER: '/docspace-flows/prod/DEALS_WEBHOOK_SECRET' },
      async (name) => {
        reads.push(name);
        return 'deal-secret-from-ssm';
      },
    );
    process.env.ARCHIVE_ROOT_FOLDER_ID = '42';
    expect(loaded).toEqual(['DEALS_WEBHOOK_SECRET']);
    expect(reads).toEqual(['/docspace-flows/prod/DEALS_WEBHOOK_SECRET']);
    expect(config('deals').DEALS_WEBHOOK_SECRET).toBe('deal-secret-from-ssm');
  });

  it('prefers the parameter over a plain variable of the same name', async () => {
    process.env.ADMIN_API_TOKEN = 'plain-token-0123456789';
    await loadSecrets({ ADMIN_API_TOKEN_PARAMETER: '/p/ADMIN_API_TOKEN' }, async () => 'token-from-ssm-0123456789');
    expect(config('admin').ADMIN_API_TOKEN).toBe('token-from-ssm-0123456789');
  });

  it('reads nothing when no _PARAMETER is set, so local runs use the plain variables', async () => {
    const loaded = await loadSecrets({ DOCSPACE_API_KEY: 'local-key' }, async () => {
      throw new Error('must not be called');
    });
    expect(loaded).toEqual([]);
  });

  it('fails naming the variable and the parameter, never the SDK message or a value', async () => {
    const failure = loadSecrets({ DOCSPACE_API_KEY_PARAMETER: '/p/DOCSPACE_API_KEY' }, async () => {
      throw Object.assign(new Error('User: arn:aws:sts::1:assumed-role/x is not authorized, value sk-leaked'), {
        name: 'AccessDeniedException',
      });
    });
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(
      'Invalid configuration: DOCSPACE_API_KEY_PARAMETER names /p/DOCSPACE_API_KEY, which could not be read (AccessDeniedException)',
    );
    await expect(failure).rejects.not.toThrow(/sk-leaked/);
  });

  it('refuses an empty parameter', async () => {
    await expect(loadSecrets({ TASKS_WEBHOOK_SECRET_PARAMETER: '/p/T' }, async () => '')).rejects.toThrow(
      'TASKS_WEBHOOK_SECRET_PARAMETER names /p/T, which is empty',
    );
  });

  it('reads once per execution environment, and again after a failed read', async () => {
    process.env.DOCSPACE_API_KEY_PARAMETER = '/p/DOCSPACE_API_KEY';
    let calls = 0;
    let fail = true;
    const middleware = secretsMiddleware(async () => {
      calls += 1;
      if (fail) throw new Error('throttled');
      return 'sk-from-ssm';
    });
    const before = middleware.before as () => Promise<void>;
    await expect(before()).rejects.toThrow(/DOCSPACE_API_KEY_PARAMETER/);
    fail = false;
    await Promise.all([before(), before()]);
    await before();
    expect(calls).toBe(2);
  });

  it('knows the same secrets as the deployment, and every function reads only known secrets', () => {
    expect([...SECRET_SETTINGS].sort()).toEqual([...perFunction.SECRETS].sort());
    for (const spec of Object.values(perFunction.FUNCTIONS)) {
      for (const name of spec.secrets ?? []) expect(SECRET_SETTINGS).toContain(name);
    }
  });
});
