import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { KlaxonConfig } from '../shared/config/load';
import { silentObserver } from '../shared/observability/observer';
import { type RemediationDecision, Remediator } from '../shared/remediation/remediator';
import { RunCommandAdapter, SsmAutomationAdapter } from '../shared/remediation/ssm';
import { DynamoStateStore } from '../shared/state/dynamodb';

/** Options of `klaxon approve`. */
export interface ApproveOptions {
  id: string;
  stage: string;
  region?: string;
  /** Who approves, for the audit record. */
  by: string;
  config: KlaxonConfig;
}

/**
 * Approves a pending remediation of a deployed stage and starts it behind the same guards as the
 * Lambda (caps, circuit breaker, idempotency). Runs with the caller's AWS credentials: they need
 * read/write on the stage's state table and permission to start the document.
 */
export async function approveRemediation(options: ApproveOptions): Promise<RemediationDecision> {
  const client = { ...(options.region ? { region: options.region } : {}) };
  const ssm = new SSMClient(client);
  const remediator = new Remediator({
    config: options.config,
    observer: silentObserver,
    now: () => new Date(),
    store: new DynamoStateStore(new DynamoDBClient(client), `klaxon-${options.stage}-state`),
    automation: new SsmAutomationAdapter(ssm),
    runCommand: new RunCommandAdapter(ssm),
    stage: options.stage,
  });
  return remediator.approve(options.id, options.by);
}
