import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createAlarmNotifier, deployedDeps } from '../../functions/alarm-notifier/handler';
import { createDigestHandler } from '../../functions/digest/handler';
import { parseConfigYaml } from '../../shared/config/yaml';
import { deployedDigest } from '../../shared/digest/deployed';
import { readDigest } from '../../shared/digest/run';
import { DigestDeliveryError, StateStoreError } from '../../shared/errors';
import { createPowertools } from '../../shared/observability/powertools';
import { DynamoStateStore, SCAN_SEGMENTS } from '../../shared/state/dynamodb';
import { MemoryStateStore } from '../../shared/state/memory';
import type { ScanPage, ScanPrefixes, StateStore } from '../../shared/state/store';
import { useMotoEnv } from '../support/aws-env';
import { createStateTable } from '../support/aws-resources';
import { captureOutput } from '../support/capture';
import { type FakeSlack, slackMessageError, startFakeSlack } from '../support/fake-slack';
import { MIN, record } from '../unit/digest/support';
import { alarmEvent } from '../unit/noise/harness';

const RUN = randomUUID().slice(0, 8);
const TABLE = `klaxon-digest-${RUN}-state`;
const PREFIX = `/klaxon/digest-${RUN}`;

let slack: FakeSlack;
let restoreEnv: () => void;
let output: ReturnType<typeof captureOutput> | undefined;

const CONFIG = `
enrichment: { enabled: false }
flapping: { transitions: 3, windowMinutes: 30 }
severity:
  - match: { alarmName: 'api-*' }
    severity: critical
receivers:
  chat: { type: slack, webhookUrl: { ssm: slack-chat }, ratePerSecond: 50 }
  digest: { type: slack, webhookUrl: { ssm: slack-digest } }
route:
  receiver: chat
  routes:
    - { name: chat-critical, match: { severity: critical }, receiver: chat }
digest: { receiver: digest, quickResolveMinutes: 10, top: 5 }
`;

function digestHandler() {
  const powertools = createPowertools('klaxon-digest-test');
  return createDigestHandler((clock) =>
    deployedDigest(parseConfigYaml(CONFIG), process.env, powertools, clock),
  );
}

function scheduleEvent(id: string, time = new Date(Date.now() + 1000)) {
  return {
    version: '0',
    id,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: time.toISOString().replace(/\.\d+Z$/, 'Z'),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/klaxon-test-digest'],
    detail: {},
  };
}

/** Every page of a scan merged (a set or record twice would be a bug), and how many pages there were. */
async function scanAll(store: Pick<StateStore, 'scan'>, prefixes: ScanPrefixes) {
  const all: ScanPage = { sets: {}, records: {}, unreadable: [] };
  let pages = 0;
  await store.scan(prefixes, (page) => {
    pages += 1;
    for (const [key, members] of Object.entries(page.sets)) {
      expect(all.sets[key]).toBeUndefined();
      all.sets[key] = members;
    }
    for (const [key, value] of Object.entries(page.records)) {
      expect(all.records[key]).toBeUndefined();
      all.records[key] = value;
    }
    all.unreadable.push(...page.unreadable);
  });
  return { ...all, pages };
}

/** Every `text` string in a Block Kit message, joined. */
function texts(value: unknown): string {
  if (Array.isArray(value)) return value.map(texts).join('\n');
  if (typeof value !== 'object' || value === null) return '';
  return Object.entries(value)
    .map(([key, item]) => (key === 'text' && typeof item === 'string' ? item : texts(item)))
    .filter(Boolean)
    .join('\n');
}

