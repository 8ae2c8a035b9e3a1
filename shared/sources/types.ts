import type { Alert, Severity } from '../alert/alert';
import type { ConsolePartition } from '../alert/partition';

/** An alert as a normalizer produces it: severity is decided later, from rules and hints. */
export interface AlertDraft extends Omit<Alert, 'severity'> {
  /** A severity word the event itself carries (e.g. an alarm's `severity` tag), which wins over rules. */
  severityHint?: { word: string; from: string };
  /** The alarm tags the event itself carried (enrichment then skips ListTagsForResource). */
  alarmTags?: Record<string, string>;
  /** A runbook URL the event carries (e.g. an alarm's `runbook` tag). */
  runbookHint?: string;
  /**
   * The partition whose console the alert's links point to; absent when the Region is unknown or
   * its partition has no console Klaxon links to (the alert then carries no console links).
   */
  partition?: ConsolePartition;
  /**
   * Set when the event was an EventBridge event inside an SNS message, with the event's own
   * `account`: accepted only from a topic listed in `intake.eventBridgeOverSns` for that account.
   */
  eventBridgeInSns?: { account: string };
  /** The SNS topic the event came through, if any (its configured name becomes the `topic` label). */
  topicArn?: string;
  /**
   * An event that happens once and never resolves (a scaling activity, a cost anomaly, a failed
   * deployment): notified once, never repeated (`repeatInterval`), never an inhibition source.
   */
  pointEvent?: boolean;
  /** Set when the source itself says not to notify (muted alarm, suppressed composite actions). */
  suppressedBySource?: string;
  /**
   * The severity when neither the event (a hint) nor a `severity` rule decides, instead of
   * `defaults.severity`: the informational sources set `info` (AWS Health abuse events `warning`).
   */
  defaultSeverity?: Severity;
  /** What the security stage checks before a CloudTrail detection hit may alert (threshold count, egress ranges). */
  detectionScreen?: DetectionScreen;
}

/** The conditions of a detection hit that need state or klaxon.yml (checked by the security stage). */
export interface DetectionScreen {
  /** A threshold detection: the hit is counted (`member` once per window) and only the crossing alerts. */
  threshold?: {
    title: string;
    counts: 'distinct-calls' | 'calls';
    count: number;
    windowSeconds: number;
    member: string;
  };
  /** Drop the hit when its source IP lies in `security.egressCidrs`; not evaluated without them. */
  egress?: true;
}

/**
 * An event of a source Klaxon knows but the function's own registry does not carry: not parsed,
 * only named (`key`, as sourceKeyOf names it), so the pipeline refuses it as it refuses any source
 * a function does not accept.
 */
export interface ForeignEvent {
  key: string;
  /** Set when the event came inside an SNS message, with the event's own `account`. */
  eventBridgeInSns?: { account: string };
}

/** What one normalizer makes of one record. */
export type NormalizeResult =
  | { kind: 'alerts'; drafts: AlertDraft[] }
  | { kind: 'ignored'; reason: string; notice?: string; foreign?: ForeignEvent }
  | { kind: 'invalid'; reason: string };
