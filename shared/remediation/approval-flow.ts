import { randomUUID } from 'node:crypto';
import { ApprovalNotFoundError } from '../errors';
import { finish, report } from './audit';
import type { RemediationContext } from './context';
import { breakerOpen } from './guards';
import { launch } from './launch';
import { approvalLink } from './approval';
import {
  AUDIT_TTL_SECONDS,
  decisionOf,
  type RemediationDecision,
  type RemediationRecord,
  recordKey,
  withHistory,
} from './record';

/** The state-table lease one approval takes: the pending → approved step, won by exactly one caller. */
export const approvalLeaseKey = (token: string) => `remediation-approval#${token}`;

/**
 * Approves a pending remediation (the CLI, a signed link, or a Slack button) and starts it
 * behind the same guards. `by` names the approver for the audit record. The step pending → approved
 * is a conditional write (a lease per approval, one owner per call): of two approvals racing, one
 * starts the execution and the other changes nothing and names who approved first. A link is
 * therefore single-use. When a cap refuses the start, the approval is given back and it stays pending.
 */
export async function approve(
  context: RemediationContext,
  approvalId: string,
  by: string,
): Promise<RemediationDecision> {
  const store = context.store();
  const found = await pendingRecord(context, approvalId);
  if (!('token' in found)) return found;
  const record = found;
  const now = context.nowMs();
  if (record.expiresAt !== undefined && now >= record.expiresAt) {
    return finish(context, record, { outcome: 'skipped', reason: 'the approval request expired' });
  }
  const rule = context.config.remediations.find((r) => r.name === record.rule);
  if (!rule || rule.action.name !== record.action || rule.mode !== 'approve') {
    return decisionOf(record, {
      reason: `rule ${record.rule} no longer asks for approval of ${record.action} in klaxon.yml`,
    });
  }
  const open = await breakerOpen(context, rule.name);
  if (open) return decisionOf(record, { reason: open });
  const owner = randomUUID();
  const until = record.expiresAt ?? now + context.config.remediation.approval.expiresAfterMs;
  if (!(await store.acquireLease(approvalLeaseKey(approvalId), owner, until, now))) {
    const latest = (await store.loadRecord<RemediationRecord>(recordKey(approvalId))) ?? record;
    return alreadyApproved(latest);
  }
  const approved = withHistory(
    { ...record, outcome: 'starting', approvedBy: by, approvedAt: now },
    now,
    `approved by ${by}`,
  );
  await store.saveRecord(recordKey(approvalId), approved, now, { ttlSeconds: AUDIT_TTL_SECONDS });
  const result = await launch(context, approved, rule, false);
  const after = await store.loadRecord<RemediationRecord>(recordKey(approvalId));
  if (after?.outcome === 'starting') {
    // A cap refused the start: nothing ran, so the approval is given back and it can be approved again.
    const reason = result.reason ?? 'not started';
    const { approvedBy: _by, approvedAt: _at, ...pending } = record;
    const restored = withHistory(pending, context.nowMs(), `approval by ${by} not started: ${reason}`);
    await store.saveRecord(recordKey(approvalId), restored, now, { ttlSeconds: AUDIT_TTL_SECONDS });
    await store.releaseLease(approvalLeaseKey(approvalId), owner);
    const refused = decisionOf(restored, { reason });
    report(context, refused, record.alert);
    return refused;
  }
  report(context, result, record.alert);
  return result;
}

/**
 * Rejects a pending remediation: it takes the same approval lease as `approve` and keeps it, so a
 * later approval (a link, the CLI, another click) can never start it; a remediation already approved
 * or started is left as it is and said so.
 */
export async function reject(
  context: RemediationContext,
  approvalId: string,
  by: string,
): Promise<RemediationDecision> {
  const store = context.store();
  const found = await pendingRecord(context, approvalId);
  if (!('token' in found)) return found;
  const record = found;
  const now = context.nowMs();
  const until = Math.max(record.expiresAt ?? 0, now + context.config.remediation.approval.expiresAfterMs);
  if (!(await store.acquireLease(approvalLeaseKey(approvalId), `rejected-${randomUUID()}`, until, now))) {
    const latest = (await store.loadRecord<RemediationRecord>(recordKey(approvalId))) ?? record;
    return alreadyApproved(latest);
  }
  const rejected = await finish(context, record, { outcome: 'skipped', reason: `rejected by ${by}` });
  report(context, rejected, record.alert);
  return rejected;
}

/** Where a remediation stands, for the approval page; throws ApprovalNotFoundError when there is none. */
export async function lookup(context: RemediationContext, approvalId: string): Promise<RemediationDecision> {
  const record = await context.store().loadRecord<RemediationRecord>(recordKey(approvalId));
  if (!record) throw new ApprovalNotFoundError(approvalId);
  return decisionOf(record);
}

/** The record of a remediation waiting for approval, or the decision that says why it is not waiting. */
async function pendingRecord(
  context: RemediationContext,
  approvalId: string,
): Promise<RemediationRecord | RemediationDecision> {
  const record = await context.store().loadRecord<RemediationRecord>(recordKey(approvalId));
  if (!record) throw new ApprovalNotFoundError(approvalId);
  if (record.approvedBy) return alreadyApproved(record);
  if (record.outcome !== 'pending-approval') {
    return decisionOf(record, { reason: `not pending approval: it is ${record.outcome}` });
  }
  return record;
}

/** A second approval: a no-op that names who approved first. */
function alreadyApproved(record: RemediationRecord): RemediationDecision {
  const who = record.approvedBy ? ` by ${record.approvedBy}` : '';
  const when = record.approvedAt ? ` at ${new Date(record.approvedAt).toISOString()}` : '';
  return {
    ...decisionOf(record, {
      reason: `already approved${who}${when} (${record.outcome}${record.executionId ? ` ${record.executionId}` : ''}): this approval changes nothing`,
    }),
    alreadyApproved: true,
  };
}

/** The signed approval link, when a URL and a key are configured. */
export async function approvalLinkFor(
  context: RemediationContext,
  token: string,
  expiresAt: number,
): Promise<string | undefined> {
  const url = context.config.remediation.approval.url;
  const approvalKey = context.deps.approvalKey;
  if (!url || !approvalKey) return undefined;
  try {
    const key = await approvalKey();
    return key ? approvalLink(url, key, token, expiresAt) : undefined;
  } catch (error) {
    context.deps.observer.note('warn', 'approval link key unavailable; approval by CLI only', {
      error: (error as Error).message,
    });
    return undefined;
  }
}
