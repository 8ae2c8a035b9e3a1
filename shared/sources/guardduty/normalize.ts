import { urlComponent } from '../../url';
import type { AlertLabels } from '../../alert/alert';
import { consoleHome, consolePartitionOf } from '../../alert/partition';
import { pathValue } from '../../security/cloudtrail-fields';
import { guardDutySeverityWord } from '../../security/findings';
import { clipText } from '../../redact';
import type { EventBridgeEnvelope } from '../cloudwatch-alarm/schemas';
import type { AlertDraft, NormalizeResult } from '../types';
import { type GuardDutyFinding, guardDutyFindingSchema } from './schema';
import { isoTime, parseLenient, withUnreadable } from '../parse';

/** A finding whose Region is settled (the finding's own, else the envelope's). */
type PlacedFinding = GuardDutyFinding & { region: string };

/**
 * The finding's fingerprint: its ARN (built from account, Region and detector when the event
 * lacks it). Security Hub imports GuardDuty findings with this ARN as the ASFF `Id`, so a finding
 * that arrives both ways has one fingerprint and pages once.
 */
export function guardDutyFingerprint(finding: PlacedFinding): string {
  if (finding.arn) return finding.arn;
  const partition = finding.partition ?? 'aws';
  const detector = finding.service?.detectorId ?? 'unknown-detector';
  return `arn:${partition}:guardduty:${finding.region}:${finding.accountId}:detector/${detector}/finding/${finding.id}`;
}

function resourceOf(finding: PlacedFinding): string | undefined {
  const r = finding.resource;
  return (
    r?.instanceDetails?.instanceId ??
    r?.accessKeyDetails?.userName ??
    r?.accessKeyDetails?.accessKeyId ??
    r?.s3BucketDetails?.find((b) => b.name)?.name ??
    r?.eksClusterDetails?.name
  );
}

const REMOTE_IP_PATHS = [
  'networkConnectionAction.remoteIpDetails.ipAddressV4',
  'awsApiCallAction.remoteIpDetails.ipAddressV4',
  'kubernetesApiCallAction.remoteIpDetails.ipAddressV4',
  'rdsLoginAttemptAction.remoteIpDetails.ipAddressV4',
];

function remoteIpOf(finding: PlacedFinding): string | undefined {
  for (const path of REMOTE_IP_PATHS) {
    const ip = pathValue(finding.service?.action, path);
    if (typeof ip === 'string') return ip;
  }
  const probes = pathValue(finding.service?.action, 'portProbeAction.portProbeDetails');
  const first = Array.isArray(probes) ? pathValue(probes[0], 'remoteIpDetails.ipAddressV4') : undefined;
  return typeof first === 'string' ? first : undefined;
}

/** Turns one GuardDuty finding into an alert draft; archived findings resolve. */
export function guardDutyDraft(
  finding: PlacedFinding,
  envelope: EventBridgeEnvelope,
  raw: unknown,
): AlertDraft {
  const word = finding.severity === undefined ? 'unknown' : guardDutySeverityWord(finding.severity);
  const observed = isoTime(envelope.time, new Date(0).toISOString());
  const archived = finding.service?.archived === true;
  const status = archived ? 'resolved' : 'firing';
  const fingerprint = guardDutyFingerprint(finding);
  const updated = isoTime(finding.updatedAt, finding.updatedAt ?? observed);
  const resource = resourceOf(finding);
  const remoteIp = remoteIpOf(finding);
  const labels: AlertLabels = {
    source: 'guardduty',
    account: finding.accountId,
    region: finding.region,
    findingId: finding.id,
    findingType: finding.type,
    product: 'GuardDuty',
  };
  if (finding.resource?.resourceType) labels.resourceType = finding.resource.resourceType;
  if (resource) labels.resource = resource;
  if (remoteIp) labels.sourceIp = remoteIp;

  const where = `${finding.accountId}/${finding.region}`;
  const title = clipText(finding.title ?? finding.type, 300);
  const summary = archived
    ? `RESOLVED (archived): GuardDuty ${finding.type}: ${title} (${where})`
    : `GuardDuty ${word} ${finding.type}: ${title} (${where})`;
  const home = consoleHome(finding.region);
  const consoleUrl =
    home &&
    `${home}/guardduty/home?region=${finding.region}#/findings?macros=current&fId=${urlComponent(finding.id)}`;
  const annotations: AlertDraft['annotations'] = {
    summary,
    description: finding.description ? clipText(finding.description, 2000) : title,
    findingSeverity: `${finding.severity ?? 'unreadable'} (${word})`,
    consoleUrl,
    firstSeen: finding.service?.eventFirstSeen,
    lastSeen: finding.service?.eventLastSeen,
    count: finding.service?.count === undefined ? undefined : String(finding.service.count),
  };

  return {
    labels,
    annotations,
    status,
    fingerprint,
    // One update of the finding; status and severity word are part of it so a severity change
    // is told apart from a mere re-publication (see shouldNotifyFindingUpdate).
    transitionId: `${fingerprint}|${updated}|${status}:${word}`,
    startsAt: isoTime(finding.createdAt, updated),
    observedAt: isoTime(envelope.time, updated),
    path: 'eventbridge',
    links: consoleUrl ? [{ text: 'GuardDuty finding', url: consoleUrl }] : [],
    // An unreadable severity leaves the decision to the severity rules and the default.
    severityHint:
      finding.severity === undefined ? undefined : { word, from: `GuardDuty severity ${finding.severity}` },
    partition: consolePartitionOf(finding.region),
    raw,
  };
}

/** Normalizes a `GuardDuty Finding` event; account and Region come from the finding, not the envelope. */
export function normalizeGuardDuty(envelope: EventBridgeEnvelope, raw: unknown): NormalizeResult {
  const parsed = parseLenient(guardDutyFindingSchema, envelope.detail);
  if (!parsed.ok) return { kind: 'invalid', reason: `GuardDuty finding: ${parsed.reason}` };
  const finding = { ...parsed.data, region: parsed.data.region ?? envelope.region };
  return {
    kind: 'alerts',
    drafts: withUnreadable([guardDutyDraft(finding, envelope, raw)], parsed.unreadable),
  };
}
