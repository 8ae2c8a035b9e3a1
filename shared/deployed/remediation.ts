import { createSsmClient } from '../aws/clients';
import type { KlaxonConfig } from '../config/load';
import type { DeliveryQueue } from '../delivery/queue';
import type { PipelineObserver } from '../observability/observer';
import { Remediator } from '../remediation/remediator';
import { RunCommandAdapter, SsmAutomationAdapter } from '../remediation/ssm';
import type { SecretResolver } from '../secrets/secrets';
import type { StateStore } from '../state/store';
import { accountOfRoles, type DeployedEnv, ownRoleArnsOf } from './env';

/** What a deployed remediator is built from, besides the configuration. */
export interface RemediatorParts {
  observer: PipelineObserver;
  secrets: SecretResolver;
  store?: StateStore;
  queue?: DeliveryQueue;
}

/** Builds the remediation stage with SSM Automation and Run Command, or undefined without remediation rules. */
export function deployedRemediator(
  config: KlaxonConfig,
  env: DeployedEnv,
  parts: RemediatorParts,
): Remediator | undefined {
  if (config.remediations.length === 0) return undefined;
  const approvalSecret = config.remediation.approval.secret;
  const ownRoleArns = ownRoleArnsOf(env);
  return new Remediator({
    config,
    observer: parts.observer,
    now: () => new Date(),
    store: parts.store,
    queue: parts.queue,
    automation: new SsmAutomationAdapter(createSsmClient()),
    runCommand: new RunCommandAdapter(createSsmClient()),
    ownRoleArns,
    ownAccount: accountOfRoles(ownRoleArns),
    approvalKey: approvalSecret ? () => parts.secrets.resolve(approvalSecret) : undefined,
    stage: env.KLAXON_STAGE,
  });
}
