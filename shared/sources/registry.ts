import { InvalidEventError } from '../errors';
import { isRecord, parseJson } from '../json';
import { autoScalingSource } from './autoscaling/source';
import { cloudTrailSource } from './cloudtrail/source';
import { eventBridgeEnvelopeSchema } from './cloudwatch-alarm/schemas';
import { cloudWatchAlarmSource } from './cloudwatch-alarm/source';
import { codeDeploySource } from './codedeploy/source';
import { costAnomalySource } from './cost-anomaly/source';
import type { EventBridgeNormalizer, SourceDescriptor } from './descriptor';
import { ecsSource } from './ecs/source';
import type { IntakeRecord } from './envelope';
import { guardDutySource } from './guardduty/source';
import { healthSource } from './health/source';
import { heartbeatSource } from './heartbeat/source';
import { securityHubSource } from './securityhub/source';
import { ssmStatusSource } from './ssm/source';
import type { NormalizeResult } from './types';

/**
 * Every source Klaxon understands. Add a source by adding its descriptor here (see
 * docs/extending-sources.md). SNS shapes are tried in this order, so the heartbeat comes first;
 * the generated deploy lists (deploy/sources.json) keep this order too.
 */
export const SOURCES: readonly SourceDescriptor[] = [
  heartbeatSource,
  cloudWatchAlarmSource,
  cloudTrailSource,
  guardDutySource,
  securityHubSource,
  ssmStatusSource,
  healthSource,
  codeDeploySource,
  ecsSource,
  autoScalingSource,
  costAnomalySource,
];

/** The `source|detail-type` key of an EventBridge event. */
export function eventBridgeKey(source: string, detailType: string): string {
  return `${source}|${detailType}`;
}

/** The normalizer of each registered EventBridge event, keyed by `source|detail-type` (from {@link SOURCES}). */
export const EVENTBRIDGE_NORMALIZERS: Readonly<Record<string, EventBridgeNormalizer>> = Object.fromEntries(
  SOURCES.flatMap((descriptor) =>
    descriptor.eventBridge.flatMap((route) =>
      route.detailTypes.map((detailType): [string, EventBridgeNormalizer] => [
        eventBridgeKey(route.source, detailType),
        route.normalize,
      ]),
    ),
  ),
);

/** Normalizers of detail-types served whatever the source (CloudTrail API calls of unlisted services). */
const ANY_SOURCE_NORMALIZERS: ReadonlyMap<string, EventBridgeNormalizer> = new Map(
  SOURCES.flatMap(({ anySource }) =>
    anySource
      ? anySource.detailTypes.map((detailType): [string, EventBridgeNormalizer] => [
          detailType,
          anySource.normalize,
        ])
      : [],
  ),
);

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
  const { source, 'detail-type': detailType } = envelope.data;
  if (!source.startsWith('aws.')) {
    // Only AWS services emit aws. sources; anyone with events:PutEvents can write any other one,
    // with any detail-type ("AWS API Call via CloudTrail" included).
    return {
      kind: 'ignored',
      reason: `EventBridge source "${excerpt(source, 80)}" is not an AWS service (aws.*): ignored, whatever its detail-type`,
    };
  }
  const normalizer =
    EVENTBRIDGE_NORMALIZERS[eventBridgeKey(source, detailType)] ?? ANY_SOURCE_NORMALIZERS.get(detailType);
  if (!normalizer) {
    return {
      kind: 'ignored',
      reason: `no normalizer for EventBridge events of source "${source}", detail-type "${detailType}"`,
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
  const shape = SOURCES.find((descriptor) => descriptor.sns?.matches(message))?.sns;
  if (shape) return shape.normalize(message, record);
  // An EventBridge event inside an SNS message: normalized like one received directly, and marked,
  // so the pipeline accepts it only from topics listed in intake.eventBridgeOverSns.
  if (isRecord(message) && typeof message['detail-type'] === 'string') {
    const result = normalizeEventBridge(message, record.topicArn);
    if (result.kind !== 'alerts') return result;
    const account = typeof message.account === 'string' ? message.account : '(none)';
    return {
      ...result,
      drafts: result.drafts.map((draft) => ({ ...draft, eventBridgeInSns: { account } })),
    };
  }
  return {
    kind: 'invalid',
    reason: `SNS message is JSON of no known shape (keys: ${isRecord(message) ? Object.keys(message).slice(0, 8).join(', ') : typeof message})`,
  };
}

function normalizeAlarmAction(payload: Record<string, unknown>): NormalizeResult {
  const normalize = SOURCES.find((descriptor) => descriptor.alarmAction)?.alarmAction;
  if (!normalize) return { kind: 'invalid', reason: 'no source takes direct alarm actions' };
  return normalize(payload);
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
        return normalizeAlarmAction(record.payload);
      case 'unrecognized':
        return { kind: 'invalid', reason: record.reason };
    }
  } catch (error) {
    if (error instanceof InvalidEventError) return { kind: 'invalid', reason: error.message };
    throw error;
  }
}
