import type { AlertDraft } from '../sources/types';

/**
 * Counting failed console sign-ins (CIS CloudWatch.6) per account, principal and source IP in a
 * sliding window. Each failure is recorded as an `info` alert by the normalizer; when the count
 * reaches the configured threshold, {@link checkFailedLoginThreshold} raises one escalated alert.
 * The counter is a port: the in-memory adapter is for tests and replay; deployed, the state table
 * counts (an atomic counter per key and window, with TTL; shared/deployed/pipeline.ts).
 */

/** The detection whose drafts are counted. */
export const FAILED_LOGIN_DETECTION = 'cis-cloudwatch-6-console-auth-failures';

/** Counts events per key within a sliding window. */
export interface FailedLoginCounter {
  /** Records one failure for `key` at `at` and returns how many fell within the last `windowMs`, this one included. */
  record(key: string, at: Date, windowMs: number): Promise<number>;
}

/** The threshold policy (klaxon.yml `security.failedLogins`). */
export interface FailedLoginPolicy {
  threshold: number;
  windowMs: number;
}

/** An in-memory {@link FailedLoginCounter}: per-key timestamps, pruned as the window slides. */
export class InMemoryFailedLoginCounter implements FailedLoginCounter {
  private readonly events = new Map<string, number[]>();

  /** Creates a counter holding at most `maxKeys` keys (the stalest are swept first). */
  constructor(private readonly maxKeys = 10_000) {}

  /** {@inheritDoc FailedLoginCounter.record} */
  async record(key: string, at: Date, windowMs: number): Promise<number> {
    const now = at.getTime();
    const kept = (this.events.get(key) ?? []).filter((t) => t > now - windowMs && t <= now);
    kept.push(now);
    this.events.delete(key);
    this.events.set(key, kept);
    if (this.events.size > this.maxKeys) {
      const oldest = this.events.keys().next().value;
      if (oldest !== undefined) this.events.delete(oldest);
    }
    return kept.length;
  }
}

/** The counting key of a failed sign-in draft: account, principal (or masked user) and source IP. */
export function failedLoginKey(draft: AlertDraft): string {
  const { labels } = draft;
  return `${labels.account}|${labels.principal ?? 'unknown'}|${labels.sourceIp ?? 'unknown'}`;
}

/**
 * Records a failed sign-in and returns the escalated alert when this failure makes the count reach
 * the threshold (exactly once per crossing: later failures in the same window add nothing; a new
 * crossing after the window slides alerts again). Root failures escalate to `error`, others to
 * `warning`. Drafts of other detections return undefined and are not counted.
 */
export async function checkFailedLoginThreshold(
  draft: AlertDraft,
  counter: FailedLoginCounter,
  policy: FailedLoginPolicy,
  now: Date,
): Promise<AlertDraft | undefined> {
  if (draft.labels.detection !== FAILED_LOGIN_DETECTION) return undefined;
  const at = Date.parse(draft.startsAt);
  const count = await counter.record(
    failedLoginKey(draft),
    Number.isNaN(at) ? now : new Date(at),
    policy.windowMs,
  );
  if (count !== policy.threshold) return undefined;
  const { labels } = draft;
  const minutes = Math.round(policy.windowMs / 60_000);
  const root = labels.identityType === 'Root';
  const fingerprint = `${FAILED_LOGIN_DETECTION}|threshold|${labels.principal}|${labels.account}|${labels.sourceIp}`;
  return {
    ...draft,
    labels: { ...labels, aggregate: 'threshold' },
    annotations: {
      ...draft.annotations,
      summary: `${count} failed console sign-ins for ${root ? 'the root account' : labels.principal} from ${labels.sourceIp} in ${labels.account} within ${minutes} min`,
      threshold: `${policy.threshold} in ${minutes} min`,
    },
    fingerprint,
    transitionId: `${draft.transitionId}|threshold`,
    severityHint: { word: root ? 'error' : 'warning', from: 'failed sign-in threshold' },
  };
}
