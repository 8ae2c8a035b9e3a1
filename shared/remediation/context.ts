import type { KlaxonConfig } from '../config/load';
import type { DeliveryQueue } from '../delivery/queue';
import type { PipelineObserver } from '../observability/observer';
import type { StateStore } from '../state/store';
import type { RunCommand, SsmAutomation } from './ssm';

/** What the remediation stage runs with; built once per cold start. */
export interface RemediatorDeps {
  config: KlaxonConfig;
  observer: PipelineObserver;
  now: () => Date;
  /** The state table: required to start anything (guards fail closed without it). */
  store?: StateStore;
  automation?: SsmAutomation;
  runCommand?: RunCommand;
  /** The retry queue, for `verify-remediation` jobs. */
  queue?: DeliveryQueue;
  /** ARNs of Klaxon's own roles (KLAXON_OWN_ROLE_ARNS): events they caused are never acted on. */
  ownRoleArns?: readonly string[];
  /** The stack's own account (from its role ARNs): the default and only allowed account. */
  ownAccount?: string;
  /** The HMAC key of signed approval links (from the SSM prefix), when configured. */
  approvalKey?: () => Promise<string | undefined>;
  /** The stage, shown in the approval command. */
  stage?: string;
}

/** The dependencies plus the clock in ms, the required state table and the runtime document allowlist. */
export interface RemediationContext {
  deps: RemediatorDeps;
  config: KlaxonConfig;
  /** Documents klaxon.yml enables (rules not in dry-run): the runtime document allowlist. */
  enabled: ReadonlySet<string>;
  nowMs(): number;
  /** The state table; throws when there is none (callers have already failed closed). */
  store(): StateStore;
}
