import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/yaml';
import { DeliveryIncompleteError, Dispatcher } from '../../../shared/delivery/dispatcher';
import { type DeliveryJob, JOB_MAX_BYTES } from '../../../shared/delivery/jobs';
import { StateItemRejectedError, StateStoreError } from '../../../shared/errors';
import type { PipelineObserver } from '../../../shared/observability/observer';
import type { Receiver } from '../../../shared/receivers/types';
import { MemoryStateStore } from '../../../shared/state/memory';
import type { StateStore } from '../../../shared/state/store';
import { manualClock, RecordingQueue, ScriptedReceiver, testAlert } from '../../support/delivery-fakes';

const config = loadConfig(`
delivery:
  fallbackReceiver: ops
  retrySchedule: [60, 300, 900]
receivers:
  chat: { type: slack, webhookUrl: { env: X } }
  pager: { type: pagerduty, routingKey: { env: Y } }
  hook: { type: webhook, url: { env: Z }, ratePerSecond: 100 }
  ops: { type: sns }
route: { receiver: chat }
`);

function observer() {
  const counts: string[] = [];
  const notes: string[] = [];
  const value: PipelineObserver = {
    span: (_n, work) => work(),
    count: (name, dims) => counts.push(`${name}${JSON.stringify(dims)}`),
    timing: () => {},
    note: (_level, message) => notes.push(message),
    decided: () => {},
    rejected: () => {},
    flush: () => {},
  };
  return { value, counts, notes };
}

function setup(options: { store?: StateStore | null; remainingMs?: number } = {}) {
  const receivers = {
    chat: new ScriptedReceiver('chat', 'slack'),
    pager: new ScriptedReceiver('pager', 'pagerduty', false),
    hook: new ScriptedReceiver('hook', 'webhook'),
    ops: new ScriptedReceiver('ops', 'sns'),
  };
  const store = options.store === null ? undefined : (options.store ?? new MemoryStateStore());
  const queue = new RecordingQueue();
  const clock = manualClock();
  const obs = observer();
  const dispatcher = new Dispatcher({
    config,
    receivers: new Map<string, Receiver>(Object.entries(receivers)),
    store,
    queue,
    clock,
    observer: obs.value,
    remainingMs: () => options.remainingMs ?? 25_000,
    leaseMs: 45_000,
  });
  return { dispatcher, receivers, store, queue, clock, obs };
}

