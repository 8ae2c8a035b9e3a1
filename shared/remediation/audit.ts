import type { Alert } from '../alert/alert';
import { queuedAlert } from '../delivery/jobs';
import { StateStoreError } from '../errors';
import type { Decision } from '../routing/decide';
import type { RemediationRule } from './config';
import type { RemediationContext } from './context';
import {
  AUDIT_TTL_SECONDS,
  decisionOf,
  type RemediationDecision,
  type RemediationOutcome,
  type RemediationRecord,
  recordKey,
  withHistory,
} from './record';

/** Records the end of a decision in its audit record and returns the decision. */
export async function finish(
  context: RemediationContext,
  record: RemediationRecord,
  change: Partial<RemediationRecord> & { outcome: RemediationOutcome; reason?: string },
): Promise<RemediationDecision> {
  const now = context.nowMs();
  const finished = withHistory(
    { ...record, ...change },
    now,
    `${change.outcome}${change.executionId ? ` ${change.executionId}` : ''}${change.reason ? `: ${change.reason}` : ''}`,
  );
  await context.store().saveRecord(recordKey(record.token), finished, now, { ttlSeconds: AUDIT_TTL_SECONDS });
  return decisionOf(finished);
}

/** Writes the audit record of a decision that touched no guard (dry run, skip before the guards); best effort. */
export async function auditOnly(
  context: RemediationContext,
  token: string,
  rule: RemediationRule,
  decision: Decision,
  remediation: RemediationDecision,
): Promise<void> {
  const store = context.deps.store;
  if (!store) return;
  const now = context.nowMs();
  const record: RemediationRecord = {
    token,
    rule: rule.name,
    action: rule.action.name,
    kind: rule.action.kind,
    mode: rule.mode,
    parameters: remediation.parameters,
    outcome: remediation.outcome,
    reason: remediation.reason,
    decidedAt: now,
    fingerprint: decision.alert.fingerprint,
    transitionId: decision.alert.transitionId,
    receivers: decision.receivers,
    alert: queuedAlert(decision.alert),
    history: [
      { at: new Date(now).toISOString(), event: `${remediation.outcome}: ${remediation.reason ?? ''}` },
    ],
  };
  try {
    await store.saveRecord(recordKey(token), record, now, {
      ifAbsent: true,
      ttlSeconds: AUDIT_TTL_SECONDS,
    });
  } catch (error) {
    if (!(error instanceof StateStoreError)) throw error;
    degraded(context, 'remediation audit', error);
  }
}

/** One structured log line and one metric per decision. */
export function report(context: RemediationContext, remediation: RemediationDecision, alert: Alert): void {
  context.deps.observer.count('RemediationsDecided', {
    mode: remediation.mode,
    outcome: remediation.outcome,
  });
  context.deps.observer.note(remediation.outcome === 'skipped' ? 'warn' : 'info', 'remediation decided', {
    fingerprint: alert.fingerprint,
    transitionId: alert.transitionId,
    remediation,
  });
}

/** Counts and logs a state-table failure; remediation fails closed. */
export function degraded(context: RemediationContext, operation: string, error: Error): void {
  context.deps.observer.count('StateStoreDegraded', {});
  context.deps.observer.note('warn', 'state table unavailable; remediation fails closed', {
    operation,
    error: error.message,
  });
}