beforeAll(async () => {
  restoreEnv = useMotoEnv(inject('motoEndpoint'));
  slack = await startFakeSlack();
  process.env.KLAXON_SSM_PREFIX = PREFIX;
  process.env.KLAXON_STATE_TABLE = TABLE;
  await createStateTable(TABLE);
  const ssm = new SSMClient({});
  for (const [name, webhook] of [
    ['slack-chat', 'chat'],
    ['slack-digest', 'digest'],
  ] as const) {
    await ssm.send(
      new PutParameterCommand({
        Name: `${PREFIX}/${name}`,
        Value: slack.webhookUrl(webhook),
        Type: 'SecureString',
        Overwrite: true,
      }),
    );
  }
  // Real alarm transitions through the deployed pipeline (deliver mode): decision records in the table.
  const notifier = createAlarmNotifier(() => deployedDeps(parseConfigYaml(CONFIG)));
  const base = Date.now() - 20 * 60_000;
  await notifier(alarmEvent({ name: 'api-prod-5xx', state: 'ALARM', at: base }));
  await notifier(alarmEvent({ name: 'api-prod-5xx', state: 'OK', at: base + 60_000 }));
  for (let i = 0; i < 6; i++) {
    await notifier(
      alarmEvent({ name: 'web-flappy', state: i % 2 === 0 ? 'ALARM' : 'OK', at: base + i * 1000 }),
    );
  }
  await notifier(alarmEvent({ name: 'queue-age', state: 'ALARM', at: base + 5000 }));
  // The same transition delivered twice (SNS and EventBridge): one firing in the digest.
  await notifier(alarmEvent({ name: 'queue-age', state: 'ALARM', at: base + 5000 }));
  // A remediation audit record, as the remediator writes it (SSM Automation is not served by moto).
  const store = new DynamoStateStore(new DynamoDBClient({}), TABLE);
  await store.saveRecord(
    'remediation#tok-1',
    {
      token: 'tok-1',
      rule: 'restart-web',
      action: 'AWS-RestartEC2Instance',
      outcome: 'started',
      result: 'failed',
      decidedAt: Date.now() - 60_000,
      startedAt: Date.now() - 60_000,
      fingerprint: 'arn:x',
      transitionId: 't',
      history: [],
    },
    Date.now(),
  );
}, 60_000);

afterAll(async () => {
  delete process.env.KLAXON_SSM_PREFIX;
  delete process.env.KLAXON_STATE_TABLE;
  restoreEnv();
  await slack.close();
});

beforeEach(() => {
  slack.reset();
  output = captureOutput();
});

afterEach(() => {
  const text = output?.text() ?? '';
  output?.restore();
  output = undefined;
  // The webhook URLs are secrets: never in a log line or an error.
  expect(text).not.toContain('/services/T000');
});

