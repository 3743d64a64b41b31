import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException'
  );
}

/** Every item the query matches: DynamoDB hands out at most 1 MB a page. */
export async function queryAll(
  ddb: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/**
 * Writes the requests 25 at a time (BatchWriteItem's limit). DynamoDB may leave some of a batch unprocessed
 * under throttling without failing the call, so those are sent again with backoff until none are left;
 * `what` names the records in the error thrown when DynamoDB keeps refusing them.
 */
export async function batchWriteAll(
  ddb: DynamoDBDocumentClient,
  table: string,
  requests: WriteRequest[],
  what: string,
): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending: WriteRequest[] | undefined = requests.slice(i, i + 25);
    for (let attempt = 0; pending?.length; attempt++) {
      if (attempt > 8) throw new Error(`DynamoDB kept rejecting ${what}`);
      const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = out.UnprocessedItems?.[table] as WriteRequest[] | undefined;
      if (pending?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}

/**
 * A conditional update that returns the item as it is after the update, or undefined when its condition did
 * not hold: the outcome the job machinery's "only one wins" steps branch on.
 */
export async function updateIfAllowed(
  ddb: DynamoDBDocumentClient,
  input: Omit<UpdateCommandInput, 'ReturnValues'>,
): Promise<Record<string, unknown> | undefined> {
  try {
    const out = await ddb.send(new UpdateCommand({ ...input, ReturnValues: 'ALL_NEW' }));
    return out.Attributes!;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
