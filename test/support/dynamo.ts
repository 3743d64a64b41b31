import { fork } from 'node:child_process';
import { join } from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoClient, startDynamo } from '../../infra/local/emulators';

export interface TestTable {
  ddb: DynamoDBDocumentClient;
  table: string;
  close(): Promise<void>;
}

/**
 * A DynamoDB emulator with the jobs table's key schema (pk/sk), so conditional writes are real. In this process
 * unless `ownProcess`: the benchmarks that time the engine run it in a child process, as DynamoDB's CPU on AWS is
 * not the Lambda's.
 */
export async function startTable(options: { ownProcess?: boolean } = {}): Promise<TestTable> {
  const server = options.ownProcess ? await startDynamoProcess() : await startDynamo();
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

async function startDynamoProcess(): Promise<{ url: string; close(): Promise<void> }> {
  const child = fork(join(__dirname, 'dynalite-process.cjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the DynamoDB emulator process exited with ${code} before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
