/**
 * `npm run bench -- --state-table`: the deployed alarm notifier (the handler of
 * functions/alarm-notifier, built by `pipelineFunction` from klaxon.yml) over a scenario of
 * firing-then-resolve pairs, redeliveries and a storm, against DynamoDB, SQS, SNS and SSM in
 * moto_server, with Slack and PagerDuty answered in process. Every call of the real state-table
 * adapter is counted by bench/lib/state-meter.ts; queued jobs that fall due (group flushes) are run
 * through the retrier's dispatcher, as the delivery-retrier function would. Time for pacing and
 * backoff is virtual: a sleep advances the clock and returns at once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { parseConfigYaml } from '../shared/config/yaml';
import { parseDeliveryJob } from '../shared/delivery/jobs';
import { deployedRetrier } from '../shared/deployed/retrier';
import { InvocationClock } from '../shared/lambda/invocation-clock';
import { pipelineFunction } from '../shared/lambda/pipeline-handler';
import { createPowertools } from '../shared/observability/powertools';
import { systemClock } from '../shared/receivers/factory';
import { alarmNotifierComposition } from '../shared/compositions/alarm-notifier';
import { type CostPerMillion, costPerMillionAlerts } from './lib/cost';
import { type ScenarioEvent, type ScenarioOptions, scenarioEvents } from './lib/corpus';
import { installMeter, type MeterTotals, StateMeter } from './lib/state-meter';

/** What the state-table bench measured. */
export interface StateTableResult {
  scenario: ScenarioOptions & { events: number; byKind: Record<ScenarioEvent['kind'], number> };
  invocations: number;
  /** Jobs the retrier ran (group flushes that fell due), and jobs still queued at the end. */
  jobsRun: number;
  jobsLeftQueued: number;
  /** The queued jobs run, by kind. */
  jobKinds: Record<string, number>;
  alerts: number;
  totals: MeterTotals;
  writesPerAlert: number;
  readsPerAlert: number;
  writeUnitsPerAlert: number;
  readUnitsPerAlert: number;
  /** Mean wall time of one invocation against moto on loopback, ms. */
  meanInvocationMs: number;
  billedMs: number;
  memoryMb: number;
  sqsRequests: number;
  snsPublishes: number;
  logBytes: number;
  logBytesPerAlert: number;
  cost: CostPerMillion;
}

const TABLE = 'klaxon-bench-state';
const PREFIX = '/klaxon/bench';
/** Virtual time between two events outside the storm. */
const ARRIVAL_SPACING_MS = 2_000;

