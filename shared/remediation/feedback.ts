import type { Alert } from '../alert/alert';
import { alertName } from '../alert/name';
import type { DeliveryJob } from '../delivery/jobs';
import { consoleBase } from '../enrichment/links';
import { StateStoreError } from '../errors';
import { type Decision, isPagingReceiver } from '../routing/decide';
import { partitionOfRegion } from '../security/cloudtrail-fields';
import { degraded } from './audit';
import type { RemediationContext } from './context';
import { isBenignFailure, recordResult, releaseSlot } from './guards';
import {
  AUDIT_TTL_SECONDS,
  executionKey,
  type RemediationDecision,
  type RemediationRecord,
  recordKey,
  resolvedKey,
  withHistory,
} from './record';
import { describeParameters, moreUrgent } from './wording';

/** What an execution's final status event says. */
interface ExecutionFacts {
  status: string;
  result: 'succeeded' | 'failed';
  failure?: string;
  tripped?: string;
}

/**
 * An SSM status event: update the record, the breaker and the slot, and report to the alert's
 * receivers (the status alert replaces the event's decision).
 */
export async function statusReport(
  context: RemediationContext,
  decision: Decision,
  live: boolean,
): Promise<{ decision: Decision; remediation?: RemediationDecision }> {
  const { alert } = decision;
  const { config, observer } = context.deps;
  const executionId = alert.labels.executionId ?? '';
  const status = alert.labels.executionStatus ?? 'Unknown';
  const result = alert.labels.executionResult === 'succeeded' ? 'succeeded' : 'failed';
  const unmapped = (reason: string) => ({ decision: { ...decision, receivers: [], suppressed: reason } });
  const store = context.deps.store;
  if (!live || !store) {
    return unmapped(
      `remediation status of ${executionId}: no state table to map it to the alert that caused it${live ? '' : ' (replay)'}`,
    );
  }
  try {
    const pointer = await store.loadRecord<{ token: string }>(executionKey(executionId));
    const record = pointer && (await store.loadRecord<RemediationRecord>(recordKey(pointer.token)));
    if (!record)
      return unmapped(`execution ${executionId} was not started by Klaxon (not in the state table)`);
    const now = context.nowMs();
    const first = await store.claimOnce(`remediation-status#${executionId}#${status}`, now);
    let tripped: string | undefined;
    let failure: string | undefined;
    const rule = config.remediations.find((r) => r.name === record.rule);
    if (first) {
      if (record.slot !== undefined) await releaseSlot(context, record.slot, record.token);
      if (result === 'failed') failure = await failureReason(context, record, executionId);
      // A target that is gone or already fixed is not the rule's fault: the breaker ignores it. Only
      // SSM's own Automation failure text counts; Run Command output is the instance's to write.
      const benign = result === 'failed' && record.kind === 'automation' && isBenignFailure(failure);
      if (!benign) {
        tripped = await recordResult(context, record.rule, result === 'succeeded');
      }
      const ended = withHistory(
        { ...record, status, result },
        now,
        `execution ${executionId} ${status}${failure ? `: ${failure}` : ''}${tripped ? `; ${tripped}` : ''}`,
      );
      await store.saveRecord(recordKey(record.token), ended, now, { ttlSeconds: AUDIT_TTL_SECONDS });
      if (result === 'succeeded' && rule?.verify) await scheduleVerify(context, record, rule.verify.withinMs);
    }
    const resolved = await store.loadRecord<{ at: number }>(resolvedKey(record.fingerprint));
    const alreadyResolved = resolved !== undefined && resolved.at >= (record.startedAt ?? record.decidedAt);
    const remediation: RemediationDecision = {
      rule: record.rule,
      action: record.action,
      mode: record.mode,
      parameters: record.parameters,
      outcome: 'started',
      executionId,
      status,
      reason: `execution ${status}${failure ? `: ${failure}` : ''}${tripped ? `; ${tripped}` : ''}`,
      ...(record.approvedBy ? { approvedBy: record.approvedBy } : {}),
    };
    if (first) {
      observer.count('RemediationsDecided', { mode: record.mode, outcome: result });
      observer.note(result === 'succeeded' ? 'info' : 'warn', 'remediation finished', {
        fingerprint: record.fingerprint,
        remediation,
      });
    }
    const report = statusAlert(alert, record, { status, result, failure, tripped });
    const receivers = [...new Set([...record.receivers, ...(tripped ? config.remediation.notify : [])])];
    const skipped: Decision['skipped'] = [];
    const delivered = receivers.filter((receiver) => {
      // A trigger with the incident's dedup_key would reopen an incident the OK already resolved.
      if (alreadyResolved && isPagingReceiver(config, receiver)) {
        skipped.push({
          receiver,
          reason: 'the alert already resolved: a trigger would reopen the incident',
        });
        return false;
      }
      return true;
    });
    return {
      decision: {
        alert: report,
        severitySource: 'event',
        routes: ['remediation-status'],
        receivers: delivered,
        skipped,
        groups: {},
      },
      remediation,
    };
  } catch (error) {
    if (!(error instanceof StateStoreError)) throw error;
    degraded(context, 'remediation status', error);
    return unmapped(`remediation status of ${executionId}: the state table is unavailable`);
  }
}

