import type { Alert } from '../alert/alert';
import { alertName } from '../alert/name';
import type { Dispatcher } from '../delivery/dispatcher';
import type { DeliveryJob } from '../delivery/jobs';
import { StateStoreError } from '../errors';
import type { DeliveryResult } from '../receivers/types';
import { degraded } from './audit';
import type { RemediationContext } from './context';
import {
  AUDIT_TTL_SECONDS,
  type RemediationDecision,
  type RemediationRecord,
  recordKey,
  resolvedKey,
  withHistory,
} from './record';
import { describeParameters, formatDuration, moreUrgent } from './wording';

/** Remembers when an alert resolved, so a later verification can tell the remediation worked. */
export async function recordResolved(context: RemediationContext, alert: Alert): Promise<void> {
  const store = context.deps.store;
  if (!store) return;
  const now = context.nowMs();
  try {
    await store.saveRecord(resolvedKey(alert.fingerprint), { at: now }, now);
  } catch (error) {
    if (!(error instanceof StateStoreError)) throw error;
    degraded(context, 'record resolve', error);
  }
}

/**
 * A `verify-remediation` job: when the remediated alert has not resolved since the execution
 * started, escalate (more urgent severity, escalation receivers added) under its own dedup_key.
 */
export async function verifyRemediation(
  context: RemediationContext,
  job: Extract<DeliveryJob, { kind: 'verify-remediation' }>,
  dispatcher: Dispatcher,
): Promise<DeliveryResult | undefined> {
  const { config, observer, queue } = context.deps;
  const now = context.nowMs();
  if (job.dueAt > now) {
    await queue?.retry(job, Math.min(900, Math.ceil((job.dueAt - now) / 1000)));
    return undefined;
  }
  const store = context.store();
  const record = await store.loadRecord<RemediationRecord>(recordKey(job.token));
  if (
    !record ||
    record.history.some((h) => h.event.startsWith('verified') || h.event.startsWith('escalated'))
  ) {
    return undefined;
  }
  const rule = config.remediations.find((r) => r.name === record.rule);
  const resolved = await store.loadRecord<{ at: number }>(resolvedKey(record.fingerprint));
  const startedAt = record.startedAt ?? record.decidedAt;
  const remediation: RemediationDecision = {
    rule: record.rule,
    action: record.action,
    mode: record.mode,
    parameters: record.parameters,
    outcome: 'started',
    executionId: record.executionId,
    status: record.status,
  };
  if (resolved && resolved.at >= startedAt) {
    const verified = withHistory(record, now, 'verified: the alert resolved');
    await store.saveRecord(recordKey(record.token), verified, now, { ttlSeconds: AUDIT_TTL_SECONDS });
    observer.count('RemediationsDecided', { mode: record.mode, outcome: 'verified' });
    observer.note('info', 'remediation verified', {
      fingerprint: record.fingerprint,
      remediation: { ...remediation, reason: 'the alert resolved' },
    });
    return undefined;
  }
  const within = now - startedAt;
  const receivers = [
    ...new Set([...record.receivers, ...(rule?.verify?.escalateTo ?? []), ...config.remediation.notify]),
  ];
  const escalation = escalationAlert(record, rule?.verify?.severity ?? 'critical', within, now);
  const results = await dispatcher.dispatch(escalation, receivers);
  const escalated = withHistory(
    record,
    now,
    `escalated to ${receivers.join(', ')}: not resolved ${formatDuration(within)} after the execution`,
  );
  await store.saveRecord(recordKey(record.token), escalated, now, { ttlSeconds: AUDIT_TTL_SECONDS });
  observer.count('RemediationsDecided', { mode: record.mode, outcome: 'escalated' });
  observer.note('warn', 'remediation escalated', {
    fingerprint: record.fingerprint,
    remediation: { ...remediation, reason: `still firing; escalated to ${receivers.join(', ')}` },
  });
  return results[0];
}

/** The escalation of a remediation that did not resolve its alert, under its own dedup_key. */
function escalationAlert(
  record: RemediationRecord,
  escalateSeverity: Alert['severity'],
  within: number,
  now: number,
): Alert {
  const original = record.alert;
  return {
    ...original,
    labels: { ...original.labels, remediationRule: record.rule, kind: 'remediation-escalation' },
    annotations: {
      ...original.annotations,
      summary:
        `${alertName(original.labels, original.fingerprint)} is still firing ${formatDuration(Math.round(within / 60_000) * 60_000 || within)} after ${record.action} succeeded (execution ${record.executionId ?? '?'}): escalating`.slice(
          0,
          900,
        ),
      remediation: `${record.action} (${describeParameters(record.parameters)}) did not resolve the alert`,
    },
    severity: moreUrgent(record.alert.severity, escalateSeverity),
    status: 'firing',
    transitionId: `klaxon:remediation-escalation:${record.token}`,
    observedAt: new Date(now).toISOString(),
    raw: undefined,
  };
}