describe('the digest function against moto and a loopback Slack', () => {
  it('posts one message built from the decision records, with every section', async () => {
    const result = await digestHandler()(scheduleEvent(`sched-${RUN}-1`));
    expect(result).toMatchObject({ outcome: 'posted', receiver: 'digest', firing: 5, empty: false });
    const messages = slack.messages('digest');
    expect(messages).toHaveLength(1);
    expect(slackMessageError(messages[0])).toBeUndefined();
    const text = texts(messages[0]);
    expect(text).toContain('Klaxon digest: the last 24 h');
    expect(text).toContain('5 alerts firing');
    expect(text).toContain('*By severity*\ncritical 1, warning 4');
    expect(text).toContain('chat-critical 1');
    expect(text).toMatch(/\*Suppressed\*\nflapping \d/);
    expect(text).toContain('*Noisiest alarms (firing transitions)*\n• 3  web-flappy');
    expect(text).toContain('• 1  queue-age');
    expect(text).toMatch(/\*Flapping alarms[^\n]*\*\n• \d {2}web-flappy: /);
    expect(text).toMatch(/\*Resolved on their own within 10 min[^\n]*\*\n• 3x {2}web-flappy: after /);
    expect(text).toContain('• 1x  api-prod-5xx: after ');
    expect(text).toContain('AWS-RestartEC2Instance: 1 started, 0 succeeded, 1 failed');
    const emf = (output?.lines() ?? []).filter((line) => line.includes('"DigestsPosted"'));
    expect(emf.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ DigestsPosted: 1, receiverType: 'slack' }),
    ]);
  });

  it('posts once per schedule event: a retried or duplicate invocation does not post again', async () => {
    const handler = digestHandler();
    const event = scheduleEvent(`sched-${RUN}-2`);
    expect((await handler(event)).outcome).toBe('posted');
    expect((await handler(event)).outcome).toBe('duplicate');
    expect(slack.messages('digest')).toHaveLength(1);
  });

  it('still posts an empty period, saying so', async () => {
    const result = await digestHandler()(scheduleEvent(`sched-${RUN}-3`, new Date('2020-01-02T08:00:00Z')));
    expect(result).toMatchObject({ outcome: 'posted', empty: true });
    expect(texts(slack.messages('digest')[0])).toContain(
      'Nothing to report: no alerts, informational events or remediations in the last 24 h.',
    );
  });

  it('fails the invocation with a named error and logs it, without the webhook URL, when Slack refuses', async () => {
    slack.revoke('digest');
    try {
      await expect(digestHandler()(scheduleEvent(`sched-${RUN}-4`))).rejects.toThrow(DigestDeliveryError);
    } finally {
      slack.restore('digest');
    }
    const logged = (output?.lines() ?? []).find((line) => line.includes('digest could not be posted'));
    expect(logged).toBeDefined();
    expect(JSON.parse(logged ?? '{}')).toMatchObject({ level: 'ERROR', receiver: 'digest', status: 404 });
    // The failed post gave its claim back: Lambda's retry (within the lease) posts it, once.
    process.env.KLAXON_CLAIM_LEASE_MS = '330000';
    try {
      const retried = digestHandler();
      expect((await retried(scheduleEvent(`sched-${RUN}-4`))).outcome).toBe('posted');
      expect((await retried(scheduleEvent(`sched-${RUN}-4`))).outcome).toBe('duplicate');
    } finally {
      delete process.env.KLAXON_CLAIM_LEASE_MS;
    }
    expect(slack.messages('digest')).toHaveLength(1);
  });
});

