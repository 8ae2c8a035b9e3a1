import { finish, report } from './audit';
import type { RemediationContext } from './context';
import { breakerOpen } from './guards';
import { launch } from './launch';
import { approvalLink } from './approval';
import {
  decisionOf,
  type RemediationDecision,
  type RemediationRecord,
  recordKey,
  withHistory,
} from './record';

/**
 * Approves a pending remediation (the CLI, a signed link, or later a Slack button) and starts it
 * behind the same guards. `by` names the approver for the audit record.
 */
export async function approve(
  context: RemediationContext,
  approvalId: string,
  by: string,
): Promise<RemediationDecision> {
  const store = context.store();
  const record = await store.loadRecord<RemediationRecord>(recordKey(approvalId));
  if (!record) throw new Error(`no remediation with id ${approvalId}`);
  if (record.outcome !== 'pending-approval') {
    return decisionOf(record, { reason: `not pending approval: it is ${record.outcome}` });
  }
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
  const approved = withHistory({ ...record, approvedBy: by }, now, `approved by ${by}`);
  const result = await launch(context, approved, rule, false);
  report(context, result, record.alert);
  return result;
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
