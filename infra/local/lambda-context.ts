import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * A Lambda Context as the runtime hands it to a handler, for invoking functions in-process. The deadline is real,
 * so code that budgets its work with getRemainingTimeInMillis() behaves as it would on AWS.
 */
export function lambdaContext(options: { functionName: string; timeoutSeconds: number; memoryMB?: number; region?: string }): Context {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const awsRequestId = randomUUID();
  const unsupported = () => {
    throw new Error('callback-style Lambda completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryMB ?? 256),
    awsRequestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `local/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
