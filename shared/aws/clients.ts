import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { SnsPublish } from '../receivers/context';

// Region, endpoint (`AWS_ENDPOINT_URL`, used for moto) and retry count (`AWS_MAX_ATTEMPTS`) come
// from the SDK's standard environment variables, so no factory takes options.

/** Builds the SSM client (secrets). */
export function createSsmClient(): SSMClient {
  return new SSMClient({});
}

/** Builds the CloudWatch client (enrichment: alarm tags, definitions, datapoints). */
export function createCloudWatchClient(): CloudWatchClient {
  return new CloudWatchClient({});
}

/** Builds the DynamoDB client (state table). */
export function createDynamoClient(): DynamoDBClient {
  return new DynamoDBClient({});
}

/** Builds the SQS client (retry and dead-letter queues). */
export function createSqsClient(): SQSClient {
  return new SQSClient({});
}

/** Builds an SNS publisher (the `sns` receiver and fallback topic). */
export function createSnsPublish(client: SNSClient = new SNSClient({})): SnsPublish {
  return async (topicArn, subject, message) => {
    await client.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }));
  };
}
