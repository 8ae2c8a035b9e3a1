import { DeleteTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsClient } from '../../shared/aws/clients';
import { SqsDeliveryQueue } from '../../shared/delivery/queue';
import { StateItemRejectedError, StateStoreError } from '../../shared/errors';
import { DynamoStateStore } from '../../shared/state/dynamodb';
import { MemoryStateStore } from '../../shared/state/memory';
import { useMotoEnv } from '../support/aws-env';
import { createDeliveryQueues, createStateTable } from '../support/aws-resources';
import { testAlert } from '../support/delivery-fakes';
import { type MotoServer, startMoto } from '../support/moto';

let moto: MotoServer;
let restore: () => void;
let store: DynamoStateStore;

beforeAll(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto.endpoint);
  await createStateTable('state');
  store = new DynamoStateStore(new DynamoDBClient({}), 'state');
});

afterAll(async () => {
  restore();
  await moto.stop();
});

describe('DynamoStateStore against moto', () => {
  const t0 = Date.UTC(2026, 2, 14, 10, 0, 0);

  it('claims a delivery once, reports in-flight during the lease, and done after completion', async () => {
    expect(await store.claimDelivery('t1|chat', t0, 45_000)).toBe('claimed');
    expect(await store.claimDelivery('t1|chat', t0 + 1, 45_000)).toBe('in-flight');
    await store.completeDelivery('t1|chat', 'sent', t0 + 2);
    expect(await store.claimDelivery('t1|chat', t0 + 100_000, 45_000)).toBe('done');
  });

  it('lets a later invocation take over a claim whose lease ran out', async () => {
    expect(await store.claimDelivery('t2|chat', t0, 45_000)).toBe('claimed');
    expect(await store.claimDelivery('t2|chat', t0 + 46_000, 45_000)).toBe('reclaimed');
  });

  it('grants exactly one of many concurrent claims', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => store.claimDelivery('t3|pager', t0, 45_000)),
    );
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
  });

  const grouping = { listLimit: 3, leaseMs: 45_000 };

  it('collects a group, each transition once, and reads it again however often it is closed', async () => {
    expect(await store.addToGroup('g1', { transitionId: 'a', alert: testAlert(1) }, t0, grouping)).toEqual({
      outcome: 'added',
      position: 1,
    });
    expect(await store.addToGroup('g1', { transitionId: 'b', alert: testAlert(2) }, t0, grouping)).toEqual({
      outcome: 'added',
      position: 2,
    });
    expect(await store.addToGroup('g1', { transitionId: 'a', alert: testAlert(1) }, t0, grouping)).toEqual({
      outcome: 'duplicate',
      position: 1,
    });
    const first = await store.closeGroup('g1', 3);
    expect(first?.members.map((m) => m.transitionId)).toEqual(['a', 'b']);
    expect(first?.total).toBe(2);
    expect(await store.closeGroup('g1', 3)).toEqual(first);
    expect(await store.closeGroup('never', 3)).toBeUndefined();
  });

  it('reads a group without closing it, in DynamoDB as in memory', async () => {
    for (const [name, target] of [
      ['dynamodb', store],
      ['memory', new MemoryStateStore()],
    ] as const) {
      await target.addToGroup('r1', { transitionId: 'a', alert: testAlert(1) }, t0, grouping);
      await target.addToGroup('r1', { transitionId: 'b', alert: testAlert(2) }, t0, grouping);
      const read = await target.readGroup('r1', 3);
      expect(
        read?.members.map((m) => m.transitionId),
        name,
      ).toEqual(['a', 'b']);
      expect(read?.total, name).toBe(2);
      // Still open: a later member joins, and the next read lists it.
      expect(
        (await target.addToGroup('r1', { transitionId: 'c', alert: testAlert(3) }, t0, grouping)).outcome,
      ).toBe('added');
      await target.closeGroup('r1', 3);
      // Closed or not, it reads the same; the list limit holds; a group never made is undefined.
      expect(
        (await target.readGroup('r1', 2))?.members.map((m) => m.transitionId),
        name,
      ).toEqual(['a', 'b']);
      expect((await target.readGroup('r1', 3))?.total, name).toBe(3);
      expect(await target.readGroup('never', 3), name).toBeUndefined();
    }
  });

  it('tells a member that arrives after the flush that the group is closed, without throwing', async () => {
    await store.addToGroup('g2', { transitionId: 'a', alert: testAlert(1) }, t0, grouping);
    await store.closeGroup('g2', 3);
    expect(await store.addToGroup('g2', { transitionId: 'late', alert: testAlert(2) }, t0, grouping)).toEqual(
      {
        outcome: 'closed',
      },
    );
    expect((await store.closeGroup('g2', 3))?.total).toBe(1);
  });

  it('keeps a storm group in small items: 200 members of 4.5 KB, the first listed, all counted', async () => {
    const big = (n: number) =>
      testAlert(n, {
        annotations: { summary: `ALARM ${n}`, description: 'd'.repeat(1024) },
        labels: {
          source: 'cloudwatch-alarm',
          account: '123456789012',
          region: 'us-east-1',
          ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`tag${i}`, 'v'.repeat(300)])),
        },
      });
    const results = [];
    for (let from = 0; from < 200; from += 20) {
      results.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.addToGroup('storm', { transitionId: `t${from + i}`, alert: big(from + i) }, t0, {
              listLimit: 100,
              leaseMs: 45_000,
            }),
          ),
        )),
      );
    }
    expect(results.filter((r) => r.outcome === 'added')).toHaveLength(200);
    expect(new Set(results.map((r) => r.position)).size).toBe(200);
    const snapshot = await store.closeGroup('storm', 100);
    expect(snapshot?.total).toBe(200);
    expect(snapshot?.members).toHaveLength(100);
  });

  it('reports an item over 400 KB as refused (its own error), not as the table being down', async () => {
    // Random text: compression cannot take it under the limit.
    const huge = testAlert(9, { annotations: { summary: randomBytes(420_000).toString('base64') } });
    const error = await store
      .addToGroup('g3', { transitionId: 'h', alert: huge }, t0, grouping)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateItemRejectedError);
  });

  it('stores documents compressed and reads them back, and still reads rows written as JSON text', async () => {
    const raw = (pk: string) =>
      new DynamoDBClient({}).send(new GetItemCommand({ TableName: 'state', Key: { pk: { S: pk } } }));
    const alert = testAlert(12, {
      annotations: {
        summary: 'ALARM: alarm-12 (HTTPCode_Target_5XX_Count > 5) in 123456789012/us-east-1',
        description: `HTTP 5xx responses above 5 per minute. ${'Customers see errors. '.repeat(40)}`,
      },
    });
    expect(await store.saveRecord('alert#c1', { alert, notified: true }, t0)).toBe(true);
    const stored = await raw('record#alert#c1');
    expect(stored.Item?.doc?.B).toBeDefined();
    expect(stored.Item?.doc?.B?.length).toBeLessThan(JSON.stringify(alert).length / 2);
    expect(await store.loadRecord('alert#c1')).toEqual({
      alert: JSON.parse(JSON.stringify(alert)),
      notified: true,
    });

    await store.putSetMember('decisions#c1', 'm1', { alert }, t0);
    expect((await raw('set#decisions#c1')).Item?.['m:m1']?.B).toBeDefined();
    expect(await store.setMembers('decisions#c1')).toEqual({
      m1: { alert: JSON.parse(JSON.stringify(alert)) },
    });

    await store.addToGroup('c1', { transitionId: 'c1', alert }, t0, grouping);
    expect((await raw('group#c1#1')).Item?.doc?.B).toBeDefined();
    expect((await store.readGroup('c1', 3))?.members).toEqual([
      { transitionId: 'c1', alert: JSON.parse(JSON.stringify(alert)) },
    ]);

    // Rows written before compression, as JSON text, read as they always did.
    const ddb = new DynamoDBClient({});
    await ddb.send(
      new PutItemCommand({
        TableName: 'state',
        Item: { pk: { S: 'record#alert#c2' }, doc: { S: '{"notified":false}' } },
      }),
    );
    await ddb.send(
      new PutItemCommand({
        TableName: 'state',
        Item: { pk: { S: 'set#decisions#c2' }, 'm:old': { S: '{"at":"2026-03-14T10:00:00.000Z"}' } },
      }),
    );
    expect(await store.loadRecord('alert#c2')).toEqual({ notified: false });
    expect(await store.setMembers('decisions#c2')).toEqual({ old: { at: '2026-03-14T10:00:00.000Z' } });

    const seen: Record<string, unknown> = {};
    await store.scan({ sets: ['decisions#c'], records: ['alert#c'] }, (page) => {
      Object.assign(seen, page.records, page.sets);
    });
    expect(Object.keys(seen).sort()).toEqual(['alert#c1', 'alert#c2', 'decisions#c1', 'decisions#c2']);
    expect(seen['decisions#c1']).toEqual({ m1: { alert: JSON.parse(JSON.stringify(alert)) } });

    // A damaged compressed row: the scan lists it apart, a record read names it.
    await ddb.send(
      new PutItemCommand({
        TableName: 'state',
        Item: { pk: { S: 'record#alert#c3' }, doc: { B: Uint8Array.from([1, 0xff, 0xfe, 0x00]) } },
      }),
    );
    await expect(store.loadRecord('alert#c3')).rejects.toThrow(StateStoreError);
    const unreadable: string[] = [];
    await store.scan({ records: ['alert#c3'] }, (page) => {
      unreadable.push(...page.unreadable);
    });
    expect(unreadable).toEqual(['alert#c3']);
  });

  it('spaces send slots: one per interval, reserved ahead as far as the caller can wait', async () => {
    for (const [name, target] of [
      ['dynamodb', store],
      ['memory', new MemoryStateStore()],
    ] as const) {
      expect(await target.acquireSlot('slack', 1000, t0, 0), name).toEqual({ reserved: true, waitMs: 0 });
      // Nothing reserved beyond what the caller can wait: it is told when to come back.
      expect(await target.acquireSlot('slack', 1000, t0 + 300, 0), name).toEqual({
        reserved: false,
        waitMs: 700,
      });
      expect(await target.acquireSlot('slack', 1000, t0 + 300, 5000), name).toEqual({
        reserved: true,
        waitMs: 700,
      });
      expect(await target.acquireSlot('slack', 1000, t0 + 300, 5000), name).toEqual({
        reserved: true,
        waitMs: 1700,
      });
      expect(await target.acquireSlot('slack', 1000, t0 + 300, 1000), name).toEqual({
        reserved: false,
        waitMs: 2700,
      });
      // Once the reserved slots are past, the next caller takes a free slot at once.
      expect(await target.acquireSlot('slack', 1000, t0 + 5000, 0), name).toEqual({
        reserved: true,
        waitMs: 0,
      });
    }
  });

  it('gives concurrent callers distinct slots, one interval apart, in one write each when it knows the last slot', async () => {
    const concurrent = await Promise.all(
      Array.from({ length: 6 }, () => store.acquireSlot('pd', 500, t0, 10_000)),
    );
    expect(concurrent.every((slot) => slot.reserved)).toBe(true);
    expect(concurrent.map((slot) => slot.waitMs).sort((a, b) => a - b)).toEqual([
      0, 500, 1000, 1500, 2000, 2500,
    ]);

    const real = new DynamoDBClient({});
    let writes = 0;
    const counting = {
      send: (command: Parameters<DynamoDBClient['send']>[0]) => {
        writes += 1;
        return real.send(command);
      },
    } as unknown as DynamoDBClient;
    const paced = new DynamoStateStore(counting, 'state');
    // A store that has not seen the key guesses "free", is refused, and queues: two writes.
    expect(await paced.acquireSlot('pd', 500, t0 + 100, 10_000)).toEqual({ reserved: true, waitMs: 2900 });
    expect(writes).toBe(2);
    // From then on it knows the slot is taken and queues at once: one write each.
    for (let i = 1; i <= 5; i++)
      expect(await paced.acquireSlot('pd', 500, t0 + 100, 10_000)).toEqual({
        reserved: true,
        waitMs: 2900 + i * 500,
      });
    expect(writes).toBe(7);
    // Once the last slot it saw is past, it tries the free slot first: one write.
    expect(await paced.acquireSlot('pd', 500, t0 + 60_000, 10_000)).toEqual({ reserved: true, waitMs: 0 });
    expect(writes).toBe(8);
  });

  it('counts an event once in a sliding window, in DynamoDB as in memory: a redelivery counts nothing', async () => {
    for (const [name, target] of [
      ['dynamodb', store],
      ['memory', new MemoryStateStore()],
    ] as const) {
      const count = (id: string, at: number) => target.countEventOnce('flap#w1', id, at, 60_000);
      expect(await count('a|ALARM|1', t0), name).toEqual({ counted: true, count: 1 });
      expect(await count('a|OK|2', t0 + 1_000), name).toEqual({ counted: true, count: 2 });
      expect(await count('a|ALARM|1', t0 + 2_000), name).toEqual({ counted: false });
      // The first event has left the window: it no longer counts, its id is still remembered.
      expect(await count('a|ALARM|3', t0 + 60_500), name).toEqual({ counted: true, count: 2 });
      expect(await count('a|ALARM|1', t0 + 62_000), name).toEqual({ counted: false });
    }
  });

  it('counts each of many concurrent deliveries of one event exactly once', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => store.countEventOnce('flap#w2', 'b|ALARM|1', t0, 60_000)),
    );
    expect(results.filter((r) => r.counted)).toEqual([{ counted: true, count: 1 }]);
  });

  it('keeps a once-counter item small: hashed ids, pruned to the last ids and the events in the window', async () => {
    const longId = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${'x'.repeat(200)}|ALARM|`;
    for (let i = 0; i < 100; i++)
      await store.countEventOnce('flap#w3', `${longId}${i}`, t0 + i * 1_000, 10_000);
    const { Item } = await new DynamoDBClient({}).send(
      new GetItemCommand({ TableName: 'state', Key: { pk: { S: 'eventsonce#flap#w3' } } }),
    );
    const ids = Item?.ids?.L ?? [];
    expect(ids.length).toBeGreaterThanOrEqual(32);
    expect(ids.length).toBeLessThanOrEqual(64);
    for (const id of ids) expect(id.S).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((Item?.events?.L ?? []).length).toBeLessThanOrEqual(64);
    expect(JSON.stringify(Item).length).toBeLessThan(4096);
    // The last ids are remembered after the prune: a late redelivery still counts nothing.
    expect(await store.countEventOnce('flap#w3', `${longId}99`, t0 + 100_000, 10_000)).toEqual({
      counted: false,
    });
  });

  it('returns the document attached to a once-counter with each count, and keeps it through a prune', async () => {
    for (const [name, target] of [
      ['dynamodb', store],
      ['memory', new MemoryStateStore()],
    ] as const) {
      const count = (i: number) => target.countEventOnce('flap#w4', `w4|${i}`, t0 + i * 1_000, 10_000);
      expect(await count(0), name).toEqual({ counted: true, count: 1 });
      expect(await target.countAttachment('flap#w4'), name).toBeUndefined();
      const episode = { since: t0, lastAt: t0, transitions: 6, settled: false, note: 'é'.repeat(300) };
      await target.attachToCount('flap#w4', episode, t0);
      expect(await count(1), name).toEqual({ counted: true, count: 2, attached: episode });
      expect(await count(1), name).toEqual({ counted: false });
      // Past 64 ids the counter is pruned; what is attached stays.
      for (let i = 2; i < 80; i++) await count(i);
      expect(await count(80), name).toEqual({ counted: true, count: 10, attached: episode });
      await target.attachToCount('flap#w4', { ...episode, settled: true }, t0 + 81_000);
      expect(await target.countAttachment('flap#w4'), name).toEqual({ ...episode, settled: true });
    }
  });

  it('says true only the first time for a one-off key', async () => {
    expect(await store.claimOnce('notice#x', t0)).toBe(true);
    expect(await store.claimOnce('notice#x', t0)).toBe(false);
  });

  describe('threshold windows', () => {
    const window = { windowStart: t0, windowMs: 300_000, threshold: 3 };
    const tally = (key: string, member: string, eventId = member) =>
      store.tallyThreshold(key, { ...window, member, eventId }, t0);
    const item = async (key: string) =>
      (
        await new DynamoDBClient({}).send(
          new GetItemCommand({ TableName: 'state', Key: { pk: { S: `threshold#${key}#${t0}` } } }),
        )
      ).Item;

    it('counts distinct members, fires once at the threshold, and stops growing once fired', async () => {
      const results = [];
      for (const member of [
        'iam ListRoles',
        'iam ListRoles',
        'ec2 DescribeInstances',
        's3 ListBuckets',
        'sts GetCallerIdentity',
      ]) {
        results.push(await tally('burst|a', member));
      }
      expect(results).toEqual([
        { count: 1, crossed: false },
        { count: 1, crossed: false },
        { count: 2, crossed: false },
        { count: 3, crossed: true },
        { count: 3, crossed: false },
      ]);
      const stored = await item('burst|a');
      expect(stored?.members?.SS).toHaveLength(3);
      expect(stored?.firedBy?.S).toBe('s3 ListBuckets');
      // The item outlives its window by the grace hour, then DynamoDB's TTL removes it.
      expect(stored?.expiresAt?.N).toBe(String((t0 + 300_000) / 1000 + 3600));
    });

    it('fires again for a retry of the crossing event only, and keeps windows and keys apart', async () => {
      for (const member of ['a', 'b', 'c']) await tally('burst|b', member);
      expect(await tally('burst|b', 'c')).toEqual({ count: 3, crossed: true });
      expect(await tally('burst|b', 'd')).toEqual({ count: 3, crossed: false });
      expect(await tally('burst|other', 'a')).toEqual({ count: 1, crossed: false });
      const next = await store.tallyThreshold(
        'burst|b',
        { ...window, windowStart: t0 + 300_000, member: 'a', eventId: 'a' },
        t0,
      );
      expect(next).toEqual({ count: 1, crossed: false });
    });

    it('lets exactly one of many concurrent events cross', async () => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => tally('burst|concurrent', `call-${i}`)),
      );
      expect(results.filter((r) => r.crossed)).toHaveLength(1);
    });

    it('cuts long members so the window item stays bounded', async () => {
      await tally('burst|long', 'x'.repeat(5000), 'long-event');
      expect((await item('burst|long'))?.members?.SS?.[0]).toHaveLength(200);
    });
  });

  it('raises a named error carrying the cause when the table is gone', async () => {
    await createStateTable('doomed');
    const doomed = new DynamoStateStore(new DynamoDBClient({}), 'doomed');
    await new DynamoDBClient({}).send(new DeleteTableCommand({ TableName: 'doomed' }));
    const error = await doomed.claimDelivery('x', t0, 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as Error).message).toBe('state table claim failed: ResourceNotFoundException');
    expect((error as Error).cause).toBeDefined();
    const tally = await doomed
      .tallyThreshold('k', { windowStart: t0, windowMs: 60_000, threshold: 2, member: 'm', eventId: 'e' }, t0)
      .catch((e: unknown) => e);
    expect(tally).toBeInstanceOf(StateStoreError);
    expect((tally as Error).message).toBe('state table threshold tally failed: ResourceNotFoundException');
  });
});

