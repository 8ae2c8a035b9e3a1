import { DeliveryError } from '../errors';

/** How hard to try one delivery inside one invocation. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Never start a wait that would end after this many ms from the first attempt. */
  budgetMs: number;
}

/** The default: three attempts, short backoff, within ten seconds. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 5_000,
  budgetMs: 10_000,
};

/** The outcome of a retried call. */
export interface Attempted<T> {
  value?: T;
  error?: DeliveryError;
  attempts: number;
}

/** Retries retryable DeliveryErrors with backoff, honouring a `retryAfterMs` hint while the budget lasts. */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  clock: { now(): number; sleep(ms: number): Promise<void> },
): Promise<Attempted<T>> {
  const started = clock.now();
  for (let n = 1; ; n++) {
    try {
      return { value: await attempt(), attempts: n };
    } catch (caught) {
      const error =
        caught instanceof DeliveryError
          ? caught
          : new DeliveryError(`unexpected failure: ${(caught as Error).message}`, false, undefined, {
              cause: caught,
            });
      if (!error.retryable || n >= policy.maxAttempts) return { error, attempts: n };
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      const wait = Math.max(backoff, error.retryAfterMs ?? 0);
      if (clock.now() - started + wait > policy.budgetMs) return { error, attempts: n };
      await clock.sleep(wait);
    }
  }
}
