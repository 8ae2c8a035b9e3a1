/** Holds the invocation's remaining time for dependencies built once per cold start. */
export class InvocationClock {
  private deadline = 0;

  /** Records the current invocation's deadline (from the Lambda context, or a default for tests). */
  start(remainingMs: number, now = Date.now()): void {
    this.deadline = now + remainingMs;
  }

  /** Milliseconds left in the current invocation. */
  remainingMs(now = Date.now()): number {
    return Math.max(0, this.deadline - now);
  }
}
