import type { Dispatcher } from '../delivery/dispatcher';
import type { InvocationClock } from '../lambda/invocation-clock';
import type { PipelineObserver } from '../observability/observer';
import { deployedDelivery } from './delivery';
import type { DeployedEnv, FunctionPowertools } from './env';

/** What the delivery retrier runs with: the dispatcher that runs queued jobs, and the observer. */
export interface RetrierDeps {
  dispatcher: Dispatcher;
  observer: PipelineObserver;
}

/**
 * The delivery retrier's dependencies: receivers, state table, queues, and the runners of the
 * follow-up jobs (noise control, remediation verification), without the event pipeline's
 * normalizers, enrichment or routing.
 */
export function deployedRetrier(
  configData: unknown,
  env: DeployedEnv,
  powertools: FunctionPowertools,
  clock: InvocationClock,
): RetrierDeps {
  const { dispatcher, observer } = deployedDelivery(configData, env, powertools, clock);
  return { dispatcher, observer };
}