describe('SqsDeliveryQueue against moto', () => {
  it('schedules retries with their delay and dead-letters with the reason', async () => {
    const { retryUrl, deadUrl } = await createDeliveryQueues('q');
    const queue = new SqsDeliveryQueue(new SQSClient({}), retryUrl, deadUrl);
    const job = { kind: 'deliver' as const, key: 'k', receiver: 'chat', alerts: [testAlert(1)], attempt: 1 };
    await queue.retry(job, 0);
    await queue.deadLetter(job, 'Slack answered HTTP 404: no_service');
    const sqs = new SQSClient({});
    const retried = await sqs.send(new ReceiveMessageCommand({ QueueUrl: retryUrl, WaitTimeSeconds: 1 }));
    expect(JSON.parse(retried.Messages?.[0]?.Body ?? '{}')).toMatchObject({
      kind: 'deliver',
      key: 'k',
      attempt: 1,
    });
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: deadUrl, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
    );
    expect(dead.Messages?.[0]?.MessageAttributes?.reason?.StringValue).toBe(
      'Slack answered HTTP 404: no_service',
    );
  });

  it('clamps delays to what SQS accepts', async () => {
    const { retryUrl, deadUrl } = await createDeliveryQueues('clamp');
    const queue = new SqsDeliveryQueue(new SQSClient({}), retryUrl, deadUrl);
    await expect(
      queue.retry({ kind: 'deliver', key: 'k', receiver: 'chat', alerts: [testAlert(1)], attempt: 1 }, 5000),
    ).resolves.toBeUndefined();
  });
});