function lambdaContext(n: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'klaxon-bench-alarmNotifier',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:klaxon-bench-alarmNotifier',
    memoryLimitInMB: '256',
    awsRequestId: `c6af9ac6-7b61-11e6-9a41-${String(n).padStart(12, '0')}`,
    logGroupName: '/aws/lambda/klaxon-bench-alarmNotifier',
    logStreamName: '2026/03/14/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** The memory size serverless.yml gives the alarm notifier (the provider default unless it sets one). */
function notifierMemoryMb(root: string): number {
  const text = readFileSync(join(root, 'serverless.yml'), 'utf8');
  const provider = /\n {2}memorySize: (\d+)/.exec(text);
  return Number(provider?.[1] ?? 1024);
}

/** Counts the `send` calls of an SDK client class whose command name passes `count`. */
function countSends(
  target: { send: unknown },
  count: (command: string) => number,
): { calls: number; restore: () => void } {
  const original = target.send as (
    this: unknown,
    command: { constructor: { name: string } },
    ...rest: unknown[]
  ) => Promise<unknown>;
  const state = { calls: 0, restore: () => void (target.send = original) };
  target.send = function (this: unknown, command: { constructor: { name: string } }, ...rest: unknown[]) {
    state.calls += count(command.constructor.name);
    return original.call(this, command, ...rest);
  };
  return state;
}

/** Runs the scenario on moto and returns what was counted. */
export async function runStateTable(root: string, options: ScenarioOptions): Promise<StateTableResult> {
  const { startMoto } = await import('../test/support/moto');
  const { useMotoEnv } = await import('../test/support/aws-env');
  const { createDeliveryQueues, createStateTable } = await import('../test/support/aws-resources');
  const events = await scenarioEvents(root, options);
  const moto = await startMoto();
  const restoreEnv = useMotoEnv(moto.endpoint);
  const saved = { ...process.env };
  const realFetch = globalThis.fetch;
  const realClock = { now: systemClock.now, sleep: systemClock.sleep };
  const meter = new StateMeter();
  const restores: Array<() => void> = [];
  try {
    await createStateTable(TABLE);
    const { retryUrl, deadUrl } = await createDeliveryQueues('klaxon-bench');
    const topic = await new SNSClient({}).send(new CreateTopicCommand({ Name: 'klaxon-bench-ops' }));
    const ssm = new SSMClient({});
    for (const [name, value] of [
      ['pagerduty-oncall', 'R0UT1NGK3Ybench000000000000000042'],
      ['slack-alerts', 'https://hooks.slack.com/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX'],
    ]) {
      await ssm.send(
        new PutParameterCommand({
          Name: `${PREFIX}/${name}`,
          Value: value,
          Type: 'SecureString',
          Overwrite: true,
        }),
      );
    }
    Object.assign(process.env, {
      KLAXON_STATE_TABLE: TABLE,
      KLAXON_RETRY_QUEUE_URL: retryUrl,
      KLAXON_DEAD_LETTER_QUEUE_URL: deadUrl,
      KLAXON_OPS_TOPIC_ARN: topic.TopicArn,
      KLAXON_SSM_PREFIX: PREFIX,
      KLAXON_STAGE: 'bench',
      POWERTOOLS_TRACE_ENABLED: 'false',
      LOG_LEVEL: 'INFO',
    });
    // Slack and PagerDuty answer in process; the AWS SDK does not use fetch.
    globalThis.fetch = (async (url: string | URL | Request) => {
      const href = String(url instanceof Request ? url.url : url);
      if (href.includes('pagerduty'))
        return new Response('{"status":"success","message":"Event processed","dedup_key":"k"}', {
          status: 202,
        });
      if (href.includes('hooks.slack.com')) return new Response('ok', { status: 200 });
      return realFetch(url);
    }) as typeof fetch;
    let offset = 0;
    systemClock.now = () => Date.now() + offset;
    systemClock.sleep = async (ms) => void (offset += ms);

    restores.push(installMeter(DynamoDBClient.prototype as unknown as { send: unknown }, meter));
    const sqs = countSends(SQSClient.prototype as unknown as { send: unknown }, (name) =>
      name === 'SendMessageCommand' ? 1 : 0,
    );
    const sns = countSends(SNSClient.prototype as unknown as { send: unknown }, (name) =>
      name === 'PublishCommand' ? 1 : 0,
    );
    restores.push(sqs.restore, sns.restore);

    const configData = parseConfigYaml(readFileSync(join(root, 'klaxon.yml'), 'utf8'));
    const notifier = pipelineFunction(alarmNotifierComposition, configData);
    const retrierClock = new InvocationClock();
    const retrier = deployedRetrier(
      configData,
      process.env,
      createPowertools('klaxon-delivery-retrier'),
      retrierClock,
    );

    // Everything the functions write to stdout and stderr is what CloudWatch Logs ingests.
    let logBytes = 0;
    const stdoutWrite = process.stdout.write.bind(process.stdout);
    const stderrWrite = process.stderr.write.bind(process.stderr);
    const capture = (chunk: unknown, ...rest: unknown[]): boolean => {
      logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength;
      (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
      return true;
    };
    let alerts = 0;
    let invocations = 0;
    let billedMs = 0;
    let wallMs = 0;
    let jobsRun = 0;
    const jobKinds: Record<string, number> = {};
    const invoke = async (work: () => Promise<unknown>) => {
      invocations += 1;
      const started = performance.now();
      const probed = meter.probeMs;
      await work();
      // The meter's read-backs (to size writes) are the bench's, not the function's.
      const ms = performance.now() - started - (meter.probeMs - probed);
      wallMs += ms;
      billedMs += Math.ceil(ms);
    };
    const receive = async (waitSeconds: number) => {
      const got = await new SQSClient({}).send(
        new ReceiveMessageCommand({
          QueueUrl: retryUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: waitSeconds,
        }),
      );
      return got.Messages ?? [];
    };
    let snsEvents = 0;
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    try {
      for (const event of events) {
        // Alarms arrive a couple of seconds apart in (virtual) time; a storm arrives all at once.
        if (event.kind !== 'storm') offset += ARRIVAL_SPACING_MS;
        const raw = JSON.parse(event.text) as { Records?: unknown[] };
        if (Array.isArray(raw.Records)) snsEvents += 1;
        await invoke(async () => {
          const result = await notifier.handler(raw, lambdaContext(invocations));
          alerts += result.alerts;
        });
      }
      // Group flushes fall due within a window plus a few seconds: run them as the retrier does.
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const messages = await receive(2);
        if (messages.length === 0) continue;
        await invoke(async () => {
          // As createDeliveryRetrier does with the Lambda context (60 s, the retrier's timeout).
          retrierClock.start(60_000);
          for (const message of messages) {
            const job = parseDeliveryJob(message.Body ?? '');
            jobKinds[job.kind] = (jobKinds[job.kind] ?? 0) + 1;
            await retrier.dispatcher.runJob(job);
            jobsRun += 1;
          }
          retrier.observer.flush();
        });
        for (const message of messages)
          await new SQSClient({}).send(
            new DeleteMessageCommand({ QueueUrl: retryUrl, ReceiptHandle: message.ReceiptHandle }),
          );
      }
    } finally {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
    }
    meter.enabled = false;
    const attributes = await import('@aws-sdk/client-sqs').then(({ GetQueueAttributesCommand }) =>
      new SQSClient({}).send(
        new GetQueueAttributesCommand({
          QueueUrl: retryUrl,
          AttributeNames: ['ApproximateNumberOfMessagesDelayed', 'ApproximateNumberOfMessages'],
        }),
      ),
    );
    const jobsLeftQueued =
      Number(attributes.Attributes?.ApproximateNumberOfMessagesDelayed ?? 0) +
      Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
    const totals = meter.totals();
    const memoryMb = notifierMemoryMb(root);
    // The SQS event source polls and deletes: about one ReceiveMessage and one DeleteMessage per job.
    const sqsRequests = sqs.calls + 2 * jobsRun;
    // The alarm topics publish each SNS event once; the ops receiver publishes the rest.
    const snsPublishes = sns.calls + snsEvents;
    const byKind = { firing: 0, resolve: 0, duplicate: 0, storm: 0 };
    for (const event of events) byKind[event.kind] += 1;
    return {
      scenario: { ...options, events: events.length, byKind },
      invocations,
      jobsRun,
      jobsLeftQueued,
      jobKinds,
      alerts,
      totals,
      writesPerAlert: totals.writes / alerts,
      readsPerAlert: totals.reads / alerts,
      writeUnitsPerAlert: totals.writeUnits / alerts,
      readUnitsPerAlert: totals.readUnits / alerts,
      meanInvocationMs: wallMs / invocations,
      billedMs,
      memoryMb,
      sqsRequests,
      snsPublishes,
      logBytes,
      logBytesPerAlert: logBytes / alerts,
      cost: costPerMillionAlerts({
        alerts,
        invocations,
        billedMs,
        memoryMb,
        writeUnits: totals.writeUnits,
        readUnits: totals.readUnits,
        sqsRequests,
        snsPublishes,
        logBytes,
      }),
    };
  } finally {
    for (const restore of restores.reverse()) restore();
    systemClock.now = realClock.now;
    systemClock.sleep = realClock.sleep;
    globalThis.fetch = realFetch;
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
    restoreEnv();
    await moto.stop();
  }
}
