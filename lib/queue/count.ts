import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** SQS's ApproximateNumberOfMessages: messages available for retrieval (not those in flight or delayed). */
export async function approximateMessages(client: SQSClient, queueUrl: string): Promise<number> {
  const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
}
