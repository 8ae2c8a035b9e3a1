import type { CloudTrailEvent } from '../sources/cloudtrail/schema';
import { DETECTIONS, type Detection } from './catalog';
import { failed, isReadOnlyCall } from './cloudtrail-fields';
import { detectionIndexOf } from './detection-index';
import { matchesPattern } from './pattern';

/** What the catalog makes of one CloudTrail event. */
export type Evaluation =
  { kind: 'hits'; detections: Detection[] } | { kind: 'none'; reason: string; candidates: string[] };

/**
 * The detection as it applies to a failed call: its `failedSeverity` (if any) and a title and
 * summary that say the attempt failed, so a denied `StopLogging` never reads like a stopped trail.
 */
function asFailedAttempt(detection: Detection): Detection {
  if (detection.errors !== 'include' || detection.failedSeverity === undefined) return detection;
  const { summary } = detection;
  return {
    ...detection,
    severity: detection.failedSeverity,
    title: `Failed attempt: ${detection.title}`,
    summary: (event, facts) =>
      `Failed attempt (${event.detail.errorCode ?? 'error'}): ${
        summary?.(event, facts) ??
        `${detection.title}: ${event.detail.eventName}${facts.resource ? ` on ${facts.resource}` : ''} by ${facts.principal} from ${facts.sourceIp} in ${facts.account}/${facts.region}`
      }`,
  };
}

/**
 * Runs every detection over one CloudTrail event: its pattern must match the whole EventBridge
 * event (`raw`), the call must be allowed by the detection's read-only and error policies, and its
 * predicate must hold. Read-only calls only reach detections that ask for them (`readOnly: true`);
 * failed calls (`errorCode`) only reach detections whose error policy counts them.
 */
export function evaluateDetections(
  event: CloudTrailEvent,
  raw: unknown,
  catalog: readonly Detection[] = DETECTIONS,
): Evaluation {
  const { detail } = event;
  const readOnly = isReadOnlyCall(detail);
  const isFailure = failed(detail);
  const candidates = detectionIndexOf(catalog)
    .candidatesFor(raw)
    .filter((d) => matchesPattern(d.pattern, raw));
  const allowed = candidates.filter((d) => {
    if (readOnly && !d.readOnly) return false;
    if (isFailure && d.errors === 'exclude') return false;
    if (!isFailure && d.errors === 'require') return false;
    return true;
  });
  const detections = allowed.filter((d) => d.predicate?.(event) ?? true);
  if (detections.length > 0) {
    return { kind: 'hits', detections: isFailure ? detections.map(asFailedAttempt) : detections };
  }

  const ids = candidates.map((d) => d.id);
  const call = `${detail.eventSource} ${detail.eventName}`;
  let reason: string;
  if (readOnly && allowed.length === 0) {
    reason = `read-only call ${call}: no detection wants read-only events of this kind`;
  } else if (isFailure && allowed.length === 0) {
    reason = `failed call ${call} (${detail.errorCode}): a failed call changed nothing and no detection counts it`;
  } else if (allowed.length > 0) {
    reason = `${call}: ${ids.join(', ')} matched the pattern but not the condition`;
  } else {
    reason = `${call}: no detection flags it`;
  }
  return { kind: 'none', reason, candidates: ids };
}
