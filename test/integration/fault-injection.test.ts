/**
 * Fault injection: the deployed code paths (alarm notifier, retry worker, DynamoDB state table, SQS
 * retry and dead-letter queues on moto_server) against loopback PagerDuty and Slack servers that
 * fail the way the real ones do. Every scenario asserts: no alert lost, no duplicate page or
 * message, pacing limits kept. The figures are printed as a table at the end (see docs/delivery-guarantees.md).
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigYaml } from '../../shared/config/yaml';
import { createAlarmNotifier, deployedDeps } from '../../functions/alarm-notifier/handler';
import { createDeliveryRetrier } from '../../functions/delivery-retrier/handler';
import { createPowertools } from '../../shared/observability/powertools';
import { deployedPipeline } from '../../shared/deployed/pipeline';
import { useMotoEnv } from '../support/aws-env';
import { createDeliveryQueues, createStateTable } from '../support/aws-resources';
import { captureOutput } from '../support/capture';
import { type FakePagerDuty, startFakePagerDuty } from '../support/fake-pagerduty';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack';
import { fixture } from '../support/fixtures';
import { type MotoServer, startMoto } from '../support/moto';

const ROUTING_KEY = 'fault-injection-routing-key-000001';
let moto: MotoServer;
let pagerDuty: FakePagerDuty;
let slack: FakeSlack;
let restoreEnv: () => void;
let queues: { retryUrl: string; deadUrl: string };
let tableName: string;
let tableCount = 0;

interface Figures {
  scenario: string;
  eventsIn: number;
  invocations: number;
  notificationsOut: number;
  duplicates: number;
  lost: number;
  /** Which (alarm, receiver) pairs were lost, so a failure names them. */
  lostNames: string[];
  deadLettered: number;
  /** Enforced by the fake Slack itself, as by Slack: a faster send is answered 429 and retried. */
  maxSlackPerSecond: number;
  /** 429s Slack answered, scripted ones and its own rate limit's. */
  slack429s: number;
  maxPagerDutyPerSecond: number;
  /** Most pages accepted in any 700 ms: the pacer spaces them 550 ms apart, so 2 unless it broke. */
  maxPagerDutyPer700ms: number;
}
const figures: Figures[] = [];

/** The chat route's group window: a storm gets one grouped message per window it touches. */
const GROUP_WINDOW_SECONDS = 2;

function config(): string {
  return `
delivery:
  fallbackReceiver: fallback
  retrySchedule: [1, 1, 2, 2, 3]
severity:
  - match: { alarmName: "*-crit-*" }
    severity: critical
receivers:
  oncall: { type: pagerduty, routingKey: { ssm: pd }, url: "${pagerDuty.url}", timeoutMs: 2000 }
  alerts: { type: slack, webhookUrl: { ssm: slack }, timeoutMs: 2000 }
  fallback: { type: slack, webhookUrl: { ssm: fallback }, timeoutMs: 2000 }
route:
  receiver: alerts
  routes:
    - { name: page, match: { severity: critical }, receiver: oncall, continue: true }
    - { name: chat-critical, match: { severity: critical }, receiver: alerts }
    - name: chat
      match: { severity: [error, warning, info] }
      receiver: alerts
      group: { by: [region], windowSeconds: ${GROUP_WINDOW_SECONDS} }
`;
}

/** An SNS alarm event with its own alarm name and state-change time. */
function alarmEvent(name: string, index: number): unknown {
  const event = structuredClone(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json')) as {
    Records: Array<{ Sns: { Message: string; MessageId: string } }>;
  };
  const record = event.Records[0];
  if (!record) throw new Error('fixture has no record');
  const message = JSON.parse(record.Sns.Message) as Record<string, unknown>;
  message.AlarmName = name;
  message.AlarmArn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;
  message.StateChangeTime = new Date(Date.UTC(2026, 2, 14, 9, 0, index)).toISOString().replace('Z', '+0000');
  record.Sns.Message = JSON.stringify(message);
  record.Sns.MessageId = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
  return event;
}

function names(scenario: string, count: number, critical: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `fi-${scenario}-${i < critical ? 'crit' : 'warn'}-${String(i).padStart(3, '0')}-x`,
  );
}

const sqs = () => new SQSClient({});

async function queueDepth(url: string): Promise<number> {
  const attributes = await sqs().send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return Object.values(attributes.Attributes ?? {}).reduce((sum, value) => sum + Number(value), 0);
}