describe('exactly-once delivery', () => {
  it('delivers a transition once per receiver, however often it arrives', async () => {
    const { dispatcher, receivers } = setup();
    const alert = testAlert(1);
    const first = await dispatcher.dispatch(alert, ['chat', 'pager']);
    const second = await dispatcher.dispatch(alert, ['chat', 'pager']);
    const third = await dispatcher.dispatch({ ...alert, path: 'eventbridge' }, ['chat', 'pager']);
    expect(first.map((r) => r.outcome)).toEqual(['delivered', 'delivered']);
    expect([...second, ...third].map((r) => r.outcome)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    expect(receivers.chat.sent).toHaveLength(1);
    expect(receivers.pager.sent).toHaveLength(1);
  });

  it('delivers a new transition of the same alarm again', async () => {
    const { dispatcher, receivers } = setup();
    await dispatcher.dispatch(testAlert(1), ['pager']);
    await dispatcher.dispatch(testAlert(1, { status: 'resolved', transitionId: 'x|OK|2' }), ['pager']);
    expect(receivers.pager.sent.map((a) => a.status)).toEqual(['firing', 'resolved']);
  });

  it('skips a delivery another invocation holds, and takes it over once the lease ran out', async () => {
    const store = new MemoryStateStore();
    const { dispatcher, receivers, clock, queue } = setup({ store });
    const alert = testAlert(1);
    await store.claimDelivery(`${alert.transitionId}|pager`, clock.now(), 45_000);
    expect((await dispatcher.dispatch(alert, ['pager']))[0]?.outcome).toBe('duplicate');
    // A resume job will look again once the lease ran out, in case the holder was killed.
    const [resume] = queue.drain();
    expect(resume?.job).toMatchObject({ kind: 'deliver', resume: true });
    clock.advance(60_000);
    // Taken over: the holder may have handed it on, so it goes to the successor job they share.
    expect((await dispatcher.dispatch(alert, ['pager']))[0]?.outcome).toBe('queued');
    const [successor] = queue.drain();
    expect((await dispatcher.runJob(successor?.job as DeliveryJob))?.outcome).toBe('delivered');
    expect((await dispatcher.runJob(resume?.job as DeliveryJob))?.outcome).toBe('duplicate');
    expect(receivers.pager.sent).toHaveLength(1);
  });

  it('fails open when the state table is down: delivers, logs and counts the degradation', async () => {
    const broken: StateStore = new Proxy({} as StateStore, {
      get: () => async () => {
        throw new StateStoreError('state table claim failed: ResourceNotFoundException');
      },
    });
    const { dispatcher, receivers, obs } = setup({ store: broken });
    const results = await dispatcher.dispatch(testAlert(1), ['pager', 'chat']);
    expect(results.map((r) => r.outcome)).toEqual(['delivered', 'delivered']);
    expect(receivers.pager.sent).toHaveLength(1);
    expect(obs.counts.filter((c) => c.startsWith('StateStoreDegraded')).length).toBeGreaterThan(0);
    expect(obs.notes).toContain('state table unavailable; delivering without it (fail open)');
  });
});

describe('durable retries', () => {
  it('queues a retryable failure with the first delay and no raw event', async () => {
    const { dispatcher, receivers, queue } = setup();
    receivers.chat.script.push({
      outcome: 'failed',
      retryable: true,
      status: 503,
      error: 'Slack answered HTTP 503',
    });
    const [result] = await dispatcher.dispatch(testAlert(1), ['chat']);
    expect(result).toMatchObject({ outcome: 'queued', status: 503 });
    expect(queue.retried).toHaveLength(1);
    expect(queue.retried[0]?.delaySeconds).toBe(60);
    expect(queue.retried[0]?.job).toMatchObject({ kind: 'deliver', attempt: 1, receiver: 'chat' });
    expect(JSON.stringify(queue.retried[0]?.job)).not.toContain('raw event');
  });

  it('honours a Retry-After longer than the scheduled delay', async () => {
    const { dispatcher, receivers, queue } = setup();
    receivers.chat.script.push({ outcome: 'failed', retryable: true, status: 429, retryAfterMs: 120_000 });
    await dispatcher.dispatch(testAlert(1), ['chat']);
    expect(queue.retried[0]?.delaySeconds).toBe(120);
  });

  it('retries along the schedule, then dead-letters and tells the fallback receiver', async () => {
    const { dispatcher, receivers, queue } = setup();
    for (let i = 0; i < 4; i++)
      receivers.chat.script.push({ outcome: 'failed', retryable: true, error: 'HTTP 500' });
    await dispatcher.dispatch(testAlert(1), ['chat']);
    const delays: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (const { job, delaySeconds } of queue.drain()) {
        delays.push(delaySeconds);
        await dispatcher.runJob(job);
      }
    }
    expect(delays).toEqual([60, 300, 900]);
    expect(receivers.chat.sent).toHaveLength(4);
    expect(queue.dead).toHaveLength(1);
    expect(queue.dead[0]?.reason).toBe('HTTP 500');
    expect(receivers.ops.sent).toHaveLength(1);
    expect(receivers.ops.sent[0]?.annotations.summary).toBe(
      'Klaxon could not deliver "ALARM: alarm-1" to chat: HTTP 500',
    );
  });

  it('sends a permanent failure to the dead-letter queue and the fallback at once', async () => {
    const { dispatcher, receivers, queue } = setup();
    receivers.pager.script.push({
      outcome: 'failed',
      retryable: false,
      status: 400,
      error: 'PagerDuty answered HTTP 400',
    });
    const [result] = await dispatcher.dispatch(testAlert(1), ['pager']);
    expect(result?.outcome).toBe('failed');
    expect(queue.retried).toEqual([]);
    expect(queue.dead).toHaveLength(1);
    expect(receivers.ops.sent).toHaveLength(1);
  });

  it('ignores a second delivery of the same queued job (SQS is at least once)', async () => {
    const { dispatcher, receivers, queue } = setup();
    receivers.chat.script.push({ outcome: 'failed', retryable: true });
    await dispatcher.dispatch(testAlert(1), ['chat']);
    const [queued] = queue.drain();
    const job = queued?.job as DeliveryJob;
    expect((await dispatcher.runJob(job))?.outcome).toBe('delivered');
    expect((await dispatcher.runJob(job))?.outcome).toBe('duplicate');
    expect(receivers.chat.sent).toHaveLength(2);
  });

  it('makes the invocation fail when a failed delivery cannot be queued either', async () => {
    const { dispatcher, receivers, queue } = setup();
    queue.failing = true;
    receivers.chat.script.push({ outcome: 'failed', retryable: true });
    await expect(dispatcher.dispatch(testAlert(1), ['chat'])).rejects.toBeInstanceOf(DeliveryIncompleteError);
  });

  it('a receiver that fails does not hold up the others', async () => {
    const { dispatcher, receivers } = setup();
    receivers.chat.script.push({ outcome: 'failed', retryable: false });
    const results = await dispatcher.dispatch(testAlert(1), ['chat', 'pager']);
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'delivered']);
  });
});

