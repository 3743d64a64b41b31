import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoClient, startDynamo } from '../../infra/local/emulators';

export interface TestTable {
  ddb: DynamoDBDocumentClient;
  table: string;
  close(): Promise<void>;
}

/** A DynamoDB emulator in this process with the jobs table's key schema (pk/sk), so conditional writes are real. */
export async function startTable(): Promise<TestTable> {
  const server = await startDynamo();
  const client = dynamoClient(server.url);
  const table = 'jobs';
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  return {
    ddb: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    table,
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}
