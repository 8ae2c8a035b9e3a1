import { createCloudWatchClient } from '../aws/clients';
import { cloudWatchPort } from '../aws/cloudwatch';
import type { KlaxonConfig } from '../config/load';
import type { Dispatcher } from '../delivery/dispatcher';
import { AwsContextEnricher } from '../enrichment/enricher';
import type { InvocationClock } from '../lambda/invocation-clock';
import type { PipelineDeps } from '../pipeline-deps';
import type { Remediator } from '../remediation/remediator';
import { deployedDelivery } from './delivery';
import { accountOfRoles, type DeployedEnv, type FunctionPowertools, ownRoleArnsOf } from './env';

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
  const { config, receivers, observer, store, noise, remediator, dispatcher } = deployedDelivery(
    configData,
    env,
    powertools,
    clock,
  );
  const ownAccount = accountOfRoles(ownRoleArnsOf(env));
  const cloudwatch = cloudWatchPort(createCloudWatchClient());
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
