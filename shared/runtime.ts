import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import {
  createCloudWatchClient,
  createDynamoClient,
  createSnsPublish,
  createSqsClient,
  createSsmClient,
} from './aws/clients';
import { cloudWatchPort } from './aws/cloudwatch';
import { type KlaxonConfig, validateConfig } from './config/load';
import { Dispatcher } from './delivery/dispatcher';
import { SqsDeliveryQueue } from './delivery/queue';
import { PowertoolsObserver } from './observability/observer';
import type { PipelineDeps } from './pipeline';
import { createReceivers, systemClock } from './receivers/factory';
import { Remediator } from './remediation/remediator';
import { RunCommandAdapter, SsmAutomationAdapter } from './remediation/ssm';
import { postJson } from './receivers/http';
import { DeployedSecretResolver } from './secrets/secrets';
import { ssmParameterReader } from './secrets/ssm';
import { DynamoStateStore } from './state/dynamodb';
import { AwsContextEnricher } from './enrichment/enricher';
import { NoiseEngine } from './noise/engine';

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
  /** The stage, shown in `klaxon approve <id> --stage <stage>` hints. */
  KLAXON_STAGE?: string;
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
): PipelineDeps & { dispatcher: Dispatcher; config: KlaxonConfig; remediator?: Remediator } {
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
  const ownRoleArns = (env.KLAXON_OWN_ROLE_ARNS ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean);
  const approvalSecret = config.remediation.approval.secret;
  const remediator =
    config.remediations.length > 0
      ? new Remediator({
          config,
          observer,
          now: () => new Date(),
          store,
          queue,
          automation: new SsmAutomationAdapter(createSsmClient()),
          runCommand: new RunCommandAdapter(createSsmClient()),
          ownRoleArns,
          approvalKey: approvalSecret ? () => secrets.resolve(approvalSecret) : undefined,
          stage: env.KLAXON_STAGE,
        })
      : undefined;
  const noise = new NoiseEngine({ config, store, queue, observer, now: () => new Date() });
  const dispatcher = new Dispatcher({
    config,
    receivers,
    store,
    queue,
    clock: systemClock,
    observer,
    remainingMs: () => invocation.remainingMs(),
    leaseMs: Number(env.KLAXON_CLAIM_LEASE_MS ?? 45_000),
    noiseJob: (job, running) => noise.runJob(job, running),
    verifyRemediation: remediator ? (job, d) => remediator.verify(job, d) : undefined,
  });
  return {
    config,
    receivers,
    mode: 'deliver',
    observer,
    now: () => new Date(),
    dispatcher,
    noise,
    store,
    failedLogins: store
      ? { record: (key, at, windowMs) => store.countEvent(key, at.getTime(), windowMs) }
      : undefined,
    enricher: config.enrichment.enabled
      ? new AwsContextEnricher(cloudWatchPort(createCloudWatchClient()), config.enrichment)
      : undefined,
    ownRoleArns,
    remediator,
  };
}
