import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/yaml';
import { Dispatcher } from '../../../shared/delivery/dispatcher';
import { type DeliveryJob, parseDeliveryJob } from '../../../shared/delivery/jobs';
import { silentObserver } from '../../../shared/observability/observer';
import { createReceivers } from '../../../shared/receivers/factory';
import type { PostJson } from '../../../shared/receivers/http';
import { LocalSecretResolver } from '../../../shared/secrets/secrets';
import { MemoryStateStore } from '../../../shared/state/memory';
import { manualClock, RecordingQueue, testAlert } from '../../support/delivery-fakes';

function configFor(rate = '') {
  return loadConfig(`
delivery:
  retrySchedule: [60, 300]
receivers:
  alerts: { type: slack, botToken: { env: SLACK_BOT }, channel: C0ALERTS, apiUrl: "https://slack.test/api"${rate} }
route: { receiver: alerts }
`);
}

const group = { alerts: { route: 'storm', by: ['region'], windowSeconds: 10 } };

interface SlackCall {
  method: string;
  body: { channel?: string; ts?: string; thread_ts?: string; text?: string; blocks?: unknown[] };
}

/** An in-process Slack Web API: records each call, answers ok with a new `ts`, or 500 while `failing`. */
function fakeSlack() {
  const calls: SlackCall[] = [];
  let sequence = 0;
  const state = { failing: 0 };
  const post: PostJson = async (url, body) => {
    const method = url.split('/').pop() ?? '';
    const parsed = JSON.parse(body) as SlackCall['body'];
    calls.push({ method, body: parsed });
    if (state.failing > 0) {
      state.failing -= 1;
      return { status: 500, headers: new Headers(), body: '' };
    }
    const ts = parsed.ts ?? `1773481267.${String(++sequence).padStart(6, '0')}`;
    return {
      status: 200,
      headers: new Headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ ok: true, channel: parsed.channel, ts }),
    };
  };
  return { calls, post, state };
}

function setup(options: { queue?: boolean; unpaced?: boolean } = {}) {
  const config = configFor(options.unpaced ? ', ratePerSecond: 100' : '');
  const slack = fakeSlack();
  const store = new MemoryStateStore();
  const queue = new RecordingQueue();
  const clock = manualClock();
  const receivers = createReceivers(config.receivers, {
    secrets: new LocalSecretResolver({ SLACK_BOT: 'xoxb-unit' }),
    post: slack.post,
    clock,
    retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10, budgetMs: 1_000 },
    consoleSink: () => {},
    store,
  });
  const dispatcher = new Dispatcher({
    config,
    receivers,
    store,
    queue: options.queue === false ? undefined : queue,
    clock,
    observer: silentObserver,
    remainingMs: () => 25_000,
    leaseMs: 45_000,
  });
  return { slack, store, queue, clock, dispatcher, receivers };
}

function resolved(n: number) {
  const alert = testAlert(n, { status: 'resolved' });
  return { ...alert, transitionId: `${alert.fingerprint}|OK|${2_000 + n}` };
}

/** Fires a storm of `count` alarms and posts it as one group message; returns its `ts`. */
async function postStorm(ctx: ReturnType<typeof setup>, count: number): Promise<string> {
  for (let n = 1; n <= count; n++) await ctx.dispatcher.dispatch(testAlert(n), ['alerts'], group);
  const [flush] = ctx.queue.drain();
  expect(flush?.job.kind).toBe('flush-group');
  ctx.clock.advance(11_000);
  await ctx.dispatcher.runJob(flush?.job as DeliveryJob);
  const posts = ctx.slack.calls.filter((c) => c.method === 'chat.postMessage');
  expect(posts).toHaveLength(1);
  expect(posts[0]?.body.text).toContain(`${count} alerts firing`);
  ctx.clock.advance(2_000);
  return '1773481267.000001';
}

function heading(call: SlackCall | undefined): string {
  return JSON.stringify(call?.body.blocks?.[0] ?? '');
}

