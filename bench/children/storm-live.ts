/**
 * Live storm child (bundled by bench/storm-live.ts and run in its own process, so its CPU time is
 * Klaxon's alone): N distinct SNS alarm events through the deployed alarm notifier
 * (`createAlarmNotifier`), and every queued job through the deployed retry worker
 * (`createDeliveryRetrier`), fed by an SQS-like poller. The receivers post for real to the loopback
 * servers the parent runs. The state table and queues are in memory (`memory`), or DynamoDB and
 * SQS in moto (`moto`: the parent passes the table and queue names in the environment).
 *
 * argv: <result.json>; environment: STORM_COUNT, STORM_SEED, STORM_WINDOW_SECONDS, STORM_STORE,
 * STORM_CONCURRENCY, STORM_PD_URL, STORM_PD_KEY, STORM_SLACK_URL, STORM_HOOK_URL.
 */
import { writeFileSync } from 'node:fs';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { createAlarmNotifier } from '../../functions/alarm-notifier/handler';
import { createDeliveryRetrier } from '../../functions/delivery-retrier/handler';
import { validateConfig } from '../../shared/config/load';
import { parseConfigYaml } from '../../shared/config/yaml';
import type { DeliveryJob } from '../../shared/delivery/jobs';
import type { DeliveryQueue } from '../../shared/delivery/queue';
import { deployedDispatcher } from '../../shared/deployed/delivery';
import { deployedPipeline } from '../../shared/deployed/pipeline';
import { deployedReceivers } from '../../shared/deployed/receivers';
import { deployedSecrets } from '../../shared/deployed/secrets';
import type { InvocationClock } from '../../shared/lambda/invocation-clock';
import { NoiseEngine } from '../../shared/noise/engine';
import { PowertoolsObserver } from '../../shared/observability/observer';
import { createPowertools } from '../../shared/observability/powertools';
import type { PipelineDeps } from '../../shared/pipeline-deps';
import { MemoryStateStore } from '../../shared/state/memory';
import type { StateStore } from '../../shared/state/store';
import { stormAlarms, type StormAlarm } from '../lib/storm-figures';
import template from '../../events/cloudwatch-alarm/sns-metric-alarm-5xx.json';

/** What the child writes. */
export interface StormChildResult {
  /** Epoch ms when the first event was handed to the notifier, and when the last invocation returned. */
  startedAt: number;
  arrivalsDoneAt: number;
  /** Epoch ms when the retry queue was empty and no batch was running. */
  drainedAt: number;
  invocations: number;
  /** Notifier invocations that threw (Lambda would retry them; the child retries them too). */
  notifierRetries: number;
  retrierBatches: number;
  /** Queue messages the retry worker gave back (batchItemFailures). */
  retrierFailures: number;
  deadLettered: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  maxRssBytes: number;
}

const env = process.env;
const count = Number(env.STORM_COUNT);
const windowSeconds = Number(env.STORM_WINDOW_SECONDS ?? 30);
const concurrency = Number(env.STORM_CONCURRENCY ?? 16);
/** How long a message given back stays invisible before it is received again (the deployed queue's is longer). */
const VISIBILITY_MS = 10_000;
/** SQS's maxReceiveCount of the deployed retry queue before the dead-letter queue. */
const MAX_RECEIVES = 5;

function configYaml(): string {
  return `
delivery:
  retrySchedule: [5, 15, 30, 60, 120]
enrichment: { enabled: false }
severity:
  - match: { alarmName: "*-crit" }
    severity: critical
  - match: { alarmName: "*-warn" }
    severity: warning
receivers:
  pager: { type: pagerduty, routingKey: { env: STORM_PD_KEY }, url: "${env.STORM_PD_URL}", timeoutMs: 5000 }
  chat: { type: slack, webhookUrl: { env: STORM_SLACK_URL }, timeoutMs: 5000 }
  hook: { type: webhook, url: { env: STORM_HOOK_URL }, timeoutMs: 5000 }
route:
  receiver: chat
  routes:
    - { name: page, match: { severity: critical }, receiver: pager, continue: true }
    - { name: hook, receiver: hook, continue: true, group: { by: [region], windowSeconds: ${windowSeconds} } }
    - { name: chat, receiver: chat, group: { by: [region], windowSeconds: ${windowSeconds} } }
`;
}

