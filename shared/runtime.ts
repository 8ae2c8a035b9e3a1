import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { createDynamoClient, createSnsPublish, createSqsClient, createSsmClient } from './aws/clients';
import { type KlaxonConfig, validateConfig } from './config/load';
import { Dispatcher } from './delivery/dispatcher';
import { SqsDeliveryQueue } from './delivery/queue';
import { PowertoolsObserver } from './observability/observer';
import type { PipelineDeps } from './pipeline';
import { createReceivers, systemClock } from './receivers/factory';
import { postJson } from './receivers/http';
import { DeployedSecretResolver } from './secrets/secrets';
import { ssmParameterReader } from './secrets/ssm';
import { DynamoStateStore } from './state/dynamodb';

/** Environment a deployed function reads (set by serverless.yml). */
export interface RuntimeEnv {
  KLAXON_SSM_PREFIX?: string;
  KLAXON_STATE_TABLE?: string;
  KLAXON_RETRY_QUEUE_URL?: string;
  KLAXON_DEAD_LETTER_QUEUE_URL?: string;
  KLAXON_OPS_TOPIC_ARN?: string;
  KLAXON_CLAIM_LEASE_MS?: string;
  /** Comma-separated ARNs of the stack's own roles (loop prevention for security detections). */
  KLAXON_OWN_ROLE_ARNS?: string;
  [name: string]: string | undefined;
}

/** Holds the invocation's remaining time for dependencies built once per cold start. */
export class InvocationClock {
  private deadline = 0;

  /** Records the current invocation's deadline (from the Lambda context, or a default for tests). */
  start(remainingMs: number, now = Date.now()): void {
    this.deadline = now + remainingMs;
  }

  /** Milliseconds left in the current invocation. */
  remainingMs(now = Date.now()): number {
    return Math.max(0, this.deadline - now);
  }
}

/** Everything a deployed function needs, built once: config, receivers, state, queues, observer. */
export function deployedPipeline(
  configData: unknown,
  env: RuntimeEnv,
  powertools: { logger: Logger; metrics: Metrics; tracer: Tracer },
  invocation: InvocationClock,
): PipelineDeps & { dispatcher: Dispatcher; config: KlaxonConfig } {
  const config = validateConfig(configData, 'klaxon.yml (bundled)');
  const { logger } = powertools;
  const secrets = new DeployedSecretResolver(
    env.KLAXON_SSM_PREFIX,
    ssmParameterReader(createSsmClient()),
    env,
  );
  const receivers = createReceivers(config.receivers, {
    secrets,
    post: postJson,
    clock: systemClock,
    publish: createSnsPublish(),
    opsTopicArn: env.KLAXON_OPS_TOPIC_ARN,
    consoleSink: (alert, receiver) =>
      logger.info('console receiver', {
        receiver,
        fingerprint: alert.fingerprint,
        severity: alert.severity,
        status: alert.status,
        summary: alert.annotations.summary,
      }),
  });
  const observer = new PowertoolsObserver(logger, powertools.metrics, powertools.tracer);
  const store = env.KLAXON_STATE_TABLE
    ? new DynamoStateStore(createDynamoClient(), env.KLAXON_STATE_TABLE)
    : undefined;
  const queue =
    env.KLAXON_RETRY_QUEUE_URL && env.KLAXON_DEAD_LETTER_QUEUE_URL
      ? new SqsDeliveryQueue(createSqsClient(), env.KLAXON_RETRY_QUEUE_URL, env.KLAXON_DEAD_LETTER_QUEUE_URL)
      : undefined;
  const dispatcher = new Dispatcher({
    config,
    receivers,
    store,
    queue,
    clock: systemClock,
    observer,
    remainingMs: () => invocation.remainingMs(),
    leaseMs: Number(env.KLAXON_CLAIM_LEASE_MS ?? 45_000),
  });
  return {
    config,
    receivers,
    mode: 'deliver',
    observer,
    now: () => new Date(),
    dispatcher,
    store,
    failedLogins: store
      ? { record: (key, at, windowMs) => store.countEvent(key, at.getTime(), windowMs) }
      : undefined,
    ownRoleArns: (env.KLAXON_OWN_ROLE_ARNS ?? '')
      .split(',')
      .map((arn) => arn.trim())
      .filter(Boolean),
  };
}
