import { InvalidEventError } from '../errors';
import { isRecord, parseJson } from '../json';
import {
  alarmTransitionToDraft,
  transitionFromAlarmAction,
  transitionFromContributor,
  transitionFromEventBridge,
  transitionFromSns,
} from './cloudwatch-alarm/normalize';
import { CLOUDTRAIL_REGISTRY_KEYS, normalizeCloudTrail } from './cloudtrail/normalize';
import { API_CALL_DETAIL_TYPE, SIGN_IN_DETAIL_TYPES } from './cloudtrail/schema';
import {
  type EventBridgeEnvelope,
  eventBridgeEnvelopeSchema,
  snsAlarmMessageSchema,
} from './cloudwatch-alarm/schemas';
import {
  AUTOSCALING_ACTIVITY_DETAIL_TYPES,
  AUTOSCALING_LIFECYCLE_DETAIL_TYPES,
  normalizeAutoScaling,
} from './autoscaling/normalize';
import { CODEDEPLOY_DEPLOYMENT_DETAIL_TYPE, normalizeCodeDeploy } from './codedeploy/normalize';
import {
  isCostAnomalyMessage,
  normalizeCostAnomalyEvent,
  normalizeCostAnomalySns,
} from './cost-anomaly/normalize';
import { COST_ANOMALY_DETAIL_TYPE } from './cost-anomaly/schema';
import { ECS_DEPLOYMENT_DETAIL_TYPE, normalizeEcsDeployment } from './ecs/normalize';
import type { IntakeRecord } from './envelope';
import { normalizeHealth } from './health/normalize';
import { HEALTH_ABUSE_DETAIL_TYPE, HEALTH_EVENT_DETAIL_TYPE } from './health/schema';
import { normalizeGuardDuty } from './guardduty/normalize';
import { isHeartbeatMessage, normalizeHeartbeat } from './heartbeat/normalize';
import { normalizeSecurityHub } from './securityhub/normalize';
import {
  AUTOMATION_STATUS_DETAIL_TYPE,
  COMMAND_STATUS_DETAIL_TYPE,
  normalizeAutomationStatus,
  normalizeCommandStatus,
} from './ssm/normalize';
import type { NormalizeResult } from './types';

type EventBridgeNormalizer = (event: EventBridgeEnvelope, raw: unknown, topicArn?: string) => NormalizeResult;

/**
 * The explicit table choosing a normalizer for an EventBridge event, keyed by `source|detail-type`.
 * Add a source by adding a row here (see README, "Adding a source").
 */
export const EVENTBRIDGE_NORMALIZERS: Readonly<Record<string, EventBridgeNormalizer>> = {
  'aws.cloudwatch|CloudWatch Alarm State Change': (event, raw, topicArn) => ({
    kind: 'alerts',
    drafts: [alarmTransitionToDraft(transitionFromEventBridge(event, topicArn), raw)],
  }),
  'aws.cloudwatch|CloudWatch Alarm Contributor State Change': (event, raw, topicArn) => ({
    kind: 'alerts',
    drafts: [alarmTransitionToDraft(transitionFromContributor(event, topicArn), raw)],
  }),
  'aws.cloudwatch|CloudWatch Alarm Configuration Change': () => ({
    kind: 'ignored',
    reason: 'alarm configuration change: not a state change',
  }),
  // CloudTrail API calls (one row per service source) and console sign-ins: the detection catalog.
  ...Object.fromEntries(
    CLOUDTRAIL_REGISTRY_KEYS.map((key): [string, EventBridgeNormalizer] => [key, normalizeCloudTrail]),
  ),
  'aws.guardduty|GuardDuty Finding': normalizeGuardDuty,
  'aws.securityhub|Security Hub Findings - Imported': normalizeSecurityHub,
  // Remediation feedback: SSM status changes of executions Klaxon started (shared/remediation).
  [`aws.ssm|${AUTOMATION_STATUS_DETAIL_TYPE}`]: normalizeAutomationStatus,
  [`aws.ssm|${COMMAND_STATUS_DETAIL_TYPE}`]: normalizeCommandStatus,
  // Informational sources (info alerts for the dashboard timeline and the digest, never a page).
  [`aws.health|${HEALTH_EVENT_DETAIL_TYPE}`]: normalizeHealth,
  [`aws.health|${HEALTH_ABUSE_DETAIL_TYPE}`]: normalizeHealth,
  [`aws.codedeploy|${CODEDEPLOY_DEPLOYMENT_DETAIL_TYPE}`]: normalizeCodeDeploy,
  [`aws.ecs|${ECS_DEPLOYMENT_DETAIL_TYPE}`]: normalizeEcsDeployment,
  ...Object.fromEntries(
    [...Object.keys(AUTOSCALING_ACTIVITY_DETAIL_TYPES), ...AUTOSCALING_LIFECYCLE_DETAIL_TYPES].map(
      (detailType): [string, EventBridgeNormalizer] => [
        `aws.autoscaling|${detailType}`,
        normalizeAutoScaling,
      ],
    ),
  ),
  [`aws.ce|${COST_ANOMALY_DETAIL_TYPE}`]: normalizeCostAnomalyEvent,
};

