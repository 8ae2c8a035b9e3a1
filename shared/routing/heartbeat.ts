import type { Alert } from '../alert/alert';
import type { KlaxonConfig } from '../config/load';
import type { AlertDraft } from '../sources/types';

/**
 * A beat older than this is dropped: it proves the pipeline worked back then, not now, and a beat
 * that arrives an hour late must not tell the dead man's switch that all is well. Twice the default
 * schedule (5 minutes), so one slow delivery is not a false alarm on its own.
 */
export const HEARTBEAT_MAX_AGE_MS = 10 * 60_000;

/** What to do with a heartbeat draft: deliver it to the heartbeat receiver only, or drop it with a reason. */
export type HeartbeatRoute =
  { kind: 'deliver'; alert: Alert; receiver: string } | { kind: 'ignored'; reason: string; stale: boolean };

function minutes(ms: number): string {
  return `${Math.round(ms / 6_000) / 10} minutes`;
}

/**
 * Routes a heartbeat: never through the route tree, noise control or remediation (a catch-all must
 * not hear from it every five minutes), only to `heartbeat.receiver`, and only while it is fresh.
 */
export function routeHeartbeat(
  draft: AlertDraft,
  config: Pick<KlaxonConfig, 'heartbeat'>,
  now: Date,
): HeartbeatRoute {
  const heartbeat = config.heartbeat;
  if (!heartbeat) {
    return {
      kind: 'ignored',
      reason:
        'heartbeat received but klaxon.yml configures no heartbeat (section absent or disabled): ignored',
      stale: false,
    };
  }
  const age = now.getTime() - Date.parse(draft.startsAt);
  if (age > HEARTBEAT_MAX_AGE_MS) {
    return {
      kind: 'ignored',
      reason: `stale heartbeat: sent at ${draft.startsAt}, ${minutes(age)} ago (limit ${minutes(HEARTBEAT_MAX_AGE_MS)}); dropped so a late beat does not vouch for a pipeline that may be broken now`,
      stale: true,
    };
  }
  if (age < -HEARTBEAT_MAX_AGE_MS) {
    return {
      kind: 'ignored',
      reason: `heartbeat sent at ${draft.startsAt} is ${minutes(-age)} in the future: dropped (clock skew or a forged beat)`,
      stale: true,
    };
  }
  const {
    severityHint: _hint,
    alarmTags: _tags,
    runbookHint: _runbook,
    partition: _partition,
    topicArn: _topic,
    suppressedBySource: _suppressed,
    ...rest
  } = draft;
  return { kind: 'deliver', alert: { ...rest, severity: 'info' }, receiver: heartbeat.receiver };
}
