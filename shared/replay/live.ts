import type { KlaxonConfig } from '../config/load';
import { DeliveryIncompleteError, Dispatcher } from '../delivery/dispatcher';
import type { DeliveryJob } from '../delivery/jobs';
import type { DeliveryQueue } from '../delivery/queue';
import { silentObserver } from '../observability/observer';
import type { ProcessResult } from '../pipeline-deps';
import type { Clock } from '../receivers/context';
import type { DeliveryResult, Receiver } from '../receivers/types';
import { MemoryStateStore } from '../state/memory';
import type { StateStore } from '../state/store';

/** The longest a local live run waits for a queued job (a grouping window, a retry delay): waits are compressed to it. */
export const LIVE_MAX_DELAY_MS = 5_000;

/** How often a job whose hand-off failed is run again before it counts as failed (SQS's maxReceiveCount). */
const MAX_RECEIVES = 5;

/** What a local live run delivered, in messages. */
export interface LiveSummary {
  delivered: number;
  /** Deliveries handed to the retry queue after a failure. */
  retried: number;
  /** Deliveries given up on (dead-lettered) or that could not be sent at all. */
  failed: number;
  /** Alerts that joined a group (sent later in one message). */
  grouped: number;
  /** Copies skipped as already delivered. */
  deduplicated: number;
}

/** Some deliveries of a `replay --live` failed; the CLI exits with 1. */
export class LiveDeliveryError extends Error {
  override readonly name = 'LiveDeliveryError';

  constructor(
    message: string,
    /** What every replayed file produced, the failed deliveries among them. */
    readonly results: readonly ProcessResult[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The retry queue of a local run: in process, each job due after its delay (compressed to LIVE_MAX_DELAY_MS). */
class LocalDelayedQueue implements DeliveryQueue {
  readonly pending: Array<{ job: DeliveryJob; dueAt: number; receives: number }> = [];
  readonly dead: Array<{ job: DeliveryJob; reason: string }> = [];
  retried = 0;

  constructor(private readonly clock: Clock) {}

  async retry(job: DeliveryJob, delaySeconds: number): Promise<void> {
    if (job.kind === 'deliver' && job.lastError !== undefined) this.retried += 1;
    const delay = Math.min(LIVE_MAX_DELAY_MS, Math.max(0, delaySeconds) * 1000);
    this.pending.push({ job: structuredClone(job), dueAt: this.clock.now() + delay, receives: 0 });
  }

  async deadLetter(job: DeliveryJob, reason: string): Promise<void> {
    this.dead.push({ job, reason });
  }

  /** Removes and returns the job due first. */
  take(): { job: DeliveryJob; dueAt: number; receives: number } | undefined {
    let first = 0;
    this.pending.forEach((entry, index) => {
      if (entry.dueAt < (this.pending[first]?.dueAt ?? Infinity)) first = index;
    });
    return this.pending.splice(first, 1)[0];
  }
}

/**
 * The deployed delivery semantics for a local `replay --live`: an in-memory state table (claims,
 * groups, pacing), a local delayed queue (retries and group flushes) and the real dispatcher, then
 * a count of what went out.
 */
export class LiveReplayRuntime {
  readonly dispatcher: Dispatcher;
  private readonly queue: LocalDelayedQueue;
  private readonly counts = { delivered: 0, failed: 0, grouped: 0, deduplicated: 0 };

  /**
   * `store` is the run's state table; give the receivers the same one, so those that edit their
   * messages (a Slack app) find them again later in the run.
   */
  constructor(
    config: KlaxonConfig,
    receivers: ReadonlyMap<string, Receiver>,
    private readonly clock: Clock,
    store: StateStore = new MemoryStateStore(),
  ) {
    this.queue = new LocalDelayedQueue(clock);
    this.dispatcher = new Dispatcher({
      config,
      receivers,
      store,
      queue: this.queue,
      clock,
      observer: silentObserver,
      remainingMs: () => 60_000,
      leaseMs: 45_000,
    });
  }

  /** Counts the deliveries of one processed file. */
  record(result: ProcessResult): void {
    for (const outcome of result.alerts) this.tally(outcome.deliveries);
    for (const notice of result.notices) this.tally(notice.deliveries);
  }

  /** Runs every queued job when it is due (waiting for it), until the queue is empty. */
  async drain(): Promise<void> {
    for (let entry = this.queue.take(); entry; entry = this.queue.take()) {
      const wait = entry.dueAt - this.clock.now();
      if (wait > 0) await this.clock.sleep(wait);
      try {
        const result = await this.dispatcher.runJob(entry.job);
        if (result) this.tally([result]);
      } catch (error) {
        if (!(error instanceof DeliveryIncompleteError)) throw error;
        entry.receives += 1;
        if (entry.receives >= MAX_RECEIVES) this.counts.failed += 1;
        else this.queue.pending.push({ ...entry, dueAt: this.clock.now() + 1_000 });
      }
    }
  }

  /** What the run delivered so far. */
  summary(): LiveSummary {
    return { ...this.counts, retried: this.queue.retried };
  }

  private tally(deliveries: readonly DeliveryResult[]): void {
    for (const delivery of deliveries) {
      if (delivery.outcome === 'delivered') this.counts.delivered += 1;
      else if (delivery.outcome === 'failed') this.counts.failed += 1;
      else if (delivery.outcome === 'grouped') this.counts.grouped += 1;
      else if (delivery.outcome === 'duplicate') this.counts.deduplicated += 1;
    }
  }
}

/** The closing line of a live run. */
export function liveSummaryLine(summary: LiveSummary): string {
  return `Live: ${summary.delivered} messages delivered, ${summary.grouped} alerts grouped, ${summary.retried} retried, ${summary.failed} failed, ${summary.deduplicated} duplicates skipped.\n`;
}
