import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { REPO_ROOT, type ServiceModel } from './cfn';
import { lambdaContext } from './lambda-context';
import { deployedFunctionName } from './sqs-poller';

/*
 * Runs functions in this process by the handler path serverless.yml gives them (`functions/x/worker.handler`), so
 * tests drive exactly the modules that deploy rather than a hand-picked import.
 */

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export class HandlerNotFoundError extends Error {
  override readonly name = 'HandlerNotFoundError';
}

export function resolveHandler(handler: string, root: string = REPO_ROOT): { file: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new HandlerNotFoundError(`handler "${handler}" is not <path>.<export>`);
  const base = join(root, handler.slice(0, dot));
  const file = ['.ts', '.mts', '.js', '.mjs'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) throw new HandlerNotFoundError(`handler file for "${handler}" does not exist (${base}.ts)`);
  return { file, exportName: handler.slice(dot + 1) };
}

export function inProcessInvoker(model: ServiceModel, options: { stage: string; root?: string }) {
  const loaded = new Map<string, Promise<LambdaHandler>>();
  const load = (functionKey: string): Promise<LambdaHandler> => {
    let handler = loaded.get(functionKey);
    if (!handler) {
      const spec = model.functions[functionKey];
      if (!spec) throw new HandlerNotFoundError(`serverless.yml has no function "${functionKey}"`);
      const { file, exportName } = resolveHandler(spec.handler, options.root);
      handler = import(file).then((mod: Record<string, unknown>) => {
        const fn = mod[exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[exportName];
        if (typeof fn !== 'function') throw new HandlerNotFoundError(`${file} does not export "${exportName}"`);
        return fn as LambdaHandler;
      });
      loaded.set(functionKey, handler);
      handler.catch(() => loaded.delete(functionKey));
    }
    return handler;
  };
  return async (functionKey: string, event: unknown): Promise<unknown> => {
    const handler = await load(functionKey);
    const spec = model.functions[functionKey]!;
    const context = lambdaContext({
      functionName: deployedFunctionName(model.service, options.stage, functionKey),
      timeoutSeconds: spec.timeout,
      memoryMB: spec.memorySize,
    });
    return handler(event, context);
  };
}
