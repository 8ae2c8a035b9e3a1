import type { Alert } from '../../shared/alert/alert';
import type { KlaxonConfig } from '../../shared/config/load';
import { Dispatcher } from '../../shared/delivery/dispatcher';
import type { DeliveryJob } from '../../shared/delivery/jobs';
import type { DeliveryQueue } from '../../shared/delivery/queue';
import { silentObserver } from '../../shared/observability/observer';
import type { AlertGroup, DeliveryResult, Receiver } from '../../shared/receivers/types';
import type { StateStore } from '../../shared/state/store';
import { manualClock, testAlert } from './delivery-fakes';
import { loadConfig } from '../../shared/config/yaml';

/** Thrown where the harness stops the work: the function was killed at that step. */
export class Killed extends Error {
  override readonly name = 'Killed';
}

/** Where a step is stopped: before it runs (it never happened) or after (it happened, its caller died). */
export type KillPoint = { step: number; when: 'before' | 'after' };

/** SQS's visibility timeout for the retry queue (serverless.yml) and Lambda's retry of an async invocation. */
const VISIBILITY_MS = 360_000;
const ASYNC_RETRY_MS = 60_000;

/** A receiver that fails its first `failures` calls (retryable), then records what it delivered. */
class CountingReceiver implements Receiver {
  readonly delivered: string[] = [];
  calls = 0;
  constructor(
    readonly name: string,
    readonly type: Receiver['type'],
    private failures: number,
  ) {}
  preview(alert: Alert): unknown {
    return alert.fingerprint;
  }
  private async deliver(ids: string[]): Promise<DeliveryResult> {
    this.calls += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      return {
        receiver: this.name,
        type: this.type,
        outcome: 'failed',
        retryable: true,
        attempts: 1,
        error: 'HTTP 503',
      };
    }
    this.delivered.push(...ids);
    return { receiver: this.name, type: this.type, outcome: 'delivered', attempts: 1 };
  }
  async send(alert: Alert): Promise<DeliveryResult> {
    return this.deliver([alert.transitionId]);
  }
  sendGroup = async (group: AlertGroup): Promise<DeliveryResult> =>
    this.deliver(group.alerts.map((alert) => alert.transitionId));
}

/** What one run of a scenario left: each transition's deliveries, the dead letters and unfinished messages. */
export interface CrashOutcome {
  delivered: Map<string, number>;
  deadLettered: number;
  stranded: number;
  steps: number;
  /** The name of each step, in order (store methods, `retry`, `deadLetter`, `send`). */
  trace: string[];
  killed: boolean;
}

/**
 * Runs alerts through dispatch and the retry worker as deployed (SQS redelivers a message whose
 * invocation failed after its visibility timeout; Lambda retries a failed event invocation), and
 * kills the work at one step (a state-table, queue or receiver call), once.
 */
