import type middy from '@middy/core';
import { ConfigError, provideSettings } from './config';
import secretSettings from './secret-settings.json';

/**
 * The settings that are secrets. On AWS a function is given `<NAME>_PARAMETER` (the name of an SSM SecureString,
 * or SSM's `/aws/reference/secretsmanager/...` view of a Secrets Manager secret) for each secret it needs, and
 * only those (infra/per-function.js), so it reads nothing its role may not read. Locally no `_PARAMETER` is set
 * and the plain variables are used as they are. The list is JSON because infra/per-function.js, which serverless
 * loads as plain Node, keeps secrets out of the template by the same list.
 */
export const SECRET_SETTINGS: readonly string[] = secretSettings;

/** Reads one decrypted parameter value; the default is Powertools Parameters over SSM. */
export type ParameterReader = (parameterName: string) => Promise<string | undefined>;

const ssmReader: ParameterReader = async (name) => {
  // Loaded on first use so a function without `_PARAMETER` variables (and every local run) never builds an SSM client.
  const { getParameter } = await import('@aws-lambda-powertools/parameters/ssm');
  // Cached by secretsMiddleware for the life of the execution environment, not by Powertools' 5 s cache.
  return getParameter(name, { decrypt: true });
};

/**
 * Resolves the `<NAME>_PARAMETER` variables in env and hands the values to lib/config.ts. Errors name the
 * variable and the parameter, never a value; the SDK's own message is left out because it may quote a request.
 */
export async function loadSecrets(
  env: Record<string, string | undefined> = process.env,
  read: ParameterReader = ssmReader,
): Promise<string[]> {
  const wanted = SECRET_SETTINGS.filter((name) => env[`${name}_PARAMETER`]);
  const values = await Promise.all(
    wanted.map(async (name) => {
      const variable = `${name}_PARAMETER`;
      const parameter = env[variable]!;
      let value: string | undefined;
      try {
        value = await read(parameter);
      } catch (error) {
        const kind = (error as { name?: string } | null)?.name ?? 'Error';
        throw new ConfigError(variable, `names ${parameter}, which could not be read (${kind})`);
      }
      if (!value) throw new ConfigError(variable, `names ${parameter}, which is empty`);
      return [name, value] as const;
    }),
  );
  if (values.length) provideSettings(Object.fromEntries(values));
  return wanted;
}

let loading: Promise<unknown> | undefined;

/**
 * Middy middleware: secrets are read once per execution environment, before the first handler runs. A failed
 * read is not cached, so the next invocation tries again (a parameter created after the deploy is picked up).
 */
export function secretsMiddleware(read?: ParameterReader): middy.MiddlewareObj {
  return {
    before: async () => {
      loading ??= loadSecrets(process.env, read).catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
      await loading;
    },
  };
}

/** Tests start each case with nothing loaded. */
export function resetSecrets(): void {
  loading = undefined;
}
