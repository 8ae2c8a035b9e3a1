import type { DeliveryJob } from '../delivery/jobs';
import type { DeliveryQueue } from '../delivery/queue';
import { StateStoreError } from '../errors';
import type { PipelineObserver } from '../observability/observer';

/** A follow-up job of noise control (mute ended, repeat, flap settled), carried by the retry queue. */
export type NoiseJob = Extract<DeliveryJob, { kind: 'noise' }>;

/** The two side effects every noise stage shares: guarded state-table calls and follow-up jobs. */
export interface NoiseEffects {
  /** Runs a state-table call; on failure noise control fails open (delivers) and says so. */
  guard<T>(operation: string, work: () => Promise<T>): Promise<T | undefined>;
  /** Puts a follow-up job on the retry queue, due at `job.dueAt` (at most 15 min ahead per hop). */
  schedule(job: NoiseJob, now: number): Promise<void>;
}

/** The effects over the retry queue (absent: no jobs) and the observer. */
export function noiseEffects(queue: DeliveryQueue | undefined, observer: PipelineObserver): NoiseEffects {
  return {
    async guard<T>(operation: string, work: () => Promise<T>): Promise<T | undefined> {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof StateStoreError)) throw error;
        observer.count('StateStoreDegraded', {});
        observer.note('warn', 'state table unavailable; noise control carries on without it (fail open)', {
          operation,
          error: error.message,
        });
        return undefined;
      }
    },
    async schedule(job: NoiseJob, now: number): Promise<void> {
      if (!queue) return;
      const delay = Math.max(0, Math.min(900, Math.ceil((job.dueAt - now) / 1000)));
      try {
        await queue.retry(job, delay);
      } catch (error) {
        observer.note('error', 'could not schedule a noise-control job', {
          action: job.action,
          key: job.key,
          error: (error as Error).message,
        });
      }
    },
  };
}
