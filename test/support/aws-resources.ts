import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
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

/**
 * Creates the EC2 status-check alarm the `web-prod-unhealthy` fixtures name, on their instance, and
 * sets its state: Klaxon asks CloudWatch for it before a resolve or a remediation.
 */
export async function createWebUnhealthyAlarm(instanceId: string, state: 'ALARM' | 'OK'): Promise<void> {
  const cloudwatch = new CloudWatchClient({});
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: 'web-prod-unhealthy',
      Namespace: 'AWS/EC2',
      MetricName: 'StatusCheckFailed',
      Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 2,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }),
  );
  await setWebUnhealthyAlarmState(state);
}

/** Sets the state of the `web-prod-unhealthy` alarm in CloudWatch. */
export async function setWebUnhealthyAlarmState(state: 'ALARM' | 'OK'): Promise<void> {
  await new CloudWatchClient({}).send(
    new SetAlarmStateCommand({ AlarmName: 'web-prod-unhealthy', StateValue: state, StateReason: 'test' }),
  );
}
