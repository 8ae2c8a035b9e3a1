import { urlComponent } from '../../url';
import type { AlertLabels } from '../../alert/alert';
import { consoleHome, consolePartitionOf } from '../../alert/partition';
import type { Detection } from '../../security/catalog';
import { accountOf, mfaOf, principalOf, resourceOf } from '../../security/cloudtrail-fields';
import { evaluateDetections } from '../../security/evaluate';
import { clipText, redactedJson } from '../../redact';
import type { EventBridgeEnvelope } from '../cloudwatch-alarm/schemas';
import type { AlertDraft, DetectionScreen, NormalizeResult } from '../types';
import { type CloudTrailDetail, type CloudTrailEvent, cloudTrailDetailSchema } from './schema';
import { isoTime, parseLenient, withUnreadable } from '../parse';

const MILLIS_SUFFIX = /\.\d{3}Z$/;

/** An ISO-8601 UTC timestamp to the second, or the input when it does not parse. */
function isoSeconds(text: string): string {
  const millis = Date.parse(text);
  return Number.isNaN(millis) ? text : new Date(millis).toISOString().replace(MILLIS_SUFFIX, 'Z');
}

/**
 * The sign-in session an event belongs to, so that one session pages once:
 *
 * - a `ConsoleLogin` starts a session at its `eventTime`;
 * - console and assumed-role calls carry `sessionContext.attributes.creationDate`, the start of the
 *   session whose credentials made the call, which is the sign-in time for console sessions;
 * - calls with long-term keys have no session: the access key id stands in for it;
 * - anything else falls back to the event id (one alert per event).
 *
 * Both times are normalized to whole seconds, so a root `ConsoleLogin` and the calls of the session
 * it opened share one fingerprint (and one PagerDuty incident).
 */
export function sessionKey(detail: CloudTrailDetail): string {
  if (detail.eventName === 'ConsoleLogin') return `session:${isoSeconds(detail.eventTime)}`;
  const created = detail.userIdentity.sessionContext?.attributes?.creationDate;
  if (created) return `session:${isoSeconds(created)}`;
  const key = detail.userIdentity.accessKeyId;
  if (key) return `key:${key}`;
  return `event:${detail.eventID}`;
}

function fingerprintFor(
  detection: Detection,
  detail: CloudTrailDetail,
  principal: string,
  account: string,
): string {
  const base = `${detection.id}|${principal}|${account}`;
  switch (detection.fingerprint) {
    case 'session':
      return `${base}|${sessionKey(detail)}`;
    case 'principal-ip':
      return `${base}|${detail.sourceIPAddress ?? 'unknown-ip'}`;
    default:
      return base;
  }
}

/**
 * A deep link to the event in CloudTrail event history, in the event's own Region and partition;
 * undefined for a Region Klaxon has no console for.
 */
export function cloudTrailEventUrl(region: string, eventId: string): string | undefined {
  const base = consoleHome(region);
  return base && `${base}/cloudtrailv2/home?region=${region}#/events/${urlComponent(eventId)}`;
}

