import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

/*
 * One client of each kind per process, created on first use so importing a module has no I/O. Endpoints come
 * the standard SDK way (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS): the local stack only sets variables.
 */
let documentClient: DynamoDBDocumentClient | undefined;
let sqsClient: SQSClient | undefined;

export function dynamo(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

export function sqs(): SQSClient {
  // Always the configured endpoint, never the host of a QueueUrl: the worker names a queue by the URL its ARN
  // implies (lib/queue/redelivery.ts), which locally is not where the emulator listens.
  sqsClient ??= new SQSClient({ useQueueUrlAsEndpoint: false });
  return sqsClient;
}

/** Tests point the clients at fresh emulators. */
export function resetAwsClients(): void {
  documentClient = undefined;
  sqsClient = undefined;
}
