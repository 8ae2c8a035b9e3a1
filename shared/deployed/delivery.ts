import type { KlaxonConfig } from '../config/load';
import { Dispatcher } from '../delivery/dispatcher';
import type { InvocationClock } from '../lambda/invocation-clock';
import type { NoiseEngine } from '../noise/engine';
import type { PipelineObserver } from '../observability/observer';
import { systemClock } from '../receivers/factory';
import type { Receiver } from '../receivers/types';
import type { Remediator } from '../remediation/remediator';
import { claimLeaseMsOf, type DeployedEnv } from './env';
import type { DeployedState } from './state';

/** What a deployed dispatcher is built from, besides the configuration. */
export interface DispatcherParts extends DeployedState {
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
