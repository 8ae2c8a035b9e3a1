import type { KlaxonConfig } from '../config/load';
import type { Dispatcher } from '../delivery/dispatcher';
import type { DeliveryJob } from '../delivery/jobs';
import type { DeliveryResult } from '../receivers/types';
import type { Decision } from '../routing/decide';
import type { StateStore } from '../state/store';
import { approve, lookup, reject } from './approval-flow';
import { report } from './audit';
import { enabledDocuments } from './config';
import type { RemediationContext, RemediatorDeps } from './context';
import { decideRemediation } from './decide';
import { statusReport } from './feedback';
import { withRemediationNotice } from './notice';
import type { RemediationDecision } from './record';
import { recordResolved, verifyRemediation } from './verify';

export type { RemediatorDeps } from './context';
export type { RemediationDecision, RemediationOutcome, RemediationRecord } from './record';

/**
 * The remediation stage: after routing, it matches the alert against the `remediations:` rules and
 * decides (dry run, start, wait for approval, or skip and why) behind every guard; it maps SSM
 * status events back to the alert that caused them; it checks after a successful remediation that
 * the alert resolved, and escalates when not. Every decision goes to the structured log, the metrics
 * and (deployed) an audit record in the state table. Guards fail closed: without the state table,
 * nothing is started.
 *
 * This class is the facade: planning (`plan.ts`), guards (`guards.ts`, `act.ts`), the start
 * (`launch.ts`), approval (`approval-flow.ts`), SSM status feedback (`feedback.ts`), verification
 * (`verify.ts`) and the audit trail (`audit.ts`) each live in their own module.
 */
export class Remediator {
  private readonly context: RemediationContext;

  constructor(deps: RemediatorDeps) {
    const enabled = enabledDocuments(deps.config.remediations);
    this.context = {
      deps,
      config: deps.config,
      enabled,
      nowMs: () => deps.now().getTime(),
      store: (): StateStore => {
        if (!deps.store) throw new Error('remediation needs the state table (KLAXON_STATE_TABLE)');
        return deps.store;
      },
    };
  }

  private get config(): KlaxonConfig {
    return this.context.config;
  }

  /**
   * Called once per alert, after routing. Returns the decision to deliver (annotated with what was
   * done, or rewritten for an SSM status report) and the remediation decision when a rule matched.
   */
  async consider(
    decision: Decision,
    context: { mode: 'deliver' | 'preview' },
  ): Promise<{ decision: Decision; remediation?: RemediationDecision }> {
    const { alert } = decision;
    const live = context.mode === 'deliver';
    // Klaxon's own alerts (notices, status reports) never trigger a remediation (loop prevention).
    if (alert.labels.source === 'klaxon') {
      return alert.labels.kind === 'remediation-status'
        ? statusReport(this.context, decision, live)
        : { decision };
    }
    // A resolve the alarm-state check refused (CloudWatch still says ALARM) does not end the incident.
    const refused = decision.suppressed?.startsWith('resolve refused') === true;
    if (live && alert.status === 'resolved' && !refused) await recordResolved(this.context, alert);
    const labels = { ...alert.labels, severity: alert.severity, status: alert.status };
    const rule = this.config.remediations.find((r) => r.matcher.matches(labels));
    if (!rule) return { decision };
    const { remediation, link } = await decideRemediation(this.context, rule, decision, live);
    report(this.context, remediation, alert);
    return {
      decision: withRemediationNotice(decision, remediation, this.context.deps.stage, link),
      remediation,
    };
  }

  /**
   * Approves a pending remediation (the CLI, a signed link, or a Slack button) and starts it
   * behind the same guards. `by` names the approver for the audit record.
   */
  approve(approvalId: string, by: string): Promise<RemediationDecision> {
    return approve(this.context, approvalId, by);
  }

  /** Where the remediation of an approval id stands; throws ApprovalNotFoundError for an unknown id. */
  lookup(approvalId: string): Promise<RemediationDecision> {
    return lookup(this.context, approvalId);
  }

  /** Rejects a pending remediation for good: no later approval can start it. `by` names who rejected. */
  reject(approvalId: string, by: string): Promise<RemediationDecision> {
    return reject(this.context, approvalId, by);
  }

  /**
   * A `verify-remediation` job: when the remediated alert has not resolved since the execution
   * started, escalate (more urgent severity, escalation receivers added) under its own dedup_key.
   */
  verify(
    job: Extract<DeliveryJob, { kind: 'verify-remediation' }>,
    dispatcher: Dispatcher,
  ): Promise<DeliveryResult | undefined> {
    return verifyRemediation(this.context, job, dispatcher);
  }
}
