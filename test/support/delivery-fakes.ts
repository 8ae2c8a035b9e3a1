import type { Alert } from '../../shared/alert/alert';
import { Dispatcher } from '../../shared/delivery/dispatcher';
import type { DeliveryJob } from '../../shared/delivery/jobs';
import type { DeliveryQueue } from '../../shared/delivery/queue';
import { type PipelineObserver, silentObserver } from '../../shared/observability/observer';
import type { PipelineDeps } from '../../shared/pipeline';
import type { AlertGroup, DeliveryResult, Receiver } from '../../shared/receivers/types';
import { MemoryStateStore } from '../../shared/state/memory';

/** A queue that records what was scheduled and dead-lettered; it can be told to fail. */
export class RecordingQueue implements DeliveryQueue {
  readonly retried: Array<{ job: DeliveryJob; delaySeconds: number }> = [];
  readonly dead: Array<{ job: DeliveryJob; reason: string }> = [];
  failing = false;

  async retry(job: DeliveryJob, delaySeconds: number): Promise<void> {
    if (this.failing) throw Object.assign(new Error('queue down'), { name: 'QueueDoesNotExist' });
    this.retried.push({ job: JSON.parse(JSON.stringify(job)), delaySeconds });
  }

  async deadLetter(job: DeliveryJob, reason: string): Promise<void> {
    this.dead.push({ job, reason });
  }

  /** Removes and returns the scheduled jobs. */
  drain(): Array<{ job: DeliveryJob; delaySeconds: number }> {
    return this.retried.splice(0);
  }
}

/** A receiver whose answers are scripted: each call takes the next outcome, then 'delivered'. */
export class ScriptedReceiver implements Receiver {
  readonly sent: Alert[] = [];
  readonly groups: AlertGroup[] = [];
  readonly script: Array<Partial<DeliveryResult>> = [];

  constructor(
    readonly name: string,
    readonly type: Receiver['type'],
    groups = true,
  ) {
    if (!groups) {
      this.sendGroup = undefined;
      this.previewGroup = undefined;
    }
  }

  preview(alert: Alert): unknown {
    return alert.fingerprint;
  }

  async send(alert: Alert): Promise<DeliveryResult> {
    this.sent.push(alert);
    return this.next();
  }

  sendGroup? = async (group: AlertGroup): Promise<DeliveryResult> => {
    this.groups.push(group);
    return this.next();
  };

  previewGroup? = (group: AlertGroup): unknown => group.alerts.length;

  private next(): DeliveryResult {
    const scripted = this.script.shift() ?? {};
    return { receiver: this.name, type: this.type, outcome: 'delivered', attempts: 1, ...scripted };
  }
}

/** A clock that advances only when slept on. */
export function manualClock(start = Date.UTC(2026, 2, 14, 9, 41, 10)) {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** A firing alarm alert with a distinct transition per `n`. */
export function testAlert(n = 1, overrides: Partial<Alert> = {}): Alert {
  const arn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:alarm-${n}`;
  return {
    labels: {
      source: 'cloudwatch-alarm',
      account: '123456789012',
      region: 'us-east-1',
      alarmName: `alarm-${n}`,
    },
    annotations: { summary: `ALARM: alarm-${n}` },
    severity: 'warning',
    status: 'firing',
    fingerprint: arn,
    transitionId: `${arn}|ALARM|${1_000 + n}`,
    startsAt: '2026-03-14T09:41:07.000Z',
    observedAt: '2026-03-14T09:41:07.200Z',
    path: 'sns',
    links: [],
    raw: { big: 'raw event' },
    ...overrides,
  };
}

/**
 * Delivering pipeline dependencies on fakes: an in-memory state table, a recording queue and a
 * dispatcher on the given manual clock; `extra` adds or replaces parts (noise engine, remediator…).
 */
export function fakeDeliveringPipeline(
  config: PipelineDeps['config'],
  receivers: Readonly<Record<string, Receiver>>,
  options: {
    clock: ReturnType<typeof manualClock>;
    observer?: PipelineObserver;
    extra?: Partial<PipelineDeps>;
  },
) {
  const receiverMap = new Map<string, Receiver>(Object.entries(receivers));
  const store = new MemoryStateStore();
  const queue = new RecordingQueue();
  const observer = options.observer ?? silentObserver;
  const { clock } = options;
  const deps: PipelineDeps = {
    config,
    receivers: receiverMap,
    mode: 'deliver',
    observer,
    now: () => new Date(clock.now()),
    store,
    dispatcher: new Dispatcher({
      config,
      receivers: receiverMap,
      store,
      queue,
      clock,
      observer,
      remainingMs: () => 25_000,
      leaseMs: 45_000,
    }),
    ...options.extra,
  };
  return { deps, store, queue };
}
