import { createCloudWatchClient } from '../aws/clients';
import { cloudWatchPort } from '../aws/cloudwatch';
import { type KlaxonConfig, validateConfig } from '../config/load';
import type { Dispatcher } from '../delivery/dispatcher';
import { AwsContextEnricher } from '../enrichment/enricher';
import type { InvocationClock } from '../lambda/invocation-clock';
import { NoiseEngine } from '../noise/engine';
import { PowertoolsObserver } from '../observability/observer';
import type { PipelineDeps } from '../pipeline';
import type { Remediator } from '../remediation/remediator';
import { deployedDispatcher } from './delivery';
import { type DeployedEnv, type FunctionPowertools, ownRoleArnsOf } from './env';
import { deployedReceivers } from './receivers';
import { accountOfRoles, deployedRemediator } from './remediation';
import { deployedSecrets } from './secrets';
import { deployedState } from './state';

/** The dependencies of a deployed event pipeline, with the parts other compositions reuse. */
export type DeployedPipeline = PipelineDeps & {
  dispatcher: Dispatcher;
  config: KlaxonConfig;
  remediator?: Remediator;
};

/**
 * Everything an event pipeline function needs, built once: the bundled configuration, receivers with
 * secrets from SSM, the state table and queues, enrichment, noise control, remediation and delivery.
 */
export function deployedPipeline(
  configData: unknown,
  env: DeployedEnv,
  powertools: FunctionPowertools,
  clock: InvocationClock,
): DeployedPipeline {
  const config = validateConfig(configData, 'klaxon.yml (bundled)');
  const secrets = deployedSecrets(env);
  const receivers = deployedReceivers(config, env, secrets, powertools.logger);
  const observer = new PowertoolsObserver(powertools.logger, powertools.metrics, powertools.tracer);
  const { store, queue } = deployedState(env);
  const remediator = deployedRemediator(config, env, { observer, secrets, store, queue });
  const ownAccount = accountOfRoles(ownRoleArnsOf(env));
  const cloudwatch = cloudWatchPort(createCloudWatchClient());
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
  return {
    config,
    receivers,
    mode: 'deliver',
    observer,
    now: () => new Date(),
    dispatcher,
    noise,
    store,
    failedLogins: store
      ? { record: (key, at, windowMs) => store.countEvent(key, at.getTime(), windowMs) }
      : undefined,
    enricher: config.enrichment.enabled ? new AwsContextEnricher(cloudwatch, config.enrichment) : undefined,
    ...(ownAccount
      ? {
          alarmStates: {
            describeAlarms: (names: readonly string[], signal: AbortSignal) =>
              cloudwatch.describeAlarms(names, signal),
            ownAccount,
          },
        }
      : {}),
    ownRoleArns: ownRoleArnsOf(env),
    remediator,
  };
}