describe('non-durable dispatch (durable: false)', () => {
  it('drops a 5xx after the in-invocation retries: nothing queued, dead-lettered or told to the fallback', async () => {
    const { dispatcher, receivers, queue, obs } = setup();
    receivers.hook.script.push({ outcome: 'failed', retryable: true, status: 503, error: 'HTTP 503' });
    const [result] = await dispatcher.dispatch(testAlert(1), ['hook'], {}, { durable: false });
    expect(result).toMatchObject({ outcome: 'failed', status: 503, retryable: true });
    expect(queue.retried).toEqual([]);
    expect(queue.dead).toEqual([]);
    expect(receivers.ops.sent).toEqual([]);
    expect(obs.counts).toContain('NotificationsFailed{"receiverType":"webhook","retryable":"true"}');
    expect(obs.counts.filter((c) => /^Deliveries(Queued|DeadLettered)/.test(c))).toEqual([]);
    // The dropped transition stays dropped: a redelivered copy is not sent again.
    const [again] = await dispatcher.dispatch(testAlert(1), ['hook'], {}, { durable: false });
    expect(again?.outcome).toBe('duplicate');
    expect(receivers.hook.sent).toHaveLength(1);
  });

  it('drops a permanent failure the same way', async () => {
    const { dispatcher, receivers, queue } = setup();
    receivers.hook.script.push({ outcome: 'failed', retryable: false, status: 404, error: 'HTTP 404' });
    const [result] = await dispatcher.dispatch(testAlert(1), ['hook'], {}, { durable: false });
    expect(result?.outcome).toBe('failed');
    expect(queue.dead).toEqual([]);
    expect(receivers.ops.sent).toEqual([]);
  });

  it('sends at once rather than queueing when no pacing slot comes within the invocation, and never groups', async () => {
    const { dispatcher, receivers, queue } = setup({ remainingMs: 6_000 });
    await dispatcher.dispatch(testAlert(1), ['chat'], {}, { durable: false });
    const group = { chat: { route: 'r', by: ['alarmName'], windowSeconds: 60 } };
    const [second] = await dispatcher.dispatch(testAlert(2), ['chat'], group, { durable: false });
    expect(second?.outcome).toBe('delivered');
    expect(receivers.chat.sent).toHaveLength(2);
    expect(queue.retried).toEqual([]);
  });
});

