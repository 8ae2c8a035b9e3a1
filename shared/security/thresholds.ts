import type { StateStore } from '../state/store';
import type { AlertDraft } from '../sources/types';
import type { SecurityConfig } from './allowlist';

/**
 * Threshold (count-in-window) detections: each hit is counted per detection, account and principal
 * in fixed windows aligned to the epoch, through the state store (a conditional write fires a
 * window once), and only the hit that crosses the threshold becomes an alert.
 */

/** The part of the state store the counting needs (the in-memory store in replays and tests). */
export type ThresholdCounter = Pick<StateStore, 'tallyThreshold'>;

/** What counting one hit decided. */
export type ThresholdOutcome =
  { kind: 'crossed'; draft: AlertDraft } | { kind: 'counted'; reason: string } | { kind: 'not-threshold' };

/** The count and window in force for a detection: klaxon.yml's override, else the catalog's. */
export function thresholdPolicy(
  draft: AlertDraft,
  config: SecurityConfig,
): { count: number; windowMs: number } | undefined {
  const spec = draft.detectionScreen?.threshold;
  const id = draft.labels.detection;
  if (!spec || id === undefined) return undefined;
  return config.detections.thresholds.get(id) ?? { count: spec.count, windowMs: spec.windowSeconds * 1000 };
}

/** The counter key of a hit: detection, account and principal. */
export function thresholdKey(draft: AlertDraft): string {
  const { labels } = draft;
  return `${labels.detection ?? 'unknown'}|${labels.account}|${labels.principal ?? 'unknown'}`;
}

function minutes(ms: number): string {
  const m = ms / 60_000;
  return Number.isInteger(m) ? `${m} min` : `${ms / 1000} s`;
}

/**
 * Counts one hit of a threshold detection. The crossing hit becomes the alert: its summary gives
 * the count and window, and its transition id names the window, so a retried invocation, whichever
 * event it replays, is deduplicated. Drafts without a threshold return `not-threshold`.
 */
export async function checkThreshold(
  draft: AlertDraft,
  counter: ThresholdCounter,
  config: SecurityConfig,
  now: Date,
): Promise<ThresholdOutcome> {
  const spec = draft.detectionScreen?.threshold;
  const policy = thresholdPolicy(draft, config);
  if (!spec || !policy) return { kind: 'not-threshold' };
  const parsed = Date.parse(draft.startsAt);
  const at = Number.isNaN(parsed) ? now.getTime() : parsed;
  const windowStart = Math.floor(at / policy.windowMs) * policy.windowMs;
  const tally = await counter.tallyThreshold(
    thresholdKey(draft),
    {
      windowStart,
      windowMs: policy.windowMs,
      threshold: policy.count,
      // DynamoDB sets refuse an empty string.
      member: spec.member === '' ? 'unknown' : spec.member,
      eventId: draft.transitionId,
    },
    now.getTime(),
  );
  const { labels } = draft;
  const id = labels.detection ?? 'unknown';
  const unit = spec.counts === 'distinct-calls' ? 'distinct calls' : 'calls';
  const window = minutes(policy.windowMs);
  if (!tally.crossed) {
    return {
      kind: 'counted',
      reason: `${id}: counted (${tally.count} of ${policy.count} ${unit} by ${labels.principal ?? 'unknown'} in the ${window} window from ${new Date(windowStart).toISOString()})`,
    };
  }
  return {
    kind: 'crossed',
    draft: {
      ...draft,
      labels: { ...labels, aggregate: 'threshold' },
      annotations: {
        ...draft.annotations,
        summary: `${spec.title}: ${tally.count} ${unit} by ${labels.principal ?? 'unknown'} in ${labels.account} within ${window} (last: ${labels.eventSource ?? ''} ${labels.eventName ?? ''} from ${labels.sourceIp ?? 'unknown'})`,
        threshold: `${policy.count} ${unit} in ${window}`,
      },
      transitionId: `${thresholdKey(draft)}|window:${new Date(windowStart).toISOString()}`,
    },
  };
}
