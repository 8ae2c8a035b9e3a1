import {
  type AlertSource,
  INFORMATIONAL_SOURCES,
  type InformationalKind,
  type Severity,
} from '../alert/alert';
import { RECEIVER_TYPES } from '../receivers/lookup';

/**
 * The fixed list of metrics Klaxon publishes (namespace `Klaxon`). Every dimension value comes from
 * a closed set, so the number of billed custom metrics is bounded by construction.
 */
export const METRIC_DIMENSIONS = {
  /** An alert was produced by a normalizer. */
  AlertsReceived: ['source', 'severity'],
  /** An alert was recorded but not delivered (muted, suppressed, no-data policy). */
  AlertsSuppressed: ['source', 'reason'],
  /** A receiver accepted a notification. */
  NotificationsDelivered: ['receiverType'],
  /** A receiver failed a notification after its retries. */
  NotificationsFailed: ['receiverType', 'retryable'],
  /** A delivery skipped because the same transition already went (or is going) to that receiver. */
  DeliveriesDeduplicated: ['receiverType'],
  /** A delivery handed to the durable retry queue (after failures, for pacing, or as a storm group). */
  DeliveriesQueued: ['receiverType', 'reason'],
  /** A delivery given up on: dead-lettered and reported to the fallback receiver. */
  DeliveriesDeadLettered: ['receiverType'],
  /** The fallback receiver could not be told either. */
  FallbackFailed: [],
  /** The state table failed; Klaxon delivered anyway (fail open). */
  StateStoreDegraded: [],
  /** Milliseconds from the alarm's state change (or event time) to the receiver accepting it. */
  NotificationLatency: ['receiverType'],
  /** An input could not be understood (reported as an "unrecognized event" notice). */
  EventsInvalid: ['path'],
  /** A valid input that needs no notification. */
  EventsIgnored: ['path'],
  /** An event that made alerts although some of its fields could not be read (the `unreadable` annotation). */
  FieldsUnreadable: ['source'],
  /** A remediation rule matched an alert: what Klaxon decided (dry run, started, awaiting approval, skipped). */
  RemediationsDecided: ['mode', 'outcome'],
  /** An informational alert (AWS Health, deployment, scaling, cost anomaly): the dashboard timeline counts it. */
  InformationalEvents: ['source', 'kind'],
  /** The heartbeat function published a beat to the alarm topic (its delivery counts as NotificationsDelivered). */
  HeartbeatsSent: [],
  /** A beat reached the alarm notifier too late to vouch for the pipeline, and was dropped. */
  HeartbeatsStale: [],
  /** A fresh beat could not be delivered within the invocation and was dropped: beats are never retried late. */
  HeartbeatsFailed: [],
  /** Doctor findings at or above `selfCheck.minimum` at a self-check run (warning or error): a gauge per run. */
  SelfCheckFindings: ['severity'],
  /** The scheduled digest was posted (the invocation fails, and is retried, when it could not be). */
  DigestsPosted: ['receiverType'],
} as const;

/** A metric name from the fixed list. */
export type MetricName = keyof typeof METRIC_DIMENSIONS;

/** Closed vocabularies for dimension values. */
export const DIMENSION_VALUES = {
  source: [
    'cloudwatch-alarm',
    'cloudtrail',
    'guardduty',
    'securityhub',
    'klaxon',
    ...INFORMATIONAL_SOURCES,
  ] satisfies AlertSource[],
  severity: ['critical', 'error', 'warning', 'info'] satisfies Severity[],
  kind: ['health', 'deployment', 'scaling', 'cost-anomaly'] satisfies InformationalKind[],
  reason: [
    'muted',
    'actions-suppressed',
    'no-data-policy',
    'silenced',
    'window',
    'inhibited',
    'flapping',
    'allowlisted',
    'finding-unchanged',
    'other',
    'retry',
    'paced',
    'grouped',
  ],
  /** Every registered receiver type (shared/receivers/registry.ts). */
  receiverType: RECEIVER_TYPES,
  retryable: ['true', 'false'],
  path: ['sns', 'eventbridge', 'alarm-action', 'unknown'],
  mode: ['dry-run', 'approve', 'auto'],
  outcome: [
    'dry-run',
    'started',
    'pending-approval',
    'skipped',
    'succeeded',
    'failed',
    'verified',
    'escalated',
  ],
} as const;

/** The dimensions a given metric takes, each restricted to its closed vocabulary. */
export type MetricDimensions<N extends MetricName> = {
  [D in (typeof METRIC_DIMENSIONS)[N][number]]: (typeof DIMENSION_VALUES)[D][number];
};