/** The alert reporting an execution's end: the original alert's identity (same dedup_key), its severity kept. */
function statusAlert(event: Alert, record: RemediationRecord, facts: ExecutionFacts): Alert {
  const original = record.alert;
  const region = original.labels.region;
  const base = consoleBase(partitionOfRegion(region), region);
  const executionUrl =
    record.kind === 'automation'
      ? `${base}/systems-manager/automation/execution/${event.labels.executionId}?region=${region}`
      : `${base}/systems-manager/run-command/${event.labels.executionId}?region=${region}`;
  const outcome = facts.result === 'succeeded' ? 'succeeded' : `failed (${facts.status})`;
  const summary = `Remediation ${record.action} ${outcome} for ${alertName(original.labels, original.fingerprint)}: ${describeParameters(record.parameters)}`;
  return {
    ...original,
    labels: {
      ...original.labels,
      remediationRule: record.rule,
      executionId: event.labels.executionId ?? '',
      executionStatus: facts.status,
    },
    annotations: {
      ...original.annotations,
      summary: summary.slice(0, 900),
      reason: facts.failure ?? `${record.action} execution ${event.labels.executionId} ${facts.status}`,
      description: [
        `Remediation rule ${record.rule} (${record.mode}${record.approvedBy ? `, approved by ${record.approvedBy}` : ''}) ran ${record.action} for ${original.annotations.summary}`,
        `Execution: ${event.labels.executionId} ${facts.status}`,
        ...(facts.failure ? [`Failure: ${facts.failure}`] : []),
        ...(facts.tripped ? [facts.tripped] : []),
      ].join('\n'),
      remediation: summary.slice(0, 900),
    },
    severity: facts.tripped ? moreUrgent(original.severity, 'error') : original.severity,
    status: 'firing',
    transitionId: event.transitionId,
    observedAt: event.observedAt,
    links: [{ text: 'SSM execution', url: executionUrl }, ...original.links],
    raw: undefined,
  };
}

/** Status events carry no failure reason: ask SSM (best effort). */
async function failureReason(
  context: RemediationContext,
  record: RemediationRecord,
  executionId: string,
): Promise<string | undefined> {
  const { automation, runCommand } = context.deps;
  try {
    if (record.kind === 'automation') return (await automation?.status(executionId))?.failure;
    const instance = record.parameters.InstanceId;
    if (!instance || !runCommand) return undefined;
    const invocation = await runCommand.invocation(executionId, instance);
    return invocation.output ? `${invocation.status}: ${invocation.output.slice(0, 300)}` : invocation.status;
  } catch (error) {
    return `(could not read the failure from SSM: ${(error as Error).name})`;
  }
}

/** Puts the `verify-remediation` job on the retry queue, due when the alert should have resolved. */
async function scheduleVerify(
  context: RemediationContext,
  record: RemediationRecord,
  withinMs: number,
): Promise<void> {
  const { queue, observer, config } = context.deps;
  if (!queue) {
    observer.note('warn', 'no retry queue: the remediation cannot be verified', {
      fingerprint: record.fingerprint,
      token: record.token,
    });
    return;
  }
  const job: Extract<DeliveryJob, { kind: 'verify-remediation' }> = {
    kind: 'verify-remediation',
    receiver: record.receivers[0] ?? config.route.receiver,
    token: record.token,
    dueAt: context.nowMs() + withinMs,
  };
  try {
    await queue.retry(job, Math.min(900, Math.ceil(withinMs / 1000)));
  } catch (error) {
    observer.note('error', 'could not schedule the remediation check', {
      fingerprint: record.fingerprint,
      token: record.token,
      error: (error as Error).message,
    });
  }
}