describe('a posted group message follows its members', () => {
  it('shows "9 firing, 3 resolved" by one edit of the same message for three resolves at once', async () => {
    // A fast destination, so only the coalescing is measured, not the pacing of the resolves.
    const ctx = setup({ unpaced: true });
    const ts = await postStorm(ctx, 12);
    for (const n of [2, 5, 7]) {
      const [result] = await ctx.dispatcher.dispatch(resolved(n), ['alerts']);
      expect(result?.outcome).toBe('delivered');
      expect(result).not.toHaveProperty('groupUpdates');
    }
    // No message of their own: the group message is the one place they show.
    expect(ctx.slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
    const jobs = ctx.queue.drain();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ job: { kind: 'update-group', receiver: 'alerts', ref: ts } });
    expect(jobs[0]?.delaySeconds).toBeGreaterThanOrEqual(1);
    // It survives the queue's JSON round trip.
    const job = parseDeliveryJob(JSON.stringify(jobs[0]?.job));
    await ctx.dispatcher.runJob(job);
    const updates = ctx.slack.calls.filter((c) => c.method === 'chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.body).toMatchObject({ channel: 'C0ALERTS', ts });
    expect(heading(updates[0])).toContain('9 firing, 3 resolved');
    expect(JSON.stringify(updates[0]?.body.blocks)).toContain(
      ':white_check_mark: resolved *warning* alarm-5',
    );
    expect(JSON.stringify(updates[0]?.body.blocks)).not.toContain('resolved *warning* alarm-4');
  });

  it('coalesces a storm of resolves to an edit at most every two seconds, and says RESOLVED once all are', async () => {
    const ctx = setup();
    await postStorm(ctx, 12);
    const started = ctx.clock.now();
    for (let n = 1; n <= 12; n++) await ctx.dispatcher.dispatch(resolved(n), ['alerts']);
    // Each resolve took a send slot of the channel (about one a second), so they spread over ~12 s.
    const seconds = (ctx.clock.now() - started) / 1000;
    expect(seconds).toBeGreaterThan(10);
    const jobs = ctx.queue.drain();
    expect(jobs.length).toBeLessThanOrEqual(Math.ceil(seconds / 2) + 1);
    expect(jobs.length).toBeLessThan(12);
    const before = ctx.clock.now();
    for (const { job } of jobs) await ctx.dispatcher.runJob(job);
    const updates = ctx.slack.calls.filter((c) => c.method === 'chat.update');
    expect(updates).toHaveLength(jobs.length);
    // The edits take the channel's send slots too: one a second at most.
    expect(ctx.clock.now() - before).toBeGreaterThanOrEqual((jobs.length - 1) * 1000);
    expect(heading(updates.at(-1))).toContain('RESOLVED 12 alerts');
    expect(ctx.slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
  });

  it('edits the group for a storm of resolves grouped in turn, posting nothing new', async () => {
    const ctx = setup();
    await postStorm(ctx, 5);
    for (let n = 1; n <= 5; n++) await ctx.dispatcher.dispatch(resolved(n), ['alerts'], group);
    const [flush] = ctx.queue.drain();
    ctx.clock.advance(11_000);
    await ctx.dispatcher.runJob(flush?.job as DeliveryJob);
    expect(ctx.slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
    const jobs = ctx.queue.drain();
    expect(jobs.map((j) => j.job.kind)).toEqual(['update-group']);
    await ctx.dispatcher.runJob(jobs[0]?.job as DeliveryJob);
    expect(heading(ctx.slack.calls.at(-1))).toContain('RESOLVED 5 alerts');
  });

  it('takes back a member that fires again after resolving, in the thread and the count', async () => {
    const ctx = setup();
    const ts = await postStorm(ctx, 4);
    await ctx.dispatcher.dispatch(resolved(3), ['alerts']);
    for (const { job } of ctx.queue.drain()) await ctx.dispatcher.runJob(job);
    expect(heading(ctx.slack.calls.at(-1))).toContain('3 firing, 1 resolved');
    ctx.clock.advance(5_000);
    const again = { ...testAlert(3), transitionId: `${testAlert(3).fingerprint}|ALARM|9003` };
    await ctx.dispatcher.dispatch(again, ['alerts']);
    const reply = ctx.slack.calls.at(-1);
    expect(reply).toMatchObject({ method: 'chat.postMessage', body: { thread_ts: ts } });
    expect(reply?.body.text).toMatch(/^:rotating_light: Firing again, warning/);
    for (const { job } of ctx.queue.drain()) await ctx.dispatcher.runJob(job);
    expect(heading(ctx.slack.calls.at(-1))).toContain('4 alerts firing');
  });

  it('posts a member firing again a day after its group as a new incident', async () => {
    const ctx = setup();
    await postStorm(ctx, 3);
    await ctx.dispatcher.dispatch(resolved(2), ['alerts']);
    ctx.queue.drain();
    ctx.clock.advance(25 * 3_600_000);
    const again = { ...testAlert(2), transitionId: `${testAlert(2).fingerprint}|ALARM|9002` };
    await ctx.dispatcher.dispatch(again, ['alerts']);
    const last = ctx.slack.calls.at(-1);
    expect(last?.method).toBe('chat.postMessage');
    expect(last?.body.thread_ts).toBeUndefined();
    expect(last?.body.text).toContain('alarm-2');
    expect(ctx.queue.drain()).toEqual([]);
  });

  it('retries a failing edit on the retry schedule, then dead-letters it like any job', async () => {
    const ctx = setup();
    await postStorm(ctx, 3);
    await ctx.dispatcher.dispatch(resolved(1), ['alerts']);
    let [next] = ctx.queue.drain();
    ctx.slack.state.failing = 100;
    const delays: number[] = [];
    for (let hop = 0; hop < 5 && next; hop++) {
      await ctx.dispatcher.runJob(next.job);
      [next] = ctx.queue.drain();
      if (next) delays.push(next.delaySeconds);
    }
    expect(delays).toEqual([60, 300]);
    expect(ctx.queue.dead).toHaveLength(1);
    expect(ctx.queue.dead[0]?.job).toMatchObject({ kind: 'update-group', attempt: 2 });
    expect(ctx.queue.dead[0]?.reason).toContain('HTTP 500');
  });

  it('edits at once in a local run without a queue', async () => {
    const ctx = setup({ queue: false });
    // Without a queue nothing is grouped: the group message is posted directly here.
    const receiver = ctx.receivers.get('alerts');
    await ctx.store.addToGroup('g1', { transitionId: 't1', alert: testAlert(1) }, 0, {
      listLimit: 100,
      leaseMs: 1,
    });
    await ctx.store.addToGroup('g1', { transitionId: 't2', alert: testAlert(2) }, 0, {
      listLimit: 100,
      leaseMs: 1,
    });
    await receiver?.sendGroup?.({
      route: 'storm',
      labels: {},
      status: 'firing',
      alerts: [testAlert(1), testAlert(2)],
      key: 'g1',
    });
    await ctx.dispatcher.dispatch(resolved(2), ['alerts']);
    const update = ctx.slack.calls.at(-1);
    expect(update?.method).toBe('chat.update');
    expect(heading(update)).toContain('1 firing, 1 resolved');
  });
});
