import { approvalLinkFor } from './approval-flow';
import { finish } from './audit';
import type { RemediationRule } from './config';
import type { RemediationContext } from './context';
import { breakerOpen, takeCooldown } from './guards';
import { launch } from './launch';
import type { RemediationDecision, RemediationRecord } from './record';
import { formatDuration } from './wording';

/** Circuit breaker and cooldown, then: ask for approval, or start. */
export async function guardAndAct(
  context: RemediationContext,
  claimed: RemediationRecord,
  rule: RemediationRule,
): Promise<{ remediation: RemediationDecision; link?: string }> {
  const now = context.nowMs();
  let record = claimed;
  const open = await breakerOpen(context, rule.name);
  if (open) return { remediation: await finish(context, record, { outcome: 'skipped', reason: open }) };
  const resource = record.parameters[rule.action.resourceParameter] ?? '';
  const cooldownKey = `remediation-cooldown#${rule.name}#${resource}`;
  if (rule.cooldownMs > 0) {
    const free = await takeCooldown(context, cooldownKey, record.token, rule.cooldownMs, now);
    if (!free) {
      return {
        remediation: await finish(context, record, {
          outcome: 'skipped',
          reason: `cooldown: rule ${rule.name} acted on ${resource} less than ${formatDuration(rule.cooldownMs)} ago`,
        }),
      };
    }
    record = { ...record, cooldownKey };
  }
  if (rule.mode === 'approve') {
    const expiresAt = now + context.config.remediation.approval.expiresAfterMs;
    const remediation = await finish(context, record, {
      outcome: 'pending-approval',
      expiresAt,
      reason: `waiting for approval until ${new Date(expiresAt).toISOString()}`,
    });
    return { remediation, link: await approvalLinkFor(context, record.token, expiresAt) };
  }
  return { remediation: await launch(context, record, rule, true) };
}