/** Plays the SQS → Lambda integration: feeds the retry queue to the retry worker until it is empty. */
async function drain(retrier: ReturnType<typeof createDeliveryRetrier>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let idle = 0;
  while (Date.now() < deadline) {
    const received = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: queues.retryUrl,
        MaxNumberOfMessages: 5,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 30,
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) {
      idle = (await queueDepth(queues.retryUrl)) === 0 ? idle + 1 : 0;
      if (idle >= 2) return;
      continue;
    }
    idle = 0;
    const event = {
      Records: messages.map((m) => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: {},
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:retry',
        awsRegion: 'us-east-1',
      })),
    } as unknown as SQSEvent;
    const { batchItemFailures } = await retrier(event);
    const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    for (const message of messages) {
      if (failed.has(message.MessageId ?? '')) continue;
      await sqs().send(
        new DeleteMessageCommand({ QueueUrl: queues.retryUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }
  }
  throw new Error('the retry queue did not drain in time');
}

async function deadLetteredNames(): Promise<string[]> {
  const found: string[] = [];
  for (;;) {
    const received = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl: queues.deadUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!received.Messages?.length) return found;
    for (const message of received.Messages) {
      found.push(message.Body ?? '');
      await sqs().send(
        new DeleteMessageCommand({ QueueUrl: queues.deadUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }
  }
}

/** How many of the messages mention the alarm (a grouped message counts once for each alarm it lists). */
function occurrences(texts: readonly string[], name: string): number {
  return texts.filter((text) => text.includes(name)).length;
}

function maxPerWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/**
 * Checks the outcome of a scenario and records its figures: every (alarm, receiver) pair was
 * delivered exactly once, or dead-lettered with the fallback told; pacing held.
 */
async function settle(
  scenario: string,
  alarms: string[],
  invocations: number,
  critical: number,
): Promise<Figures> {
  const accepted = (status?: number) => status === 200 || status === 202;
  const slackTexts = slack
    .requestsFor('alerts')
    .filter((r) => accepted(r.response?.status))
    .map((r) => JSON.stringify(r.body));
  const fallbackTexts = slack
    .requestsFor('fallback')
    .filter((r) => accepted(r.response?.status))
    .map((r) => JSON.stringify(r.body));
  const pages = pagerDuty.requests.filter((r) => accepted(r.response?.status));
  const pageTimes = pages.map((r) => r.receivedAt);
  const dead = await deadLetteredNames();
  let duplicates = 0;
  let lost = 0;
  const lostNames: string[] = [];
  for (const [index, name] of alarms.entries()) {
    const inSlack = occurrences(slackTexts, name);
    const toldFallback = occurrences(fallbackTexts, name) > 0 && occurrences(dead, name) > 0;
    if (inSlack > 1) duplicates += inSlack - 1;
    if (inSlack === 0 && !toldFallback) {
      lost++;
      lostNames.push(`${name} (Slack)`);
    }
    if (index < critical) {
      const paged = pages.filter((r) => JSON.stringify(r.body).includes(`alarm:${name}"`)).length;
      if (paged > 1) duplicates += paged - 1;
      if (paged === 0 && !toldFallback) {
        lost++;
        lostNames.push(`${name} (PagerDuty)`);
      }
    }
  }
  const result: Figures = {
    scenario,
    eventsIn: alarms.length,
    invocations,
    notificationsOut: slackTexts.length + pages.length,
    duplicates,
    lost,
    lostNames,
    deadLettered: dead.length,
    maxSlackPerSecond: slack.maxPerWindow('alerts', { windowMs: 1000 }),
    slack429s: slack.requestsFor('alerts').filter((r) => r.response?.status === 429).length,
    maxPagerDutyPerSecond: maxPerWindow(pageTimes, 1000),
    maxPagerDutyPer700ms: maxPerWindow(pageTimes, 700),
  };
  figures.push(result);
  return result;
}

function expectHealthy(result: Figures): void {
  expect(result.lostNames, 'alerts lost').toEqual([]);
  expect(result.duplicates, 'duplicate pages or messages').toBe(0);
  // Pages are timed where the fake receives them, after the pacer's slot: 700 ms leaves room for
  // a loaded machine's scheduling delay, while an unpaced burst still lands 3+ pages in it. Slack's
  // one-per-second is enforced by the fake Slack, so it is reported, not asserted: the pacer itself is
  // proven with a fake clock (dispatcher unit tests) and its slots against moto (state-and-queues).
  expect(result.maxPagerDutyPer700ms, 'PagerDuty events in any 700 ms').toBeLessThanOrEqual(2);
}

let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  moto = await startMoto();
  pagerDuty = await startFakePagerDuty({ rateLimitPerMinute: 120 });
  slack = await startFakeSlack({ rateLimitPerSecond: 1 });
  restoreEnv = useMotoEnv(moto.endpoint);
  queues = await createDeliveryQueues('fi');
  const ssm = new SSMClient({});
  for (const [name, value] of [
    ['pd', ROUTING_KEY],
    ['slack', slack.webhookUrl('alerts')],
    ['fallback', slack.webhookUrl('fallback')],
  ] as const) {
    await ssm.send(
      new PutParameterCommand({ Name: `/klaxon/fi/${name}`, Value: value, Type: 'SecureString' }),
    );
  }
  Object.assign(process.env, {
    KLAXON_SSM_PREFIX: '/klaxon/fi',
    KLAXON_RETRY_QUEUE_URL: queues.retryUrl,
    KLAXON_DEAD_LETTER_QUEUE_URL: queues.deadUrl,
  });
}, 60_000);

beforeEach(async () => {
  tableName = `fi-state-${++tableCount}`;
  await createStateTable(tableName);
  process.env.KLAXON_STATE_TABLE = tableName;
  pagerDuty.reset();
  slack.reset();
  output = captureOutput();
  return () => output.restore();
});

afterAll(async () => {
  for (const name of [
    'KLAXON_SSM_PREFIX',
    'KLAXON_RETRY_QUEUE_URL',
    'KLAXON_DEAD_LETTER_QUEUE_URL',
    'KLAXON_STATE_TABLE',
  ]) {
    delete process.env[name];
  }
  restoreEnv();
  await Promise.all([moto.stop(), pagerDuty.close(), slack.close()]);
  const header =
    '| scenario | events in | invocations | notifications out | duplicates | lost | dead-lettered | max Slack/s | Slack 429s | max PagerDuty/s |';
  const rows = figures.map(
    (f) =>
      `| ${f.scenario} | ${f.eventsIn} | ${f.invocations} | ${f.notificationsOut} | ${f.duplicates} | ${f.lost} | ${f.deadLettered} | ${f.maxSlackPerSecond} | ${f.slack429s} | ${f.maxPagerDutyPerSecond} |`,
  );
  process.stdout.write(
    `\nFault-injection figures\n${header}\n|---|---|---|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
  );
});

function handlers() {
  const powertools = createPowertools('klaxon-fault-injection');
  const notifier = createAlarmNotifier((clock) => deployedDeps(parseConfigYaml(config()), clock));
  const retrier = createDeliveryRetrier((clock) =>
    deployedPipeline(parseConfigYaml(config()), process.env, powertools, clock),
  );
  return { notifier, retrier };
}

describe('fault injection', { timeout: 120_000 }, () => {
  it('every event delivered three times (twice at once): one page, one message', async () => {
    const { notifier, retrier } = handlers();
    const alarms = names('dup', 8, 3);
    const events = alarms.map((name, i) => alarmEvent(name, i));
    await Promise.all(events.flatMap((event) => [notifier(event), notifier(event)]));
    for (const event of events) await notifier(event);
    await drain(retrier);
    const result = await settle('each event delivered 3 times', alarms, events.length * 3, 3);
    expectHealthy(result);
    expect(pagerDuty.requests.filter((r) => r.response?.status === 202)).toHaveLength(3);
  });

  it('receivers failing half the time with 5xx', async () => {
    const { notifier, retrier } = handlers();
    const alarms = names('flaky', 8, 4);
    pagerDuty.script(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? { status: 503 as const } : { delayMs: 1 })),
    );
    slack.script(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? { status: 500 as const } : { delayMs: 1 })),
      'alerts',
    );
    for (const [i, name] of alarms.entries()) await notifier(alarmEvent(name, i));
    await drain(retrier);
    expectHealthy(await settle('receivers fail 50% with 5xx', alarms, alarms.length, 4));
  });

  it('429 storms with Retry-After', async () => {
    const { notifier, retrier } = handlers();
    const alarms = names('storm429', 6, 3);
    slack.script(
      Array.from({ length: 6 }, () => ({ status: 429 as const, retryAfter: 1 })),
      'alerts',
    );
    pagerDuty.script(Array.from({ length: 4 }, () => ({ status: 429 as const })));
    for (const [i, name] of alarms.entries()) await notifier(alarmEvent(name, i));
    await drain(retrier);
    const result = await settle('429 storms (Slack Retry-After: 1)', alarms, alarms.length, 3);
    expectHealthy(result);
    expect(
      slack.requestsFor('alerts').filter((r) => r.response?.status === 429).length,
    ).toBeGreaterThanOrEqual(6);
  });

  it('hanging connections time out and are retried', async () => {
    const { notifier, retrier } = handlers();
    const alarms = names('hang', 4, 2);
    pagerDuty.script([{ hang: true }, { hang: true }]);
    slack.script([{ hang: true }, { hang: true }], 'alerts');
    for (const [i, name] of alarms.entries()) await notifier(alarmEvent(name, i));
    await drain(retrier);
    expectHealthy(await settle('hanging connections', alarms, alarms.length, 2));
  });

  it('the state table goes away mid-run: pages still go out', async () => {
    const { notifier, retrier } = handlers();
    const alarms = names('notable', 8, 4);
    for (const [i, name] of alarms.entries()) {
      if (i === 4) await new DynamoDBClient({}).send(new DeleteTableCommand({ TableName: tableName }));
      await notifier(alarmEvent(name, i));
    }
    await drain(retrier);
    const result = await settle('state table deleted mid-run', alarms, alarms.length, 4);
    expect(result.lostNames).toEqual([]);
    expect(result.duplicates).toBe(0);
    expect(pagerDuty.requests.filter((r) => r.response?.status === 202)).toHaveLength(4);
    expect(output.text()).toContain('state table unavailable; delivering without it (fail open)');
  });

  it('a 40-alarm storm becomes one grouped message, pages stay paced', async () => {
    const { notifier, retrier } = handlers();
    const alarms = names('az', 44, 4);
    const events = alarms.map((name, i) => alarmEvent(name, i));
    const stormStarted = Date.now();
    for (let batch = 0; batch < events.length; batch += 11) {
      await Promise.all(events.slice(batch, batch + 11).map((event) => notifier(event)));
    }
    // Group windows are fixed buckets of wall-clock time, so a storm that takes longer to arrive (a
    // slow machine, a slow moto) is rightly split across every window it touched: one message each.
    const windowMs = GROUP_WINDOW_SECONDS * 1000;
    const windowsTouched = Math.floor(Date.now() / windowMs) - Math.floor(stormStarted / windowMs) + 1;
    await drain(retrier);
    const result = await settle('40-alarm storm (+4 critical)', alarms, alarms.length, 4);
    expectHealthy(result);
    const grouped = slack
      .requestsFor('alerts')
      .filter((r) => r.response?.status === 200 && JSON.stringify(r.body).includes('alerts firing'));
    expect(grouped.length).toBeGreaterThanOrEqual(1);
    expect(
      grouped.length,
      `grouped messages for a storm spanning ${windowsTouched} windows`,
    ).toBeLessThanOrEqual(windowsTouched);
    expect(result.notificationsOut).toBeLessThanOrEqual(4 + 4 + windowsTouched);
  });

  it('a poison event delivered three times is reported once and never retried', async () => {
    const { notifier, retrier } = handlers();
    const poison = fixture('cloudwatch-alarm/sns-malformed-message.json');
    const results = [await notifier(poison), await notifier(poison), await notifier(poison)];
    expect(results.map((r) => r.outcome)).toEqual(['invalid', 'invalid', 'invalid']);
    await drain(retrier);
    const notices = slack
      .requestsFor('alerts')
      .filter(
        (r) => r.response?.status === 200 && JSON.stringify(r.body).includes('Klaxon could not use an event'),
      );
    expect(notices).toHaveLength(1);
    expect(await queueDepth(queues.retryUrl)).toBe(0);
  });

  it('a receiver that never recovers: dead-lettered and the fallback told, nothing lost', async () => {
    const { notifier, retrier } = handlers();
    const alarms = names('down', 2, 0);
    slack.script(
      Array.from({ length: 40 }, () => ({ status: 503 as const })),
      'alerts',
    );
    for (const [i, name] of alarms.entries()) await notifier(alarmEvent(name, i));
    await drain(retrier);
    const result = await settle('Slack down for good', alarms, alarms.length, 0);
    expect(result.lostNames).toEqual([]);
    expect(result.deadLettered).toBeGreaterThanOrEqual(1);
    expect(
      slack.requestsFor('fallback').some((r) => JSON.stringify(r.body).includes('Klaxon could not deliver')),
    ).toBe(true);
  });
});
