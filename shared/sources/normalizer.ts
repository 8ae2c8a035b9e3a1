import { InvalidEventError } from '../errors';
import { isRecord, parseJson } from '../json';
import { eventBridgeEnvelopeSchema } from './cloudwatch-alarm/schemas';
import type { EventBridgeNormalizer, SourceDescriptor } from './descriptor';
import type { IntakeRecord } from './envelope';
import type { NormalizeResult } from './types';

/**
 * The EventBridge events of every source Klaxon knows, by the source key their alerts carry
 * (sourceKeyOf), generated from the descriptors into `shared/sources/known-events.json`: a function
 * that carries only some sources still names the others it is sent, without their normalizers.
 */
export interface KnownEvents {
  /** `source|detail-type` → source key. */
  eventBridge: Readonly<Record<string, string>>;
  /** Detail-types known whatever the envelope `source` (CloudTrail API calls) → source key. */
  anySource: Readonly<Record<string, string>>;
}

/** Turns one intake record into drafts, or says why not; bad input becomes a result, never an exception. */
export interface SourceRegistry {
  /** The descriptors whose normalizers this registry runs, in the order SNS shapes are tried. */
  readonly sources: readonly SourceDescriptor[];
  /** The normalizer of each EventBridge event it serves, keyed by `source|detail-type`. */
  readonly eventBridgeNormalizers: ReadonlyMap<string, EventBridgeNormalizer>;
  normalizeRecord(record: IntakeRecord): NormalizeResult;
}

/** The `source|detail-type` key of an EventBridge event. */
export function eventBridgeKey(source: string, detailType: string): string {
  return `${source}|${detailType}`;
}

/** The source key (sourceKeyOf) of the alerts a descriptor makes: its label, unless it names another. */
export function sourceKeyOfDescriptor(descriptor: SourceDescriptor): string {
  return descriptor.key ?? descriptor.label;
}

function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * A registry of the given sources. An EventBridge event none of them serves but `known` names is
 * returned as a foreign event (ignored, with its source key), never parsed and never a notice.
 */
export function sourceRegistry(sources: readonly SourceDescriptor[], known?: KnownEvents): SourceRegistry {
  const normalizers = new Map<string, EventBridgeNormalizer>(
    sources.flatMap((descriptor) =>
      descriptor.eventBridge.flatMap((route) =>
        route.detailTypes.map((detailType): [string, EventBridgeNormalizer] => [
          eventBridgeKey(route.source, detailType),
          route.normalize,
        ]),
      ),
    ),
  );
  // Normalizers of detail-types served whatever the source (CloudTrail API calls of unlisted services).
  const anySourceNormalizers = new Map<string, EventBridgeNormalizer>(
    sources.flatMap(({ anySource }) =>
      anySource
        ? anySource.detailTypes.map((detailType): [string, EventBridgeNormalizer] => [
            detailType,
            anySource.normalize,
          ])
        : [],
    ),
  );
  const snsShapes = sources.flatMap((descriptor) => (descriptor.sns ? [descriptor.sns] : []));
  const alarmAction = sources.find((descriptor) => descriptor.alarmAction)?.alarmAction;

  const foreignKey = (key: string, detailType: string): string | undefined =>
    known ? (known.eventBridge[key] ?? known.anySource[detailType]) : undefined;

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
    const key = eventBridgeKey(source, detailType);
    const normalizer = normalizers.get(key) ?? anySourceNormalizers.get(detailType);
    if (normalizer) return normalizer(envelope.data, raw, topicArn);
    const foreign = foreignKey(key, detailType);
    if (foreign) {
      return {
        kind: 'ignored',
        reason: `${foreign} events are not normalized by this function`,
        foreign: { key: foreign },
      };
    }
    return {
      kind: 'ignored',
      reason: `no normalizer for EventBridge events of source "${source}", detail-type "${detailType}"`,
      notice: 'unsupported event',
    };
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
    const shape = snsShapes.find((candidate) => candidate.matches(message));
    if (shape) return shape.normalize(message, record);
    // An EventBridge event inside an SNS message: normalized like one received directly, and marked,
    // so the pipeline accepts it only from topics listed in intake.eventBridgeOverSns.
    if (isRecord(message) && typeof message['detail-type'] === 'string') {
      const result = normalizeEventBridge(message, record.topicArn);
      const account = typeof message.account === 'string' ? message.account : '(none)';
      if (result.kind === 'ignored' && result.foreign) {
        return { ...result, foreign: { ...result.foreign, eventBridgeInSns: { account } } };
      }
      if (result.kind !== 'alerts') return result;
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

  return {
    sources,
    eventBridgeNormalizers: normalizers,
    normalizeRecord(record) {
      try {
        switch (record.kind) {
          case 'sns':
            return normalizeSnsMessage(record);
          case 'eventbridge':
            return normalizeEventBridge(record.event);
          case 'alarm-action':
            return alarmAction
              ? alarmAction(record.payload)
              : { kind: 'invalid', reason: 'no source takes direct alarm actions' };
          case 'unrecognized':
            return { kind: 'invalid', reason: record.reason };
        }
      } catch (error) {
        if (error instanceof InvalidEventError) return { kind: 'invalid', reason: error.message };
        throw error;
      }
    },
  };
}

/** The known-events table of some descriptors (what `shared/sources/known-events.json` holds for all of them). */
export function knownEventsOf(sources: readonly SourceDescriptor[]): KnownEvents {
  const eventBridge: Record<string, string> = {};
  const anySource: Record<string, string> = {};
  for (const descriptor of sources) {
    const key = sourceKeyOfDescriptor(descriptor);
    const anyTypes = new Set(descriptor.anySource?.detailTypes ?? []);
    for (const detailType of anyTypes) anySource[detailType] ??= key;
    for (const route of descriptor.eventBridge) {
      // A route whose detail-type the same source serves for any envelope source adds nothing.
      for (const detailType of route.detailTypes) {
        if (!anyTypes.has(detailType)) eventBridge[eventBridgeKey(route.source, detailType)] ??= key;
      }
    }
  }
  return { eventBridge, anySource };
}