describe('the deployed SQS client against a local endpoint', () => {
  it('sends to the endpoint, not to the AWS host of a queue URL CloudFormation gave', async () => {
    await createDeliveryQueues('cfn');
    // CloudFormation (and moto's CloudFormation) names queues by their public AWS URL.
    const aws = (name: string) => `https://sqs.us-east-1.amazonaws.com/123456789012/${name}`;
    const client = createSqsClient({ AWS_ENDPOINT_URL: moto.endpoint });
    expect(await client.config.useQueueUrlAsEndpoint).toBe(false);
    const queue = new SqsDeliveryQueue(client, aws('cfn-retry'), aws('cfn-dlq'));
    await queue.retry({ kind: 'deliver', key: 'k', receiver: 'chat', alerts: [testAlert(1)], attempt: 1 }, 0);
    const { retryUrl } = await createDeliveryQueues('cfn');
    const got = await new SQSClient({}).send(
      new ReceiveMessageCommand({ QueueUrl: retryUrl, WaitTimeSeconds: 1 }),
    );
    expect(got.Messages).toHaveLength(1);
    // Deployed (no local endpoint), the SDK keeps its default: the queue URL's host.
    expect(createSqsClient({}).config.useQueueUrlAsEndpoint).not.toBe(false);
  });
});

