/** Thrown when a call did not answer within its timeout or the budget. */
export class EnrichmentTimeout extends Error {
  override readonly name = 'EnrichmentTimeout';
}

/** Thrown for a piece that does not apply to this alert (not reported as missing). */
export class NotApplicable extends Error {
  override readonly name = 'NotApplicable';
}

/** Thrown for a piece that found nothing (reported with this message). */
export class NothingFound extends Error {
  override readonly name = 'NothingFound';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);

/** A short reason for a failed piece: `timed out`, `AccessDenied`, `unreachable (ECONNREFUSED)`… */
export function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 80);
  if (error instanceof EnrichmentTimeout || error.name === 'AbortError' || error.name === 'TimeoutError') {
    return 'timed out';
  }
  if (error instanceof NothingFound) return error.message;
  if (error.name === 'AccessDenied' || error.name === 'AccessDeniedException') return 'AccessDenied';
  if (error.name === 'ResourceNotFound' || error.name === 'ResourceNotFoundException')
    return 'alarm not found';
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return `unreachable (${code})`;
  const inMessage = [...NETWORK_CODES].find((c) => error.message.includes(c));
  if (inMessage) return `unreachable (${inMessage})`;
  if (error.name && error.name !== 'Error') return error.name.slice(0, 80);
  return error.message.slice(0, 80) || 'failed';
}

/** Rejects with EnrichmentTimeout as soon as `signal` aborts, whether or not `work` honours it. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new EnrichmentTimeout('timed out'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? new EnrichmentTimeout('timed out') : error);
      },
    );
  });
}

/** The outcome of one enrichment piece: its value, or why it is missing and whether that matters. */
export type Settled<T> = { ok: true; value: T } | { ok: false; reason: string; applicable: boolean };

/** The total time budget of one alert's enrichment, and each call's timeout within it. */
export class Budget {
  private readonly controller = new AbortController();
  private readonly deadline: number;

  constructor(
    budgetMs: number,
    private readonly callTimeoutMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.deadline = clock() + budgetMs;
  }

  /** Milliseconds left. */
  remainingMs(): number {
    return Math.max(0, this.deadline - this.clock());
  }

  /** Runs one AWS call with a signal that aborts at its own timeout or at the end of the budget. */
  call<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const timeout = Math.max(1, Math.min(this.callTimeoutMs, this.remainingMs()));
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(timeout)]);
    let started: Promise<T>;
    try {
      started = work(signal);
    } catch (error) {
      started = Promise.reject(error);
    }
    return abortable(started, signal);
  }

  /**
   * Waits for every piece, but no longer than the budget; a piece still running then is `timed
   * out`, and every call still in flight is aborted.
   */
  async settle<K extends string>(
    pieces: Partial<Record<K, Promise<unknown>>>,
  ): Promise<Map<K, Settled<unknown>>> {
    const results = new Map<K, Settled<unknown>>();
    const entries = Object.entries(pieces) as Array<[K, Promise<unknown>]>;
    const all = Promise.all(
      entries.map(([key, promise]) =>
        promise.then(
          (value) => void results.set(key, { ok: true, value }),
          (error: unknown) =>
            void results.set(key, {
              ok: false,
              reason: failureReason(error),
              applicable: !(error instanceof NotApplicable),
            }),
        ),
      ),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.remainingMs());
    });
    await Promise.race([all, expired]);
    clearTimeout(timer);
    this.controller.abort();
    const snapshot = new Map(results);
    for (const [key] of entries) {
      if (!snapshot.has(key)) snapshot.set(key, { ok: false, reason: 'timed out', applicable: true });
    }
    return snapshot;
  }
}