/** Turns one detection hit into an alert draft (labels, who/where/what, identity). */
export function cloudTrailDraft(
  detection: Detection,
  event: CloudTrailEvent,
  raw: unknown,
  observedAt: string,
): AlertDraft {
  const { detail } = event;
  const identity = detail.userIdentity;
  const account = accountOf(detail, event.envelopeAccount);
  const region = detail.awsRegion;
  const principal = principalOf(detail, event.envelopeAccount);
  const resource = (detection.resource ?? (({ detail: d }: CloudTrailEvent) => resourceOf(d)))(event);
  const sourceIp = detail.sourceIPAddress ?? 'unknown';
  const mfa = mfaOf(detail);

  const labels: AlertLabels = {
    source: 'cloudtrail',
    account,
    region,
    detection: detection.id,
    eventName: detail.eventName,
    eventSource: detail.eventSource,
    principal,
    identityType: identity.type,
    sourceIp,
    mfa,
  };
  if (resource) labels.resource = resource;
  const issuer = identity.sessionContext?.sessionIssuer?.arn;
  if (issuer) labels.sessionIssuer = issuer;

  const facts = { principal, account, region, sourceIp, resource };
  const summary =
    detection.summary?.(event, facts) ??
    `${detection.title}: ${detail.eventName}${resource ? ` on ${resource}` : ''} by ${principal} from ${sourceIp} in ${account}/${region}`;

  const who = `${principal} (${identity.type}, MFA ${mfa})${identity.invokedBy ? ` via ${identity.invokedBy}` : ''}`;
  const where = `${sourceIp}${detail.userAgent ? `, ${clipText(detail.userAgent, 200)}` : ''}, region ${region}`;
  const outcome = detail.errorCode
    ? ` failed: ${detail.errorCode}${detail.errorMessage ? `: ${clipText(detail.errorMessage, 200)}` : ''}`
    : detail.errorMessage
      ? ` failed: ${clipText(detail.errorMessage, 200)}`
      : '';
  const what = `${detail.eventSource} ${detail.eventName}${resource ? ` on ${resource}` : ''}${outcome}`;
  const request =
    detail.requestParameters === undefined || detail.requestParameters === null
      ? undefined
      : redactedJson(detail.requestParameters, 1000);
  const description = [
    `${detection.title} (${detection.controls.join(', ')})`,
    `Who: ${who}`,
    `From: ${where}`,
    `What: ${what}`,
    ...(request ? [`Request: ${request}`] : []),
    `Event: ${detail.eventID} at ${detail.eventTime}`,
  ].join('\n');

  const consoleUrl = cloudTrailEventUrl(region, detail.eventID);
  const annotations: AlertDraft['annotations'] = {
    summary: clipText(summary, 500),
    description,
    who,
    where,
    what,
    controls: detection.controls.join(', '),
    runbookUrl: detection.runbookUrl,
    eventId: detail.eventID,
    eventTime: detail.eventTime,
  };
  if (request) annotations.request = request;
  if (consoleUrl) annotations.consoleUrl = consoleUrl;
  if (detection.remediation) annotations.remediation = detection.remediation.document;

  const screen: DetectionScreen = {};
  if (detection.threshold) {
    const { counts, count, windowSeconds } = detection.threshold;
    const member = counts === 'distinct-calls' ? `${detail.eventSource} ${detail.eventName}` : detail.eventID;
    screen.threshold = { title: detection.title, counts, count, windowSeconds, member };
  }
  if (detection.needsEgressCidrs) screen.egress = true;

  return {
    labels,
    annotations,
    ...(screen.threshold || screen.egress ? { detectionScreen: screen } : {}),
    status: 'firing',
    fingerprint: fingerprintFor(detection, detail, principal, account),
    // Always suffixed with the detection: one event can trip several detections, and the id must
    // not change for one of them when another is enabled or disabled between two deliveries.
    transitionId: `${detail.eventID}|${detection.id}`,
    startsAt: isoTime(detail.eventTime, observedAt),
    observedAt,
    path: 'eventbridge',
    links: consoleUrl ? [{ text: 'CloudTrail event', url: consoleUrl }] : [],
    severityHint: { word: detection.severity, from: `detection ${detection.id}` },
    runbookHint: detection.runbookUrl,
    partition: consolePartitionOf(region),
    raw,
  };
}

/**
 * Normalizes an `AWS API Call via CloudTrail` or `AWS Console Sign In via CloudTrail` event:
 * evaluates the detection catalog and returns one draft per detection that flags it, or
 * `ignored` with the reason no detection did (read-only call, failed call, no match).
 */
export function normalizeCloudTrail(envelope: EventBridgeEnvelope, raw: unknown): NormalizeResult {
  const parsed = parseLenient(cloudTrailDetailSchema, envelope.detail);
  if (!parsed.ok) return { kind: 'invalid', reason: `CloudTrail record: ${parsed.reason}` };
  const detail: CloudTrailDetail = {
    ...parsed.data,
    eventTime: parsed.data.eventTime || envelope.time,
    awsRegion: parsed.data.awsRegion || envelope.region,
  };
  const event: CloudTrailEvent = {
    source: envelope.source,
    detailType: envelope['detail-type'],
    envelopeAccount: envelope.account,
    detail,
  };
  const evaluation = evaluateDetections(event, raw);
  if (evaluation.kind === 'none') return { kind: 'ignored', reason: evaluation.reason };
  const observedAt = isoTime(envelope.time, isoTime(detail.eventTime, envelope.time));
  return {
    kind: 'alerts',
    drafts: withUnreadable(
      evaluation.detections.map((detection) => cloudTrailDraft(detection, event, raw, observedAt)),
      parsed.unreadable,
    ),
  };
}