describe('scan: the DynamoDB and in-memory state stores agree', () => {
  it('hand over the same sets and records, page by page, leaving out other prefixes and emptied sets', async () => {
    const table = `klaxon-scan-${RUN}-state`;
    await createStateTable(table);
    const stores: StateStore[] = [
      new DynamoStateStore(new DynamoDBClient({}), table),
      new MemoryStateStore(),
    ];
    const now = Date.UTC(2026, 2, 14, 8);
    for (const store of stores) {
      await store.putSetMember('decisions#arn:a', '1-aa', { at: 'x', n: 1 }, now);
      await store.putSetMember('decisions#arn:a', '2-bb', { at: 'y', n: 2 }, now);
      await store.putSetMember('decisions#arn:b', '1-cc', { n: 3 }, now);
      await store.putSetMember('decisions#arn:gone', '1-dd', { n: 4 }, now);
      await store.removeSetMember('decisions#arn:gone', '1-dd');
      await store.putSetMember('muted#silence:s1', 'arn:a', { n: 5 }, now);
      await store.saveRecord('remediation#t1', { action: 'A', n: 6 }, now);
      await store.saveRecord('remediation-execution#e1', { token: 't1' }, now);
      await store.saveRecord('alert#arn:a', { n: 7 }, now);
      // More rows than one in-memory page.
      for (let i = 0; i < 40; i++) await store.putSetMember(`decisions#arn:many-${i}`, 'm', { i }, now);
    }
    const expected = {
      sets: {
        'decisions#arn:a': { '1-aa': { at: 'x', n: 1 }, '2-bb': { at: 'y', n: 2 } },
        'decisions#arn:b': { '1-cc': { n: 3 } },
        ...Object.fromEntries(
          Array.from({ length: 40 }, (_, i) => [`decisions#arn:many-${i}`, { m: { i } }]),
        ),
      },
      records: { 'remediation#t1': { action: 'A', n: 6 } },
      unreadable: [],
    };
    for (const store of stores) {
      const all = await scanAll(store, { sets: ['decisions#'], records: ['remediation#'] });
      expect({ ...all, pages: undefined }).toEqual({ ...expected, pages: undefined });
      expect(all.pages).toBeGreaterThan(1);
      expect(await scanAll(store, { records: ['remediation#'] })).toMatchObject({
        sets: {},
        records: expected.records,
      });
      expect(await scanAll(store, {})).toEqual({ sets: {}, records: {}, unreadable: [], pages: 0 });
    }
  });

  it('reads the table in parallel segments, each paging past one Scan response (1 MB)', async () => {
    const table = `klaxon-scan-big-${RUN}-state`;
    await createStateTable(table);
    const client = new DynamoDBClient({});
    const scans: Array<{ Segment?: number; TotalSegments?: number }> = [];
    const counting = {
      send: (command: { input: unknown }) => {
        if (command instanceof ScanCommand) scans.push(command.input);
        return client.send(command as never);
      },
    } as unknown as DynamoDBClient;
    const store = new DynamoStateStore(counting, table);
    // Random text: stored compressed, it would no longer fill a Scan page.
    const padding = randomBytes(75_000).toString('base64');
    for (let i = 0; i < 50; i++)
      await store.putSetMember(`decisions#arn:${i}`, 'm', { i, padding }, Date.now());
    const scanned = await scanAll(store, { sets: ['decisions#'] });
    expect(Object.keys(scanned.sets)).toHaveLength(50);
    expect(new Set(scans.map((scan) => `${scan.Segment}/${scan.TotalSegments}`))).toEqual(
      new Set(Array.from({ length: SCAN_SEGMENTS }, (_, i) => `${i}/${SCAN_SEGMENTS}`)),
    );
    expect(scanned.pages).toBe(scans.length);
    expect(scans.length).toBeGreaterThan(SCAN_SEGMENTS);
    const read = await readDigest(store, {
      from: new Date(0),
      to: new Date(),
      quickResolveMinutes: 10,
      top: 5,
    });
    // Not decision records: counted as unreadable, not trusted.
    expect(read).toMatchObject({ unreadable: 50, digest: { empty: true } });
    expect(read.examples).toHaveLength(5);
  });

  it('fails the scan with a named error when a segment fails', async () => {
    const table = `klaxon-scan-fail-${RUN}-state`;
    await createStateTable(table);
    const client = new DynamoDBClient({});
    const counting = {
      send: (command: { input: { Segment?: number } }) => {
        if (command instanceof ScanCommand && command.input.Segment === 2) {
          return Promise.reject(
            Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }),
          );
        }
        return client.send(command as never);
      },
    } as unknown as DynamoDBClient;
    await expect(
      new DynamoStateStore(counting, table).scan({ sets: ['decisions#'] }, () => {}),
    ).rejects.toThrow(StateStoreError);
  });
});

describe('the digest from the state table', () => {
  it('leaves out a member or record that is not JSON, counts it as unreadable, and builds the rest', async () => {
    const table = `klaxon-scan-bad-${RUN}-state`;
    await createStateTable(table);
    const client = new DynamoDBClient({});
    const store = new DynamoStateStore(client, table);
    const now = Date.now();
    const good = record({ at: now - MIN, name: 'api-prod-5xx' });
    await store.putSetMember(`decisions#${good.fingerprint}`, '1-aa', good, now);
    // Rows written by hand or damaged: the member and the remediation document are not JSON.
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: `set#decisions#${good.fingerprint}-other` },
          'm:1-bb': { S: '{"at": "2026-03-14T07:59:00.000Z", truncated' },
        },
      }),
    );
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: 'record#remediation#tok-bad' }, doc: { S: 'not json' } },
      }),
    );
    const read = await readDigest(store, {
      from: new Date(now - 60 * MIN),
      to: new Date(now),
      quickResolveMinutes: 10,
      top: 5,
    });
    expect(read.unreadable).toBe(2);
    expect(read.examples.sort()).toEqual([`decisions#${good.fingerprint}-other 1-bb`, 'remediation#tok-bad']);
    expect(read.digest.alerts.firing).toBe(1);
    expect(read.digest.noisiest).toEqual([expect.objectContaining({ name: 'api-prod-5xx', count: 1 })]);
  });
});
