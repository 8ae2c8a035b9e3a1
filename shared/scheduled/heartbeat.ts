import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { createSnsPublish } from '../aws/clients';
import { ConfigError } from '../errors';
import { type PipelineObserver, PowertoolsObserver } from '../observability/observer';
import type { SnsPublish } from '../receivers/context';
import { heartbeatMessage } from '../sources/heartbeat/normalize';
import { scheduledRun } from './invocation';

/**
 * The heartbeat (dead man's switch), sending side: publish one synthetic message to the stack's own
 * alarm topic. It then travels what a real alarm travels (topic, subscription, alarm notifier,
 * normalize, pipeline, dispatcher) to `heartbeat.receiver`, so when anything on the way breaks the
 * pings stop and the dead man's switch, outside AWS, raises the alarm.
 */

/** The SNS subject of a beat (never parsed: the notifier reads the message). */
export const HEARTBEAT_SUBJECT = 'Klaxon heartbeat';

/** What the heartbeat function runs with. */
export interface HeartbeatDeps {
  publish: SnsPublish;
  /** The stack's alarm topic (KLAXON_ALARM_TOPIC_ARN). */
  topicArn: string;
  stage: string;
  observer: PipelineObserver;
  now: () => Date;
}

/** What one run sent. */
export interface HeartbeatResult {
  beat: string;
  sentAt: string;
  topicArn: string;
}

/**
 * Publishes one beat. Its identity is the scheduled event's id, so Lambda's retries of one run are
 * one beat (delivered once); its `sentAt` is the publish time, which the notifier checks for age.
 */
export async function sendHeartbeat(
  event: unknown,
  deps: HeartbeatDeps,
  functionArn?: string,
): Promise<HeartbeatResult> {
  const now = deps.now();
  const run = scheduledRun(event, now, functionArn);
  const beat = run.id ?? `manual-${now.toISOString()}`;
  const message = heartbeatMessage({ stage: deps.stage, beat, sentAt: now, topicArn: deps.topicArn });
  await deps.publish(deps.topicArn, HEARTBEAT_SUBJECT, JSON.stringify(message));
  deps.observer.count('HeartbeatsSent', {});
  deps.observer.note('info', 'heartbeat sent', { beat, topicArn: deps.topicArn, scheduled: run.scheduled });
  deps.observer.flush();
  return { beat, sentAt: message.sentAt, topicArn: deps.topicArn };
}

/** The deployed dependencies: the alarm topic and stage from the environment, SNS through the SDK. */
export function deployedHeartbeat(
  env: Readonly<Record<string, string | undefined>>,
  powertools: { logger: Logger; metrics: Metrics; tracer: Tracer },
): HeartbeatDeps {
  const missing = ['KLAXON_ALARM_TOPIC_ARN', 'KLAXON_STAGE'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(
      'the heartbeat function environment',
      missing.map((name) => ({ path: name, message: 'not set (serverless.yml sets it)' })),
    );
  }
  return {
    publish: createSnsPublish(),
    topicArn: env.KLAXON_ALARM_TOPIC_ARN as string,
    stage: env.KLAXON_STAGE as string,
    observer: new PowertoolsObserver(powertools.logger, powertools.metrics, powertools.tracer),
    now: () => new Date(),
  };
}
