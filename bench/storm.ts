/**
 * `npm run bench -- --storm N`: N distinct alarms (1% critical) through the deployed dispatcher
 * (claims, groups, pacing, retry queue) on the in-memory state store, in virtual time, into simulated
 * Slack (1 message/second per webhook, 429 with Retry-After past it), PagerDuty (2 events/second)
 * and a webhook (256 KB bodies). Prints covered, lost, duplicated, messages out, Slack peak per
 * second, 429s, first and last notification, and CPU per alert.
 */
import { loadConfig } from '../shared/config/yaml';
import { Dispatcher } from '../shared/delivery/dispatcher';
import type { DeliveryJob } from '../shared/delivery/jobs';
import type { DeliveryQueue } from '../shared/delivery/queue';
import { silentObserver } from '../shared/observability/observer';
import { renderWebhookGroupBody } from '../shared/receivers/webhook/render';
import type { Alert } from '../shared/alert/alert';
import type { AlertGroup, DeliveryResult, Receiver } from '../shared/receivers/types';
import { MemoryStateStore } from '../shared/state/memory';
import type { StateStore } from '../shared/state/store';

const WINDOW_SECONDS = 30;

const config = loadConfig(`
delivery:
  retrySchedule: [60, 300, 900]
receivers:
  chat: { type: slack, webhookUrl: { env: X } }
  pager: { type: pagerduty, routingKey: { env: Y } }
  hook: { type: webhook, url: { env: Z } }
route: { receiver: chat }
`);

