import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { SnsPublish } from '../receivers/context';

// Region, endpoint (`AWS_ENDPOINT_URL`, used for moto) and retry count (`AWS_MAX_ATTEMPTS`) come
// from the SDK's standard environment variables. Timeouts do not: the SDK has none by default, so a
// hung endpoint would hold an invocation until the function's own timeout.

/**
 * Connection and request timeouts per client, in milliseconds (each SDK retry gets its own). The
 * request handler only logs a request timeout unless `throwOnRequestTimeout` is set.
 */
export const CLIENT_TIMEOUTS = {
  /** The state table: fail fast, so the pipeline fails open (pages still go out) within seconds. */
  dynamodb: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
  /** The digest's parallel Scan: one page is up to 1 MB of items. */
  dynamodbScan: { connectionTimeout: 1_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
  sqs: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
  ssm: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
  cloudwatch: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
  sns: { connectionTimeout: 1_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
  /** The doctor's read-only checks (the self-check and `klaxon doctor`). */
  doctor: { connectionTimeout: 2_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
} as const;

/** How long one client waits to connect and for an answer. */
export type ClientTimeouts = (typeof CLIENT_TIMEOUTS)[keyof typeof CLIENT_TIMEOUTS];

/** Builds the SSM client (secrets). */
export function createSsmClient(): SSMClient {
  return new SSMClient({ requestHandler: CLIENT_TIMEOUTS.ssm });
}

/** Builds the CloudWatch client (enrichment: alarm tags, definitions, datapoints). */
export function createCloudWatchClient(): CloudWatchClient {
  return new CloudWatchClient({ requestHandler: CLIENT_TIMEOUTS.cloudwatch });
}

/** Builds the DynamoDB client (state table). */
export function createDynamoClient(timeouts: ClientTimeouts = CLIENT_TIMEOUTS.dynamodb): DynamoDBClient {
  return new DynamoDBClient({ requestHandler: timeouts });
}

/** The SDK's endpoint variables that point SQS at a local endpoint (moto, LocalStack). */
export interface SqsEndpointEnv {
  AWS_ENDPOINT_URL?: string;
  AWS_ENDPOINT_URL_SQS?: string;
}

/**
 * Builds the SQS client (retry and dead-letter queues). By default the SDK sends each call to the
 * host of its queue URL; with a local endpoint set, the URLs CloudFormation gives
 * (`https://sqs.<region>.amazonaws.com/…`) would still reach AWS, so the endpoint is used instead.
 */
export function createSqsClient(env: SqsEndpointEnv = {}): SQSClient {
  const local = !!(env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL);
  return new SQSClient({
    requestHandler: CLIENT_TIMEOUTS.sqs,
    ...(local ? { useQueueUrlAsEndpoint: false } : {}),
  });
}

/** Builds an SNS publisher (the `sns` and `email` receivers and fallback topic). */
export function createSnsPublish(
  client: SNSClient = new SNSClient({ requestHandler: CLIENT_TIMEOUTS.sns }),
): SnsPublish {
  return async (topicArn, subject, message, options) => {
    await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: subject,
        Message: message,
        ...(options?.perProtocol ? { MessageStructure: 'json' } : {}),
      }),
    );
  };
}