/** One SNS alarm event for a storm alarm, stamped with the time it is sent. */
function alarmEvent(alarm: StormAlarm, index: number): unknown {
  const event = structuredClone(template) as {
    Records: Array<{ Sns: { Message: string; MessageId: string } }>;
  };
  const record = event.Records[0];
  if (!record) throw new Error('the template has no record');
  const message = JSON.parse(record.Sns.Message) as Record<string, unknown>;
  message.AlarmName = alarm.name;
  message.AlarmArn = `arn:aws:cloudwatch:${alarm.region}:123456789012:alarm:${alarm.name}`;
  message.AlarmDescription = `Storm alarm on ${alarm.metric}.`;
  message.StateChangeTime = new Date().toISOString().replace('Z', '+0000');
  record.Sns.Message = JSON.stringify(message);
  record.Sns.MessageId = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
  return event;
}

/** The queue port the poller reads, as SQS → Lambda reads the retry queue. */
interface PolledQueue {
  receive(max: number): Promise<Array<{ id: string; body: string; handle: string }>>;
  delete(handle: string): Promise<void>;
  /** Messages waiting, delayed or invisible. */
  depth(): Promise<number>;
  deadLettered(): Promise<number>;
}

/** The retry and dead-letter queues in memory, with SQS's delay, visibility and receive count. */
class MemoryQueue implements DeliveryQueue, PolledQueue {
  private readonly messages: Array<{ id: string; body: string; visibleAt: number; receives: number }> = [];
  private dead = 0;
  private sequence = 0;

  async retry(job: DeliveryJob, delaySeconds: number): Promise<void> {
    const delay = Math.max(0, Math.min(900, Math.round(delaySeconds)));
    this.messages.push({
      id: `m-${++this.sequence}`,
      body: JSON.stringify(job),
      visibleAt: Date.now() + delay * 1000,
      receives: 0,
    });
  }

  async deadLetter(): Promise<void> {
    this.dead += 1;
  }

  async receive(max: number) {
    const now = Date.now();
    const out: Array<{ id: string; body: string; handle: string }> = [];
    for (let i = 0; i < this.messages.length && out.length < max; i++) {
      const message = this.messages[i] as (typeof this.messages)[number];
      if (message.visibleAt > now) continue;
      if (message.receives >= MAX_RECEIVES) {
        this.messages.splice(i--, 1);
        this.dead += 1;
        continue;
      }
      message.receives += 1;
      message.visibleAt = now + VISIBILITY_MS;
      out.push({ id: message.id, body: message.body, handle: message.id });
    }
    return out;
  }

  async delete(handle: string): Promise<void> {
    const index = this.messages.findIndex((m) => m.id === handle);
    if (index >= 0) this.messages.splice(index, 1);
  }

  async depth(): Promise<number> {
    return this.messages.length;
  }

  async deadLettered(): Promise<number> {
    return this.dead;
  }
}

/** The retry queue in moto's SQS (dead-lettering is the dispatcher's own `deadLetter` call). */
function sqsQueue(retryUrl: string, deadUrl: string): PolledQueue {
  const sqs = new SQSClient({});
  const depthOf = async (url: string) => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return Object.values(Attributes ?? {}).reduce((sum, value) => sum + Number(value), 0);
  };
  return {
    receive: async (max) => {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: retryUrl,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: 1,
          VisibilityTimeout: VISIBILITY_MS / 1000,
        }),
      );
      return (Messages ?? []).map((m) => ({
        id: m.MessageId ?? '',
        body: m.Body ?? '',
        handle: m.ReceiptHandle ?? '',
      }));
    },
    delete: async (handle) => {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: retryUrl, ReceiptHandle: handle }));
    },
    depth: () => depthOf(retryUrl),
    deadLettered: () => depthOf(deadUrl),
  };
}

/** A deployed function's dependencies over the in-memory state table and queue (one set per function, as in Lambda). */
function memoryDeps(store: StateStore, queue: MemoryQueue, clock: InvocationClock): PipelineDeps {
  const config = validateConfig(parseConfigYaml(configYaml()), 'storm klaxon.yml');
  const powertools = createPowertools('klaxon-storm');
  const observer = new PowertoolsObserver(powertools.logger, powertools.metrics, powertools.tracer);
  const receivers = deployedReceivers(config, env, deployedSecrets(env), powertools.logger, store);
  const noise = new NoiseEngine({ config, store, queue, observer, now: () => new Date() });
  const dispatcher = deployedDispatcher(config, env, { receivers, store, queue, observer, clock, noise });
  return {
    config,
    receivers,
    mode: 'deliver',
    observer,
    now: () => new Date(),
    dispatcher,
    noise,
    store,
    failedLogins: { record: (key, at, windowMs) => store.countEvent(key, at.getTime(), windowMs) },
    ownRoleArns: [],
  };
}

