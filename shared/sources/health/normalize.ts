import { urlComponent } from '../../url';
import {
  type ConsolePartition,
  consoleHost,
  consolePartitionOfArn,
  isRegionCode,
} from '../../alert/partition';
import type { EventBridgeEnvelope } from '../cloudwatch-alarm/schemas';
import { clip, firstLine, informationalDraft, millisOf } from '../informational';
import { isoTime, parseLenient, withUnreadable } from '../parse';
import type { AlertDraft, NormalizeResult } from '../types';
import { HEALTH_ABUSE_DETAIL_TYPE, type HealthEventDetail, healthEventDetailSchema } from './schema';

/** The impacted Region: `eventRegion`, else the one in the event ARN, else the delivery Region. */
function impactedRegion(detail: HealthEventDetail, envelope: EventBridgeEnvelope): string {
  if (detail.eventRegion) return detail.eventRegion;
  const fromArn = detail.eventArn.split(':')[3] ?? '';
  return isRegionCode(fromArn) ? fromArn : envelope.region;
}

/** The English description if there is one, else the first. */
function description(detail: HealthEventDetail): string | undefined {
  const english = detail.eventDescription.find((d) => d.language?.toLowerCase().startsWith('en'));
  return (english ?? detail.eventDescription[0])?.latestDescription;
}

/** A link to the event in the AWS Health Dashboard (the console of the partition). */
export function healthEventUrl(partition: ConsolePartition, eventArn: string): string {
  const fragment = `#/account/event-log?eventID=${urlComponent(eventArn)}&eventTab=details`;
  if (partition === 'aws') return `https://health.aws.amazon.com/health/home${fragment}`;
  const home = partition === 'aws-cn' ? 'cn-north-1' : 'us-gov-west-1';
  return `${consoleHost(partition, home)}/health/home${fragment}`;
}

const STATUS_CODES: ReadonlySet<string> = new Set(['open', 'closed', 'upcoming']);

/**
 * Turns one AWS Health event into an informational alert: `open` and `upcoming` are firing,
 * `closed` resolves. The fingerprint is the event ARN and the affected account (an event ARN is
 * shared by every account it affects).
 */
export function healthDraft(
  detail: HealthEventDetail,
  envelope: EventBridgeEnvelope,
  raw: unknown,
): AlertDraft {
  const abuse = envelope['detail-type'] === HEALTH_ABUSE_DETAIL_TYPE;
  const account = detail.affectedAccount ?? envelope.account;
  const region = impactedRegion(detail, envelope);
  const partition = consolePartitionOfArn(detail.eventArn);
  // Without a known statusCode the event is open: a Health event is news until AWS closes it.
  const statusCode =
    detail.statusCode !== undefined && STATUS_CODES.has(detail.statusCode) ? detail.statusCode : 'open';
  const status = statusCode === 'closed' ? 'resolved' : 'firing';
  const observedAt = isoTime(envelope.time, new Date(0).toISOString());
  const updatedAt = isoTime(detail.lastUpdatedTime, observedAt);
  const fingerprint = `${detail.eventArn}|${account}`;
  const text = description(detail);
  const line = text ? firstLine(text, 160) : detail.eventTypeCode;
  const what = abuse ? 'AWS Health abuse event' : `AWS Health ${detail.eventTypeCategory}`;
  const head = status === 'resolved' ? `RESOLVED: ${what}` : `${what} (${statusCode})`;
  const consoleUrl = partition && healthEventUrl(partition, detail.eventArn);
  const entities = (detail.affectedEntities ?? []).map((e) => e.entityValue).filter((v) => v !== '');
  const resources = entities.length > 0 ? entities : envelope.resources;
  return informationalDraft({
    source: 'aws-health',
    kind: 'health',
    account,
    region,
    labels: {
      service: detail.service,
      eventTypeCode: detail.eventTypeCode,
      eventTypeCategory: detail.eventTypeCategory,
      statusCode: detail.statusCode ?? 'unknown',
      eventScopeCode: detail.eventScopeCode,
    },
    annotations: {
      summary: `${head}: ${detail.service} ${detail.eventTypeCode} in ${account}/${region}: ${line}`,
      description: text ? clip(text, 2000) : undefined,
      consoleUrl,
      startTime: detail.startTime ? isoTime(detail.startTime, detail.startTime) : undefined,
      endTime: detail.endTime ? isoTime(detail.endTime, detail.endTime) : undefined,
      affectedResources:
        resources.length > 0
          ? clip(
              resources.slice(0, 10).join(', ') +
                (resources.length > 10 ? ` and ${resources.length - 10} more` : ''),
              1000,
            )
          : undefined,
    },
    status,
    fingerprint,
    // One update of the event: its status and last update (descriptions are revised in place).
    transitionId: `${fingerprint}|${detail.statusCode ?? 'unknown'}|${millisOf(updatedAt)}`,
    startsAt: isoTime(detail.startTime, observedAt),
    observedAt,
    path: 'eventbridge',
    links: consoleUrl ? [{ text: 'AWS Health event', url: consoleUrl }] : [],
    partition,
    defaultSeverity: abuse ? 'warning' : 'info',
    raw,
  });
}

/** Normalizes an `AWS Health Event` or `AWS Health Abuse Event`. */
export function normalizeHealth(envelope: EventBridgeEnvelope, raw: unknown): NormalizeResult {
  const parsed = parseLenient(healthEventDetailSchema, envelope.detail);
  if (!parsed.ok) return { kind: 'invalid', reason: `AWS Health event: ${parsed.reason}` };
  const { statusCode } = parsed.data;
  const notes =
    statusCode === undefined
      ? ['statusCode (missing: read as open)']
      : STATUS_CODES.has(statusCode)
        ? []
        : [`statusCode (unknown value "${statusCode}": read as open)`];
  return {
    kind: 'alerts',
    drafts: withUnreadable([healthDraft(parsed.data, envelope, raw)], [...parsed.unreadable, ...notes]),
  };
}
