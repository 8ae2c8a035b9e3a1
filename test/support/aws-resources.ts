import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

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

/** Creates an SNS topic subscribed by a new SQS queue: what SNS delivers can be read back as a Lambda event. */
export async function createCapturedTopic(name: string): Promise<{ topicArn: string; queueUrl: string }> {
  const sns = new SNSClient({});
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn;
  const sqs = new SQSClient({});
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-captured` }))).QueueUrl;
  if (!topicArn || !queueUrl) throw new Error('moto returned no topic ARN or queue URL');
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }),
  );
  return { topicArn, queueUrl };
}

/** What SNS put on a subscribed queue, as the Lambda SNS event a subscribed function would receive. */
export async function snsEventFromQueue(queueUrl: string): Promise<unknown> {
  const sqs = new SQSClient({});
  for (let tries = 0; tries < 10; tries++) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    if (Messages?.length) {
      return {
        Records: Messages.map((m) => {
          const n = JSON.parse(m.Body ?? '{}') as Record<string, string>;
          return {
            EventSource: 'aws:sns',
            EventVersion: '1.0',
            EventSubscriptionArn: `${n.TopicArn}:subscription`,
            Sns: {
              Type: n.Type,
              MessageId: n.MessageId,
              TopicArn: n.TopicArn,
              Subject: n.Subject ?? null,
              Message: n.Message,
              Timestamp: n.Timestamp,
              SignatureVersion: n.SignatureVersion,
              Signature: n.Signature,
              SigningCertUrl: n.SigningCertURL,
              UnsubscribeUrl: n.UnsubscribeURL,
              MessageAttributes: {},
            },
          };
        }),
      };
    }
  }
  throw new Error('SNS delivered nothing to the subscribed queue');
}