function sqsEvent(messages: Array<{ id: string; body: string }>): SQSEvent {
  return {
    Records: messages.map(
      (m) =>
        ({
          messageId: m.id,
          receiptHandle: m.id,
          body: m.body,
          attributes: {},
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:klaxon-storm-delivery-retry',
          awsRegion: 'us-east-1',
        }) as unknown as SQSRecord,
    ),
  };
}

async function main(): Promise<void> {
  const resultFile = process.argv[2];
  if (!resultFile) throw new Error('usage: storm-live <result.json>');
  const alarms = stormAlarms(count, Number(env.STORM_SEED ?? 1));
  let notifierDeps: (clock: InvocationClock) => PipelineDeps;
  let retrierDeps: (clock: InvocationClock) => PipelineDeps;
  let polled: PolledQueue;
  if (env.STORM_STORE === 'moto') {
    const powertools = createPowertools('klaxon-storm');
    const data = parseConfigYaml(configYaml());
    notifierDeps = (clock) => deployedPipeline(data, env, powertools, clock);
    retrierDeps = (clock) => deployedPipeline(data, env, powertools, clock);
    polled = sqsQueue(env.KLAXON_RETRY_QUEUE_URL ?? '', env.KLAXON_DEAD_LETTER_QUEUE_URL ?? '');
  } else {
    const store = new MemoryStateStore();
    const queue = new MemoryQueue();
    notifierDeps = (clock) => memoryDeps(store, queue, clock);
    retrierDeps = (clock) => memoryDeps(store, queue, clock);
    polled = queue;
  }
  const notifier = createAlarmNotifier(notifierDeps);
  const retrier = createDeliveryRetrier((clock) => {
    const deps = retrierDeps(clock);
    return {
      dispatcher: deps.dispatcher as NonNullable<PipelineDeps['dispatcher']>,
      observer: deps.observer,
    };
  });

  const cpu = process.cpuUsage();
  const startedAt = Date.now();
  let notifierRetries = 0;
  let next = 0;
  let arrivalsDone = false;
  // Lambda runs the SNS invocations concurrently; a failed one is retried (async invoke retries).
  const arrivals = Array.from({ length: concurrency }, async () => {
    for (;;) {
      // Each invocation arrives as I/O (the Lambda runtime API); without this turn of the event loop,
      // invocations on the in-memory store would chain as microtasks and hold every socket write back.
      await new Promise((resolve) => setImmediate(resolve));
      if (next >= alarms.length) return;
      const index = next++;
      const event = alarmEvent(alarms[index] as StormAlarm, index);
      for (let attempt = 0; ; attempt++) {
        try {
          await notifier(event);
          break;
        } catch (error) {
          if (attempt >= 2) throw error;
          notifierRetries += 1;
        }
      }
    }
  });
  const arrivalsFinished = Promise.all(arrivals).then(() => {
    arrivalsDone = true;
    return Date.now();
  });

  let batches = 0;
  let failures = 0;
  let running = 0;
  let idle = 0;
  // The SQS event source: a few pollers, batches of up to 10, failures given back to the queue.
  const pollers = Array.from({ length: 4 }, async () => {
    for (;;) {
      const messages = await polled.receive(10);
      if (messages.length === 0) {
        if (arrivalsDone && running === 0 && (await polled.depth()) === 0) {
          idle += 1;
          if (idle >= 3) return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      idle = 0;
      running += 1;
      try {
        const { batchItemFailures } = await retrier(sqsEvent(messages));
        batches += 1;
        failures += batchItemFailures.length;
        const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
        for (const message of messages) if (!failed.has(message.id)) await polled.delete(message.handle);
      } finally {
        running -= 1;
      }
    }
  });
  const arrivalsDoneAt = await arrivalsFinished;
  await Promise.all(pollers);
  const drainedAt = Date.now();
  const used = process.cpuUsage(cpu);
  const result: StormChildResult = {
    startedAt,
    arrivalsDoneAt,
    drainedAt,
    invocations: alarms.length,
    notifierRetries,
    retrierBatches: batches,
    retrierFailures: failures,
    deadLettered: await polled.deadLettered(),
    cpuUserMs: used.user / 1000,
    cpuSystemMs: used.system / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  writeFileSync(resultFile, JSON.stringify(result));
}

main().catch((error: unknown) => {
  process.stderr.write(`storm-live child failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(2);
});
