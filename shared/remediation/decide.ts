import { queuedAlert } from '../delivery/jobs';
import { StateStoreError } from '../errors';
import type { Decision } from '../routing/decide';
import { guardAndAct } from './act';
import { auditOnly, degraded, finish } from './audit';
import type { RemediationRule } from './config';
import type { RemediationContext } from './context';
import { planParameters, Skip } from './plan';
import {
  type RemediationDecision,
  type RemediationRecord,
  recordKey,
  AUDIT_TTL_SECONDS,
  withHistory,
} from './record';
import { remediationToken } from './token';
import { describeParameters } from './wording';

/** A claim still `starting` after this long belongs to an invocation that died mid-start. */
const STALE_START_MS = 60_000;

/**
 * Decides for one alert and its matching rule: a dry run (or a replay) says what it would do; a
 * live decision claims the transition in the state table and goes through every guard.
 */
export async function decideRemediation(
  context: RemediationContext,
  rule: RemediationRule,
  decision: Decision,
  live: boolean,
): Promise<{ remediation: RemediationDecision; link?: string }> {
  const { alert } = decision;
  const token = remediationToken(alert.transitionId, rule.name);
  const base = { rule: rule.name, action: rule.action.name, mode: rule.mode };
  let parameters: Record<string, string> = {};
  let problem: string | undefined;
  try {
    parameters = planParameters(context, rule, decision, live);
  } catch (error) {
    if (!(error instanceof Skip)) throw error;
    problem = error.message;
  }
  if (!live || rule.mode === 'dry-run') {
    const remediation: RemediationDecision = problem
      ? { ...base, parameters, outcome: 'skipped', reason: problem }
      : {
          ...base,
          parameters,
          outcome: 'dry-run',
          reason: live
            ? `matched ${rule.matcher.description}; mode dry-run: would start ${rule.action.name} (${describeParameters(parameters)}); nothing was started`
            : `matched ${rule.matcher.description}; replay: would ${rule.mode === 'approve' ? 'ask for approval to start' : 'start'} ${rule.action.name} (${describeParameters(parameters)}); replays never act${rule.mode === 'dry-run' ? '' : ` (the rule's mode is ${rule.mode})`}`,
        };
    if (live) await auditOnly(context, token, rule, decision, remediation);
    return { remediation };
  }
  const store = context.deps.store;
  if (!store) {
    return {
      remediation: {
        ...base,
        parameters,
        outcome: 'skipped',
        reason:
          'no state table: cooldowns, caps and idempotency cannot be enforced, so nothing is started (fail closed)',
      },
    };
  }
  try {
    const now = context.nowMs();
    const record: RemediationRecord = {
      token,
      ...base,
      kind: rule.action.kind,
      parameters,
      outcome: 'starting',
      decidedAt: now,
      fingerprint: alert.fingerprint,
      transitionId: alert.transitionId,
      receivers: decision.suppressed ? [] : decision.receivers,
      alert: queuedAlert(alert),
      history: [{ at: new Date(now).toISOString(), event: `matched rule ${rule.name} (mode ${rule.mode})` }],
    };
    const claimed = await store.saveRecord(recordKey(token), record, now, {
      ifAbsent: true,
      ttlSeconds: AUDIT_TTL_SECONDS,
    });
    if (!claimed) return { remediation: await duplicate(context, token, rule, parameters) };
    if (problem)
      return { remediation: await finish(context, record, { outcome: 'skipped', reason: problem }) };
    return await guardAndAct(context, record, rule);
  } catch (error) {
    if (!(error instanceof StateStoreError)) throw error;
    degraded(context, 'remediation guards', error);
    return {
      remediation: {
        ...base,
        parameters,
        outcome: 'skipped',
        reason: 'the state table is unavailable: nothing is started without guards (fail closed)',
      },
    };
  }
}

/** A second decision for the same transition and rule: report the first one; restart a start that died. */
async function duplicate(
  context: RemediationContext,
  token: string,
  rule: RemediationRule,
  parameters: Record<string, string>,
): Promise<RemediationDecision> {
  const existing = await context.store().loadRecord<RemediationRecord>(recordKey(token));
  const base = { rule: rule.name, action: rule.action.name, mode: rule.mode, parameters };
  if (!existing) return { ...base, outcome: 'skipped', reason: 'duplicate of a decision in progress' };
  const stale = existing.outcome === 'starting' && context.nowMs() - existing.decidedAt > STALE_START_MS;
  if (stale && rule.action.kind === 'automation') {
    // The first invocation died between its claim and its start; the ClientToken makes retrying safe.
    const retrying = withHistory(
      existing,
      context.deps.now().getTime(),
      'retrying a start that did not finish',
    );
    return (await guardAndAct(context, retrying, rule)).remediation;
  }
  return {
    ...base,
    outcome: 'skipped',
    reason: `duplicate: this transition was already decided (${existing.outcome}${existing.executionId ? ` ${existing.executionId}` : ''})`,
    ...(existing.executionId ? { executionId: existing.executionId } : {}),
    ...(existing.outcome === 'pending-approval' ? { approvalId: existing.token } : {}),
  };
}