/** A destination that enforces its documented rate in virtual time and records what it received. */
class SimulatedReceiver implements Receiver {
  readonly received = new Map<string, number>();
  readonly sentAt: number[] = [];
  messages = 0;
  rejected429 = 0;
  tooLarge = 0;
  constructor(
    readonly name: string,
    readonly type: Receiver['type'],
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {}
  preview(alert: Alert): unknown {
    return alert.fingerprint;
  }
  private deliver(ids: string[], bytes: number): DeliveryResult {
    const now = this.now();
    const recent = this.sentAt.filter((t) => t > now - 1000).length;
    if (recent >= this.perSecond) {
      this.rejected429 += 1;
      return {
        receiver: this.name,
        type: this.type,
        outcome: 'failed',
        retryable: true,
        status: 429,
        retryAfterMs: 1000,
        attempts: 1,
        error: 'HTTP 429',
      };
    }
    if (bytes > 256 * 1024) {
      this.tooLarge += 1;
      return {
        receiver: this.name,
        type: this.type,
        outcome: 'failed',
        retryable: false,
        status: 413,
        attempts: 1,
        error: 'HTTP 413',
      };
    }
    this.sentAt.push(now);
    this.messages += 1;
    for (const id of ids) this.received.set(id, (this.received.get(id) ?? 0) + 1);
    return { receiver: this.name, type: this.type, outcome: 'delivered', attempts: 1 };
  }
  async send(alert: Alert): Promise<DeliveryResult> {
    return this.deliver([alert.transitionId], JSON.stringify(alert).length);
  }
  sendGroup = async (group: AlertGroup): Promise<DeliveryResult> => {
    // The group's alerts beyond the list are counted in `total`: each listed or counted one is covered.
    const ids = group.alerts.map((alert) => alert.transitionId);
    const body = JSON.stringify(renderWebhookGroupBody(group, this.name));
    const result = this.deliver(ids, Buffer.byteLength(body, 'utf8'));
    if (result.outcome === 'delivered') this.counted += (group.total ?? ids.length) - ids.length;
    return result;
  };
  counted = 0;
}

function alarm(n: number, at: number): Alert {
  const name = `storm-${String(n).padStart(5, '0')}`;
  const arn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;
  return {
    labels: { source: 'cloudwatch-alarm', account: '123456789012', region: 'us-east-1', alarmName: name },
    annotations: { summary: `ALARM: ${name}`, description: 'd'.repeat(1024) },
    severity: n % 100 === 0 ? 'critical' : 'warning',
    status: 'firing',
    fingerprint: arn,
    transitionId: `${arn}|ALARM|${at}`,
    startsAt: new Date(at).toISOString(),
    observedAt: new Date(at).toISOString(),
    path: 'sns',
    links: [],
    raw: undefined,
  };
}

/** Runs the storm on a state store (in memory unless given) and returns the printed report. */
export async function runStorm(
  count: number,
  spreadSeconds = 60,
  store: { state: StateStore; name: string } = { state: new MemoryStateStore(), name: 'in-memory store' },
): Promise<string> {
  let now = Date.UTC(2026, 2, 14, 10, 0, 0);
  const start = now;
  const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
  const chat = new SimulatedReceiver('chat', 'slack', 1, clock.now);
  const pager = new SimulatedReceiver('pager', 'pagerduty', 2, clock.now);
  const hook = new SimulatedReceiver('hook', 'webhook', 10, clock.now);
  const pending: Array<{ job: DeliveryJob; dueAt: number }> = [];
  let deadLettered = 0;
  const queue: DeliveryQueue = {
    retry: async (job, delaySeconds) =>
      void pending.push({ job: structuredClone(job), dueAt: now + delaySeconds * 1000 }),
    deadLetter: async () => void (deadLettered += 1),
  };
  const dispatcher = new Dispatcher({
    config,
    receivers: new Map<string, Receiver>([
      ['chat', chat],
      ['pager', pager],
      ['hook', hook],
    ]),
    store: store.state,
    queue,
    clock,
    observer: silentObserver,
    remainingMs: () => 25_000,
    leaseMs: 90_000,
  });
  const groups = {
    chat: { route: 'storm', by: ['region'], windowSeconds: WINDOW_SECONDS },
    hook: { route: 'storm', by: ['region'], windowSeconds: WINDOW_SECONDS },
  };
  const alerts = Array.from({ length: count }, (_, i) =>
    alarm(i + 1, start + Math.floor((i * spreadSeconds * 1000) / count)),
  );
  const cpu = process.cpuUsage();
  let next = 0;
  const runDue = async () => {
    pending.sort((a, b) => a.dueAt - b.dueAt);
    while (pending[0] && pending[0].dueAt <= now) {
      const { job } = pending.shift() as (typeof pending)[number];
      await dispatcher.runJob(job);
    }
  };
  while (next < alerts.length || pending.length > 0) {
    const arrival = alerts[next];
    pending.sort((a, b) => a.dueAt - b.dueAt);
    const due = pending[0]?.dueAt ?? Infinity;
    if (arrival && Date.parse(arrival.startsAt) <= due) {
      now = Math.max(now, Date.parse(arrival.startsAt));
      const receivers = arrival.severity === 'critical' ? ['pager', 'chat', 'hook'] : ['chat', 'hook'];
      await dispatcher.dispatch(arrival, receivers, groups);
      next += 1;
    } else {
      now = Math.max(now, due);
      await runDue();
    }
  }
  const used = process.cpuUsage(cpu);
  const report = (receiver: SimulatedReceiver, expected: Alert[]) => {
    const covered = expected.filter((a) => receiver.received.has(a.transitionId)).length;
    const twice = [...receiver.received.values()].filter((n) => n > 1).length;
    const counted = receiver.counted;
    const lost = Math.max(0, expected.length - covered - counted);
    let peak = 0;
    for (let i = 0, j = 0; i < receiver.sentAt.length; i++) {
      while ((receiver.sentAt[i] ?? 0) - (receiver.sentAt[j] ?? 0) >= 1000) j += 1;
      peak = Math.max(peak, i - j + 1);
    }
    const first = receiver.sentAt[0];
    const last = receiver.sentAt.at(-1);
    return [
      receiver.name.padEnd(6),
      `listed ${covered}`.padEnd(13),
      `counted ${counted}`.padEnd(14),
      `lost ${lost}`.padEnd(8),
      `twice ${twice}`.padEnd(9),
      `messages ${receiver.messages}`.padEnd(14),
      `peak/s ${peak}`.padEnd(10),
      `429s ${receiver.rejected429}`.padEnd(9),
      `first ${first === undefined ? '-' : ((first - start) / 1000).toFixed(1)} s`.padEnd(13),
      `last ${last === undefined ? '-' : ((last - start) / 1000).toFixed(1)} s`,
    ].join(' ');
  };
  const critical = alerts.filter((a) => a.severity === 'critical');
  return [
    `storm: ${count} alarms (${critical.length} critical) over ${spreadSeconds} s, ${WINDOW_SECONDS} s groups by region, ${store.name}, virtual time`,
    report(chat, alerts),
    report(hook, alerts),
    report(pager, critical),
    `dead-lettered ${deadLettered}; CPU ${((used.user + used.system) / 1000 / count).toFixed(3)} ms per alert`,
  ].join('\n');
}

/** The storm on DynamoDB in moto_server (started here, stopped after). */
export async function runStormOnMoto(count: number): Promise<string> {
  const { startMoto } = await import('../test/support/moto');
  const { useMotoEnv } = await import('../test/support/aws-env');
  const { createStateTable } = await import('../test/support/aws-resources');
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoStateStore } = await import('../shared/state/dynamodb');
  const moto = await startMoto();
  const restore = useMotoEnv(moto.endpoint);
  const client = new DynamoDBClient({});
  try {
    await createStateTable('storm');
    return await runStorm(count, 60, {
      state: new DynamoStateStore(client, 'storm'),
      name: 'DynamoDB on moto',
    });
  } finally {
    client.destroy();
    restore();
    await moto.stop();
  }
}