const CLOUDTRAIL_DETAIL_TYPES: ReadonlySet<string> = new Set([API_CALL_DETAIL_TYPE, ...SIGN_IN_DETAIL_TYPES]);

function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function normalizeEventBridge(raw: Record<string, unknown>, topicArn?: string): NormalizeResult {
  const envelope = eventBridgeEnvelopeSchema.safeParse(raw);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    return {
      kind: 'invalid',
      reason: `EventBridge envelope: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'bad shape'}`,
    };
  }
  const key = `${envelope.data.source}|${envelope.data['detail-type']}`;
  // CloudTrail events of a service the table does not list still go to the detection catalog.
  const normalizer =
    EVENTBRIDGE_NORMALIZERS[key] ??
    (CLOUDTRAIL_DETAIL_TYPES.has(envelope.data['detail-type']) ? normalizeCloudTrail : undefined);
  if (!normalizer) {
    return {
      kind: 'ignored',
      reason: `no normalizer for EventBridge events of source "${envelope.data.source}", detail-type "${envelope.data['detail-type']}"`,
      notice: 'unsupported event',
    };
  }
  return normalizer(envelope.data, raw, topicArn);
}

function normalizeSnsMessage(record: Extract<IntakeRecord, { kind: 'sns' }>): NormalizeResult {
  const trimmed = record.message.trim();
  const parsed = parseJson(trimmed);
  if (!parsed.ok) {
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      return { kind: 'invalid', reason: `SNS message is not valid JSON: ${parsed.error}` };
    }
    return {
      kind: 'ignored',
      reason: `SNS message on topic ${record.topicArn.split(':').pop()} is plain text, not an alarm: "${excerpt(trimmed, 80)}"`,
      notice: 'plain-text message',
    };
  }
  const message = parsed.value;
  // Klaxon's own heartbeat (functions/heartbeat), published to the alarm topic: recognised explicitly.
  if (isHeartbeatMessage(message)) return normalizeHeartbeat(message, record);
  if (isRecord(message) && 'AlarmName' in message && 'NewStateValue' in message) {
    const alarm = snsAlarmMessageSchema.safeParse(message);
    if (!alarm.success) {
      const issue = alarm.error.issues[0];
      return {
        kind: 'invalid',
        reason: `SNS alarm message: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'bad shape'}`,
      };
    }
    const transition = transitionFromSns(alarm.data, {
      topicArn: record.topicArn,
      timestamp: record.timestamp,
    });
    return { kind: 'alerts', drafts: [alarmTransitionToDraft(transition, message)] };
  }
  // Cost Anomaly Detection "individual alerts" published to an SNS topic (the stack's alarm topic
  // lets costalerts.amazonaws.com publish): recognised by their documented shape, see isCostAnomalyMessage.
  if (isCostAnomalyMessage(message)) return normalizeCostAnomalySns(message, record);
  if (isRecord(message) && typeof message['detail-type'] === 'string') {
    return normalizeEventBridge(message, record.topicArn);
  }
  return {
    kind: 'invalid',
    reason: `SNS message is JSON of no known shape (keys: ${isRecord(message) ? Object.keys(message).slice(0, 8).join(', ') : typeof message})`,
  };
}

/** Picks the normalizer for one record and runs it; bad input becomes a result, never an exception. */
export function normalizeRecord(record: IntakeRecord): NormalizeResult {
  try {
    switch (record.kind) {
      case 'sns':
        return normalizeSnsMessage(record);
      case 'eventbridge':
        return normalizeEventBridge(record.event);
      case 'alarm-action':
        return {
          kind: 'alerts',
          drafts: [alarmTransitionToDraft(transitionFromAlarmAction(record.payload), record.payload)],
        };
      case 'unrecognized':
        return { kind: 'invalid', reason: record.reason };
    }
  } catch (error) {
    if (error instanceof InvalidEventError) return { kind: 'invalid', reason: error.message };
    throw error;
  }
}
