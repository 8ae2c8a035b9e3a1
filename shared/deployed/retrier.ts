import { validateConfig } from '../config/load';
import type { Dispatcher } from '../delivery/dispatcher';
import type { InvocationClock } from '../lambda/invocation-clock';
import { NoiseEngine } from '../noise/engine';
import { type PipelineObserver, PowertoolsObserver } from '../observability/observer';
import { deployedDispatcher } from './delivery';
import type { DeployedEnv, FunctionPowertools } from './env';
import { deployedReceivers } from './receivers';
import { deployedRemediator } from './remediation';
import { deployedSecrets } from './secrets';
import { deployedState } from './state';

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
  const config = validateConfig(configData, 'klaxon.yml (bundled)');
  const secrets = deployedSecrets(env);
  const { store, queue } = deployedState(env);
  const receivers = deployedReceivers(config, env, secrets, powertools.logger, store);
  const observer = new PowertoolsObserver(powertools.logger, powertools.metrics, powertools.tracer);
  const remediator = deployedRemediator(config, env, { observer, secrets, store, queue });
  const noise = new NoiseEngine({ config, store, queue, observer, now: () => new Date() });
  const dispatcher = deployedDispatcher(config, env, {
    receivers,
    store,
    queue,
    observer,
    clock,
    noise,
    remediator,
  });
  return { dispatcher, observer };
}
