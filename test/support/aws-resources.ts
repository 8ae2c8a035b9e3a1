import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';

/** Creates the state table with the schema serverless.yml deploys (one `pk` string key). */
export async function createStateTable(name: string): Promise<void> {
  await new DynamoDBClient({}).send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
}

/** Creates the retry and dead-letter queues and returns their URLs. */
export async function createDeliveryQueues(prefix: string): Promise<{ retryUrl: string; deadUrl: string }> {
  const sqs = new SQSClient({});
  const dead = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-dlq` }));
  const retry = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-retry` }));
  if (!retry.QueueUrl || !dead.QueueUrl) throw new Error('moto returned no queue URL');
  return { retryUrl: retry.QueueUrl, deadUrl: dead.QueueUrl };
}
