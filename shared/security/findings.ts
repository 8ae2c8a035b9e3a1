import type { AlertStatus, Severity } from '../alert/alert';

/**
 * Severity and update policy shared by the GuardDuty and Security Hub normalizers.
 *
 * Both give a severity *word* the one documented table in `shared/alert/severity.ts` maps
 * (critical → critical, high → error, medium → warning, low / informational → info), so the
 * mapping in DESIGN.md holds without a second table.
 */

/** The ASFF severity labels, most severe first. */
export const ASFF_LABELS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'] as const;

/** One ASFF severity label. */
export type AsffLabel = (typeof ASFF_LABELS)[number];

/** GuardDuty's numeric severity as a word: 9–10 critical, 7–8.9 high, 4–6.9 medium, below low. */
export function guardDutySeverityWord(score: number): 'critical' | 'high' | 'medium' | 'low' {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/**
 * The ASFF label of a finding: `Severity.Label`, else derived from the deprecated `Normalized`
 * score (90–100 CRITICAL, 70–89 HIGH, 40–69 MEDIUM, 1–39 LOW, 0 INFORMATIONAL).
 */
export function asffLabel(severity: { Label?: AsffLabel; Normalized?: number }): AsffLabel {
  if (severity.Label) return severity.Label;
  const n = severity.Normalized ?? 0;
  if (n >= 90) return 'CRITICAL';
  if (n >= 70) return 'HIGH';
  if (n >= 40) return 'MEDIUM';
  if (n >= 1) return 'LOW';
  return 'INFORMATIONAL';
}

/** What was last notified for a finding (kept by the state table, keyed by fingerprint). */
export interface FindingNotified {
  status: AlertStatus;
  severity: Severity;
}

/**
 * Whether an update of a finding deserves a notification, given what was last notified for its
 * fingerprint: a new finding, a change of status (firing ↔ resolved) or a change of severity does;
 * a mere update (new `updatedAt`, higher `count`, a note) with the same status and severity does
 * not. A resolve for a finding never notified sends nothing. This needs the state table; without
 * it (`previous` undefined) every firing update notifies and PagerDuty folds it by `dedup_key`.
 */
export function shouldNotifyFindingUpdate(
  previous: FindingNotified | undefined,
  next: FindingNotified,
): boolean {
  if (!previous) return next.status === 'firing';
  return previous.status !== next.status || previous.severity !== next.severity;
}