describe('pacing', () => {
  it('waits for the next second when the destination allows one message per second', async () => {
    const { dispatcher, receivers, clock } = setup();
    const started = clock.now();
    for (let n = 1; n <= 3; n++) await dispatcher.dispatch(testAlert(n), ['chat']);
    expect(receivers.chat.sent).toHaveLength(3);
    expect(clock.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('defers to the queue instead of waiting past the invocation budget', async () => {
    const { dispatcher, receivers, queue } = setup({ remainingMs: 6_000 });
    await dispatcher.dispatch(testAlert(1), ['chat']);
    const [second] = await dispatcher.dispatch(testAlert(2), ['chat']);
    expect(second?.outcome).toBe('queued');
    expect(receivers.chat.sent).toHaveLength(1);
    expect(queue.retried[0]).toMatchObject({ job: { attempt: 0, receiver: 'chat' } });
    expect(queue.retried[0]?.delaySeconds).toBeGreaterThanOrEqual(1);
    expect(queue.retried[0]?.delaySeconds).toBeLessThanOrEqual(2);
  });

  it('allows two PagerDuty events per second per routing key by default', async () => {
    const { dispatcher, clock } = setup();
    const started = clock.now();
    for (let n = 1; n <= 4; n++) await dispatcher.dispatch(testAlert(n), ['pager']);
    expect(clock.now() - started).toBeGreaterThanOrEqual(1000);
    expect(clock.now() - started).toBeLessThan(2000);
  });
});

describe('storm grouping', () => {
  const group = { chat: { route: 'chat-errors', by: ['region'], windowSeconds: 10 } };

  it('gathers alerts that share the group labels into one message when the window closes', async () => {
    const { dispatcher, receivers, queue } = setup();
    for (let n = 1; n <= 40; n++) {
      const [result] = await dispatcher.dispatch(testAlert(n), ['chat'], group);
      expect(result?.outcome).toBe('grouped');
    }
    expect(receivers.chat.sent).toHaveLength(0);
    const flushes = queue.drain();
    expect(flushes).toHaveLength(1);
    expect(flushes[0]?.job).toMatchObject({
      kind: 'flush-group',
      labels: { region: 'us-east-1' },
      status: 'firing',
    });
    expect(flushes[0]?.delaySeconds).toBeGreaterThanOrEqual(1);
    expect(flushes[0]?.delaySeconds).toBeLessThanOrEqual(11);
    await dispatcher.runJob(flushes[0]?.job as DeliveryJob);
    expect(receivers.chat.groups).toHaveLength(1);
    expect(receivers.chat.groups[0]?.alerts).toHaveLength(40);
    expect((await dispatcher.runJob(flushes[0]?.job as DeliveryJob))?.outcome).toBe('duplicate');
    expect(receivers.chat.groups).toHaveLength(1);
  });

  it('keeps firing and resolved alerts and different label values apart', async () => {
    const { dispatcher, queue } = setup();
    await dispatcher.dispatch(testAlert(1), ['chat'], group);
    await dispatcher.dispatch(testAlert(2, { status: 'resolved' }), ['chat'], group);
    const other = testAlert(3);
    await dispatcher.dispatch(
      { ...other, labels: { ...other.labels, region: 'eu-west-1' } },
      ['chat'],
      group,
    );
    expect(queue.drain()).toHaveLength(3);
  });

  it('never groups pages: a pager receiver gets every alert', async () => {
    const { dispatcher, receivers } = setup();
    await dispatcher.dispatch(testAlert(1), ['pager'], { pager: group.chat });
    expect(receivers.pager.sent).toHaveLength(1);
  });

  it('retries a group that failed as a group', async () => {
    const { dispatcher, receivers, queue } = setup();
    await dispatcher.dispatch(testAlert(1), ['chat'], group);
    await dispatcher.dispatch(testAlert(2), ['chat'], group);
    receivers.chat.script.push({ outcome: 'failed', retryable: true });
    await dispatcher.runJob(queue.drain()[0]?.job as DeliveryJob);
    const [retry] = queue.drain();
    expect(retry?.job).toMatchObject({ kind: 'deliver', attempt: 1, group: { route: 'chat-errors' } });
    await dispatcher.runJob(retry?.job as DeliveryJob);
    expect(receivers.chat.groups.map((g) => g.alerts.length)).toEqual([2, 2]);
  });

  it('lists the first 100 members of a storm and counts the rest; the job fits one SQS message', async () => {
    const { dispatcher, receivers, queue } = setup();
    const big = (n: number) =>
      testAlert(n, { annotations: { summary: `ALARM ${n}`, description: 'é'.repeat(2000) } });
    for (let n = 1; n <= 250; n++) await dispatcher.dispatch(big(n), ['chat'], group);
    const [flush] = queue.drain();
    receivers.chat.script.push({ outcome: 'failed', retryable: true });
    await dispatcher.runJob(flush?.job as DeliveryJob);
    expect(receivers.chat.groups[0]?.alerts).toHaveLength(100);
    expect(receivers.chat.groups[0]?.total).toBe(250);
    const [retry] = queue.drain();
    const body = JSON.stringify(retry?.job);
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(JOB_MAX_BYTES);
    expect(retry?.job).toMatchObject({ kind: 'deliver', group: { total: 250 } });
    await dispatcher.runJob(retry?.job as DeliveryJob);
    expect(receivers.chat.groups[1]?.total).toBe(250);
  });

  it('opens the next group for a member that arrives after the flush, and never throws', async () => {
    const { dispatcher, receivers, queue } = setup();
    await dispatcher.dispatch(testAlert(1), ['chat'], group);
    const [flush] = queue.drain();
    await dispatcher.runJob(flush?.job as DeliveryJob);
    const [late] = await dispatcher.dispatch(testAlert(2), ['chat'], group);
    expect(late?.outcome).toBe('grouped');
    const [next] = queue.drain();
    expect(next?.job).toMatchObject({ kind: 'flush-group' });
    expect((next?.job as { groupKey: string }).groupKey).toMatch(/~1$/);
    await dispatcher.runJob(next?.job as DeliveryJob);
    expect(receivers.chat.groups.map((g) => g.alerts.map((a) => a.labels.alarmName))).toEqual([
      ['alarm-1'],
      ['alarm-2'],
    ]);
  });

  it('sends a member the table refuses alone, without reporting the table as down', async () => {
    const store = new MemoryStateStore();
    const refusing: StateStore = Object.assign(Object.create(store) as StateStore, {
      addToGroup: async () => {
        throw new StateItemRejectedError('state table group member refused the item: ValidationException');
      },
    });
    const { dispatcher, receivers, obs } = setup({ store: refusing });
    const [result] = await dispatcher.dispatch(testAlert(1), ['chat'], group);
    expect(result?.outcome).toBe('delivered');
    expect(receivers.chat.sent).toHaveLength(1);
    expect(obs.counts.filter((c) => c.startsWith('StateStoreDegraded'))).toEqual([]);
    expect(obs.notes).toContain('the state table refused a group member; sending it alone');
  });

  it('sends directly when the state table is unavailable', async () => {
    const { dispatcher, receivers } = setup({ store: null });
    const [result] = await dispatcher.dispatch(testAlert(1), ['chat'], group);
    expect(result?.outcome).toBe('delivered');
    expect(receivers.chat.sent).toHaveLength(1);
  });
});
