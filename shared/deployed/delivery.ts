import { type KlaxonConfig, validateConfig } from '../config/load';
import { Dispatcher } from '../delivery/dispatcher';
import type { DeliveryQueue } from '../delivery/queue';
import type { InvocationClock } from '../lambda/invocation-clock';
import { NoiseEngine } from '../noise/engine';
import { type PipelineObserver, PowertoolsObserver } from '../observability/observer';
import { systemClock } from '../receivers/factory';
import type { Receiver } from '../receivers/types';
import type { Remediator } from '../remediation/remediator';
import type { StateStore } from '../state/store';
import { deployedReceivers } from './receivers';
import { deployedRemediator } from './remediation';
import { deployedSecrets } from './secrets';
import { deployedState } from './state';
import { claimLeaseMsOf, type DeployedEnv, type FunctionPowertools } from './env';
import type { DeployedState } from './state';

/** What a deployed dispatcher is built from, besides the configuration (any state store and queue: the storm bench runs it in memory). */
export interface DispatcherParts {
  store?: StateStore;
  queue?: DeliveryQueue;
  receivers: ReadonlyMap<string, Receiver>;
  observer: PipelineObserver;
  clock: InvocationClock;
  /** Runs the follow-up jobs of noise control (repeats, resolve checks); absent: none are expected. */
  noise?: Pick<NoiseEngine, 'runJob'>;
  /** Runs remediation verification jobs; absent without remediation rules. */
  remediator?: Pick<Remediator, 'verify'>;
}

/** Builds the exactly-once, paced, durably retried delivery of a deployed function. */
export function deployedDispatcher(
  config: KlaxonConfig,
  env: DeployedEnv,
  parts: DispatcherParts,
): Dispatcher {
  const { noise, remediator } = parts;
  return new Dispatcher({
    config,
    receivers: parts.receivers,
    store: parts.store,
    queue: parts.queue,
    clock: systemClock,
    observer: parts.observer,
    remainingMs: () => parts.clock.remainingMs(),
    leaseMs: claimLeaseMsOf(env),
    noiseJob: noise ? (job, running) => noise.runJob(job, running) : undefined,
    verifyRemediation: remediator ? (job, d) => remediator.verify(job, d) : undefined,
  });
}

/** What every function that delivers builds from the environment: receivers, state, noise control, remediation and the dispatcher over them. */
export interface DeployedDelivery extends DeployedState {
  config: KlaxonConfig;
  receivers: Map<string, Receiver>;
  observer: PowertoolsObserver;
  noise: NoiseEngine;
  remediator?: Remediator;
  dispatcher: Dispatcher;
}

/** Builds the delivery side of a deployed function once: the bundled configuration validated, then its parts. */
export function deployedDelivery(
  configData: unknown,
  env: DeployedEnv,
  powertools: FunctionPowertools,
  clock: InvocationClock,
): DeployedDelivery {
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
  return { config, receivers, observer, store, queue, noise, remediator, dispatcher };
}
