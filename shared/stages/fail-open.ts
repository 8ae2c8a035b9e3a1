import { StateStoreError } from '../errors';
import type { PipelineDeps } from '../pipeline-deps';

/** Logs and counts that the state table failed and the pipeline carried on without it. */
export function degraded(deps: Pick<PipelineDeps, 'observer'>, operation: string, error: Error): void {
  deps.observer.count('StateStoreDegraded', {});
  deps.observer.note('warn', 'state table unavailable; carrying on without it (fail open)', {
    operation,
    error: error.message,
  });
}

/** Runs a state-table read or write; on StateStoreError logs and counts the degradation and returns undefined. */
export async function failOpen<T>(
  deps: Pick<PipelineDeps, 'observer'>,
  operation: string,
  work: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof StateStoreError)) throw error;
    degraded(deps, operation, error);
    return undefined;
  }
}
