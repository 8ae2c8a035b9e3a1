import type { Alert } from '../alert/alert';
import type { RemediationMode } from './config';

/** What Klaxon decided for one alert. */
export type RemediationOutcome = 'dry-run' | 'started' | 'pending-approval' | 'skipped';

/** The remediation decision recorded on an alert's outcome (and in the replay output). */
export interface RemediationDecision {
  rule: string;
  action: string;
  mode: RemediationMode;
  /** The validated parameters (as they were or would be sent). */
  parameters: Record<string, string>;
  outcome: RemediationOutcome;
  /** Why: the guard that skipped it, or what a dry run would have done. */
  reason?: string;
  /** The Automation execution id or Run Command command id. */
  executionId?: string;
  /** The id to approve with (`klaxon approve <id>`), for pending approvals. */
  approvalId?: string;
  approvedBy?: string;
  /** Set on the answer to an approval that came second: it changed nothing. */
  alreadyApproved?: true;
  /** For a status report of an execution: its final SSM status. */
  status?: string;
}

/** The audit record of one decision: `remediation#<token>` in the state table (kept 90 days). */
export interface RemediationRecord {
  token: string;
  rule: string;
  action: string;
  kind: 'automation' | 'run-command';
  mode: RemediationMode;
  parameters: Record<string, string>;
  outcome: RemediationOutcome | 'starting';
  reason?: string;
  executionId?: string;
  status?: string;
  result?: 'succeeded' | 'failed';
  approvedBy?: string;
  /** When the approval that won was given (epoch ms). */
  approvedAt?: number;
  /** Pending approvals expire (epoch ms). */
  expiresAt?: number;
  /** The concurrency slot an execution holds until its final status arrives. */
  slot?: number;
  cooldownKey?: string;
  decidedAt: number;
  startedAt?: number;
  fingerprint: string;
  transitionId: string;
  receivers: string[];
  alert: Alert;
  history: Array<{ at: string; event: string }>;
}

/** How long audit records (and the breaker and execution pointers) are kept. */
export const AUDIT_TTL_SECONDS = 90 * 86_400;

/** The state-table key of a decision's audit record. */
export const recordKey = (token: string) => `remediation#${token}`;
/** The state-table key mapping an SSM execution back to its decision. */
export const executionKey = (executionId: string) => `remediation-execution#${executionId}`;
/** The state-table key recording when an alert last resolved (for verification). */
export const resolvedKey = (fingerprint: string) => `remediation-resolved#${fingerprint}`;

/** The record with one more history entry at `now`. */
export function withHistory(record: RemediationRecord, now: number, event: string): RemediationRecord {
  return { ...record, history: [...record.history, { at: new Date(now).toISOString(), event }] };
}

/** The decision as reported, from a record. */
export function decisionOf(record: RemediationRecord, extra: { reason?: string } = {}): RemediationDecision {
  const outcome = record.outcome === 'starting' ? 'skipped' : record.outcome;
  const reason = extra.reason ?? record.reason;
  return {
    rule: record.rule,
    action: record.action,
    mode: record.mode,
    parameters: record.parameters,
    outcome,
    ...(reason ? { reason } : {}),
    ...(record.executionId ? { executionId: record.executionId } : {}),
    ...(record.outcome === 'pending-approval' ? { approvalId: record.token } : {}),
    ...(record.approvedBy ? { approvedBy: record.approvedBy } : {}),
  };
}

const OUTCOME_WORD: Readonly<Record<RemediationOutcome, string>> = {
  'dry-run': 'planned (dry run, nothing started)',
  started: 'started',
  'pending-approval': 'waiting for approval',
  skipped: 'refused',
};

/** One line for decision records (`klaxon explain`): the rule, the action and its target, what happened and why. */
export function describeRemediation(decision: RemediationDecision): string {
  const parameters = Object.entries(decision.parameters)
    .filter(([name]) => name !== 'AutomationAssumeRole')
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  const execution = decision.executionId ? ` ${decision.executionId}` : '';
  const reason = decision.reason ? `: ${decision.reason}` : '';
  return `rule ${decision.rule} (mode ${decision.mode}), ${decision.action}(${parameters}): ${OUTCOME_WORD[decision.outcome]}${execution}${reason}`;
}