describe('klaxon redrive against moto', () => {
  it('moves dead-lettered jobs back with a fresh schedule and leaves unreadable ones', async () => {
    const { main } = await import('../../cli/klaxon');
    const { retryUrl, deadUrl } = await createDeliveryQueues('klaxon-ops1-delivery');
    const sqs = new SQSClient({});
    const queue = new SqsDeliveryQueue(sqs, retryUrl, deadUrl);
    const job = { kind: 'deliver' as const, key: 'k', receiver: 'chat', alerts: [testAlert(7)], attempt: 6 };
    await queue.deadLetter(job, 'HTTP 500 after every retry');
    await queue.deadLetter(
      {
        kind: 'update-group',
        receiver: 'alerts',
        ref: '1773481267.000001',
        attempt: 2,
        lastError: 'HTTP 503',
      },
      'Slack chat.update answered HTTP 503',
    );
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    await sqs.send(new SendMessageCommand({ QueueUrl: deadUrl, MessageBody: 'not a job' }));
    const stdout: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => stdout.push(chunk) > 0) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['redrive', '--stage', 'ops1']);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    expect(stdout.join('')).toContain('moved chat: ALARM: alarm-7 (HTTP 500 after every retry)');
    expect(stdout.join('')).toContain(
      'moved alerts: group message update 1773481267.000001 (Slack chat.update answered HTTP 503)',
    );
    expect(stdout.join('')).toContain('2 moved to the retry queue, 1 left (unreadable).');
    const moved = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: retryUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
    );
    const bodies = (moved.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as Record<string, unknown>);
    expect(bodies).toContainEqual(expect.objectContaining({ key: 'k', attempt: 0, redrive: 1 }));
    // An edit moved back starts its retry schedule again.
    expect(bodies).toContainEqual(expect.objectContaining({ kind: 'update-group', attempt: 0 }));
  });
});