export async function runWithKill(options: {
  config: KlaxonConfig;
  store: StateStore;
  alerts: Alert[];
  receiver: { name: string; type: Receiver['type']; failures: number };
  groups?: Readonly<Record<string, { route: string; by: readonly string[]; windowSeconds: number }>>;
  kill?: KillPoint;
}): Promise<CrashOutcome> {
  const clock = manualClock();
  let steps = 0;
  let killed = false;
  const trace: string[] = [];
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    steps += 1;
    trace.push(name);
    const here = steps;
    const kill = options.kill;
    if (kill && !killed && kill.step === here && kill.when === 'before') {
      killed = true;
      throw new Killed(`killed before step ${here}`);
    }
    const value = await work();
    if (kill && !killed && kill.step === here && kill.when === 'after') {
      killed = true;
      throw new Killed(`killed after step ${here}`);
    }
    return value;
  };
  const store = new Proxy(options.store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        step(String(property), () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
  const messages: Array<{ job: DeliveryJob; visibleAt: number; receives: number }> = [];
  let deadLettered = 0;
  const queue: DeliveryQueue = {
    retry: (job, delaySeconds) =>
      step('retry', async () => {
        messages.push({
          job: JSON.parse(JSON.stringify(job)) as DeliveryJob,
          visibleAt: clock.now() + delaySeconds * 1000,
          receives: 0,
        });
      }),
    deadLetter: () =>
      step('deadLetter', async () => {
        deadLettered += 1;
      }),
  };
  const receiver = new CountingReceiver(
    options.receiver.name,
    options.receiver.type,
    options.receiver.failures,
  );
  const dispatcher = new Dispatcher({
    config: options.config,
    receivers: new Map<string, Receiver>([[receiver.name, receiver]]),
    store,
    queue,
    clock,
    observer: silentObserver,
    remainingMs: () => 25_000,
    leaseMs: 90_000,
  });
  // A receiver call is a step too: killed before it, nothing went out; after it, the message did.
  const send = receiver.sendGroup;
  const plainSend = receiver.send.bind(receiver);
  receiver.sendGroup = (group) => step('send', () => send(group));
  receiver.send = (alert) => step('send', () => plainSend(alert));
  for (const alert of options.alerts) {
    // Lambda retries a failed event invocation (twice for async invocations; the test allows more).
    for (let invocation = 0; invocation < 5; invocation++) {
      try {
        await dispatcher.dispatch(alert, [receiver.name], options.groups ?? {});
        break;
      } catch (error) {
        if (!(error instanceof Killed) && (error as Error).name !== 'DeliveryIncompleteError') throw error;
        clock.advance(ASYNC_RETRY_MS);
      }
    }
  }
  // The retry worker: the earliest visible message first; a failed one comes back after the visibility timeout.
  for (let round = 0; round < 200 && messages.length > 0; round++) {
    messages.sort((a, b) => a.visibleAt - b.visibleAt);
    const message = messages.shift() as (typeof messages)[number];
    if (message.visibleAt > clock.now()) clock.advance(message.visibleAt - clock.now());
    message.receives += 1;
    try {
      if (process.env.HARNESS_DEBUG)
        console.log('run', clock.now(), JSON.stringify({ ...message.job, alerts: undefined }));
      await dispatcher.runJob(message.job);
    } catch (error) {
      if (!(error instanceof Killed) && (error as Error).name !== 'DeliveryIncompleteError') throw error;
      // maxReceiveCount 5: then SQS moves it to the queue's own dead-letter queue (kept, not lost).
      if (message.receives >= 5) deadLettered += 1;
      else messages.push({ ...message, visibleAt: clock.now() + VISIBILITY_MS });
    }
  }
  const delivered = new Map<string, number>();
  for (const id of receiver.delivered) delivered.set(id, (delivered.get(id) ?? 0) + 1);
  return { delivered, deadLettered, stranded: messages.length, steps, trace, killed };
}

const scenarioConfig = loadConfig(`
delivery:
  retrySchedule: [60, 300, 900]
receivers:
  chat: { type: slack, webhookUrl: { env: X } }
route: { receiver: chat }
`);

const stormGroup = { chat: { route: 'storm', by: ['region'], windowSeconds: 30 } };

/** The scenarios of the retry and flush paths; each is run once clean, then killed at every step. */
export const KILL_SCENARIOS = {
  'a delivery that fails twice and is retried from the queue': { alerts: 1, failures: 2, groups: {} },
  'a group of three whose flush fails once and is retried': { alerts: 3, failures: 1, groups: stormGroup },
  'a group of two flushed at once': { alerts: 2, failures: 0, groups: stormGroup },
} as const;

/** True when the kill falls between a send that went out and its record: the one place a resend is allowed. */
function afterASend(clean: CrashOutcome, kill: KillPoint): boolean {
  const index = kill.step - 1;
  return kill.when === 'after' ? clean.trace[index] === 'send' : clean.trace[index - 1] === 'send';
}

/**
 * Runs a scenario clean, then killed before and after each of its steps, each time on a fresh store,
 * and lists every run that lost an alert, sent one twice (outside the send-to-record gap), dead-lettered
 * or stranded one. Also returns how many runs it made, and how many of them sent one alert twice in that gap.
 */
export async function killAtEveryStep(
  scenario: (typeof KILL_SCENARIOS)[keyof typeof KILL_SCENARIOS],
  freshStore: () => Promise<StateStore> | StateStore,
): Promise<{ runs: number; steps: number; failures: string[]; resentInGap: number }> {
  const alerts = Array.from({ length: scenario.alerts }, (_, i) => testAlert(i + 1));
  const run = async (kill?: KillPoint) =>
    runWithKill({
      config: scenarioConfig,
      store: await freshStore(),
      alerts,
      receiver: { name: 'chat', type: 'slack', failures: scenario.failures },
      groups: scenario.groups,
      kill,
    });
  const clean = await run();
  const failures: string[] = [];
  let resentInGap = 0;
  const check = (outcome: CrashOutcome, label: string, allowedTwice: boolean) => {
    const lost = alerts.filter((a) => !outcome.delivered.has(a.transitionId)).length;
    const twice = [...outcome.delivered.values()].filter((n) => n > 1).length;
    if (twice > 0 && allowedTwice) resentInGap += 1;
    if (lost > 0 || (twice > 0 && !allowedTwice) || outcome.deadLettered || outcome.stranded) {
      failures.push(
        `${label}: lost ${lost}, twice ${twice}, dead ${outcome.deadLettered}, stranded ${outcome.stranded}`,
      );
    }
  };
  check(clean, 'clean run', false);
  let runs = 1;
  for (let step = 1; step <= clean.steps; step++) {
    for (const when of ['before', 'after'] as const) {
      const kill = { step, when };
      check(
        await run(kill),
        `killed ${when} step ${step} (${clean.trace[step - 1]})`,
        afterASend(clean, kill),
      );
      runs += 1;
    }
  }
  return { runs, steps: clean.steps, failures, resentInGap };
}
