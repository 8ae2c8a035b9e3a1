import type { Alert } from '../alert/alert';
import { StateStoreError } from '../errors';
import type { AlertDraft } from '../sources/types';
import type { FindingState, StateStore } from '../state/store';
import type { SecurityConfig } from './allowlist';
import { checkFailedLoginThreshold, type FailedLoginCounter } from './failed-logins';
import { shouldNotifyFindingUpdate } from './findings';
import { applySecurityPolicy, type DroppedDetection } from './policy';
import { checkThreshold, type ThresholdCounter } from './thresholds';

/** What the security stage runs with. */
export interface SecurityStageDeps {
  config: SecurityConfig;
  /** ARNs of Klaxon's own roles: their calls never raise a detection (loop prevention). */
  ownRoleArns: readonly string[];
  counter: FailedLoginCounter;
  /** Counts the hits of threshold detections (the state store; in memory for replays). */
  thresholds: ThresholdCounter;
  now: Date;
  /** Reports a state problem; the stage then carries on without the state (fail open). */
  degraded: (operation: string, error: Error) => void;
}

/**
 * The security stage between normalize and classify: applies the `security:` policy (disabled
 * detections, own role, allowlists, severity overrides, egress ranges), counts the hits of threshold
 * detections (only the crossing one goes on; the others are dropped with their count), and adds the
 * escalated alert when failed console sign-ins cross the threshold. Without state, a threshold hit
 * is dropped and the problem reported: one alert per discovery call would be worse than none.
 */
export async function securityStage(
  drafts: readonly AlertDraft[],
  deps: SecurityStageDeps,
): Promise<{ drafts: AlertDraft[]; dropped: DroppedDetection[] }> {
  const policy = applySecurityPolicy(drafts, deps.config, deps.now, deps.ownRoleArns);
  const out: AlertDraft[] = [];
  const dropped = [...policy.dropped];
  for (const draft of policy.drafts) {
    if (draft.detectionScreen?.threshold && !draft.suppressedBySource) {
      try {
        const outcome = await checkThreshold(draft, deps.thresholds, deps.config, deps.now);
        if (outcome.kind === 'crossed') out.push(outcome.draft);
        else if (outcome.kind === 'counted') dropped.push({ draft, reason: outcome.reason });
      } catch (error) {
        if (!(error instanceof StateStoreError)) throw error;
        deps.degraded('threshold count', error);
        dropped.push({ draft, reason: `${draft.labels.detection ?? ''}: not counted (state unavailable)` });
      }
      continue;
    }
    out.push(draft);
    if (draft.suppressedBySource) continue;
    try {
      const escalated = await checkFailedLoginThreshold(
        draft,
        deps.counter,
        deps.config.failedLogins,
        deps.now,
      );
      if (escalated) out.push(escalated);
    } catch (error) {
      if (!(error instanceof StateStoreError)) throw error;
      deps.degraded('failed sign-in count', error);
    }
  }
  return { drafts: out, dropped };
}

/** True for alerts of security findings (GuardDuty, Security Hub). */
export function isFinding(alert: Alert): boolean {
  return alert.labels.source === 'guardduty' || alert.labels.source === 'securityhub';
}

/** What the finding memory decided for one finding alert. */
export interface FindingMemory {
  /** For a resolve: the severity the finding was notified with, so it reaches the same receivers. */
  severity?: Alert['severity'];
  /** Why the update is not notified (unchanged status and severity, or a resolve never notified). */
  suppressed?: string;
  /** What to remember once the update has been notified. */
  next: FindingState;
}

/**
 * Compares a finding update with what was last notified for its fingerprint: an update with the
 * same status and severity is not notified again (GuardDuty re-publishes every 6 hours), and a
 * resolve goes out with the severity the finding was notified at.
 */
export async function findingMemory(alert: Alert, store: StateStore): Promise<FindingMemory> {
  const previous = await store.findingState(alert.fingerprint);
  const severity = alert.status === 'resolved' && previous ? previous.severity : alert.severity;
  const next: FindingState = { status: alert.status, severity };
  if (shouldNotifyFindingUpdate(previous, next)) {
    return { severity: severity === alert.severity ? undefined : severity, next };
  }
  const suppressed = previous
    ? `finding update with unchanged status (${next.status}) and severity (${next.severity})`
    : 'resolve of a finding that was never notified';
  return { suppressed, next };
}
