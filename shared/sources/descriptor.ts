import type { AlertSource, InformationalSource } from '../alert/alert';
import type { EventBridgeEnvelope } from './cloudwatch-alarm/schemas';
import type { IntakeRecord } from './envelope';
import type { NormalizeResult } from './types';

/** Normalizes one EventBridge event whose envelope already parsed (`topicArn` when it came through SNS). */
export type EventBridgeNormalizer = (
  event: EventBridgeEnvelope,
  raw: unknown,
  topicArn?: string,
) => NormalizeResult;

/**
 * The deployed EventBridge rule that subscribes to an event type, generated into
 * `deploy/sources.json` (see shared/sources/rules.ts):
 *
 * - `alarm-state-changes`: the alarm notifier's rule (and the member accounts' forwarding rule);
 * - `informational`: the operational-events function's rule (and its forwarding rule);
 * - `remediation-status`: the security responder's SSM status rules, narrowed to final statuses
 *   and to the documents klaxon.yml enables (deploy/remediation-iam.cjs).
 */
export type DeliveryRule = 'alarm-state-changes' | 'informational' | 'remediation-status';

/** What a `remediation-status` rule keeps of the SSM status events of one kind of document. */
export interface StatusFilter {
  /** The action catalog's `kind` of these documents (shared/remediation/actions.json). */
  documentKind: 'automation' | 'run-command';
  /** The `detail` field naming the document (the deploy step fills in the enabled ones). */
  documentField: string;
  /** The `detail` field holding the status. */
  statusField: string;
  /** The final statuses: the rule keeps only these, and the normalizer ignores every other one. */
  finalStatuses: readonly string[];
}

/** EventBridge events of one AWS source and some detail-types, and the normalizer they go to. */
export type EventBridgeRoute = {
  /** The envelope `source`, e.g. `aws.cloudwatch`. */
  source: string;
  /** The envelope `detail-type` values this route serves. */
  detailTypes: readonly string[];
  normalize: EventBridgeNormalizer;
} & (
  | {
      /**
       * The generated rule that delivers these events; absent when no generated rule should (a
       * configuration change, a lifecycle hook) or another one does (the security rules).
       */
      rule?: Exclude<DeliveryRule, 'remediation-status'>;
    }
  | { rule: 'remediation-status'; statusFilter: StatusFilter }
);

/** An SNS message shape of a source, tried in registry order on parsed SNS message JSON. */
export interface SnsShape {
  /** True when the parsed message claims to be of this source (then `normalize` decides). */
  matches(message: unknown): boolean;
  normalize(message: unknown, record: Extract<IntakeRecord, { kind: 'sns' }>): NormalizeResult;
}

/**
 * Whether a source is informational (`info` alerts for the dashboard timeline and the digest, never
 * a page unless a rule says so), and the `source` label of the alerts it makes: an informational
 * label must be one of `INFORMATIONAL_SOURCES` (shared/alert/alert.ts).
 */
export type SourceTier =
  { informational: true; label: InformationalSource } | { informational: false; label: AlertSource };

/** Everything the registry and the deploy-time lists need to know about one source. */
export type SourceDescriptor = SourceTier & {
  /** The folder under shared/sources/ (unique). */
  id: string;
  /** The source key (sourceKeyOf) of its alerts when it is not the label (Klaxon's own `klaxon:<kind>`). */
  key?: string;
  /** Its EventBridge events, by `source` and `detail-type`. */
  eventBridge: readonly EventBridgeRoute[];
  /**
   * Detail-types served whatever the envelope `source` (CloudTrail API calls of a service no route
   * lists still reach the detection catalog). Never part of a generated rule.
   */
  anySource?: { detailTypes: readonly string[]; normalize: EventBridgeNormalizer };
  /** Its SNS message shape, if it arrives by SNS. */
  sns?: SnsShape;
  /** Its normalizer of a direct Lambda alarm-action payload, if CloudWatch invokes Klaxon directly. */
  alarmAction?: (payload: Record<string, unknown>) => NormalizeResult;
};
