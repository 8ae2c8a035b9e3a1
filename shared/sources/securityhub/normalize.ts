import { urlComponent } from '../../url';
import type { AlertLabels } from '../../alert/alert';
import { type ConsolePartition, consoleHost, consolePartitionOf, isRegionCode } from '../../alert/partition';
import { asffLabel } from '../../security/findings';
import { clipText } from '../../redact';
import type { EventBridgeEnvelope } from '../cloudwatch-alarm/schemas';
import type { AlertDraft, NormalizeResult } from '../types';
import { type AsffFinding, securityHubCustomActionSchema, securityHubDetailSchema } from './schema';
import { isoTime, parseLenient, withUnreadable } from '../parse';

/** The detail-type of imported Security Hub findings (`source: aws.securityhub`). */
export const SECURITYHUB_FINDINGS_DETAIL_TYPE = 'Security Hub Findings - Imported';

/** The detail-type of findings an analyst sent to a Security Hub custom action. */
export const SECURITYHUB_CUSTOM_ACTION_DETAIL_TYPE = 'Security Hub Findings - Custom Action';

/** The custom action a finding was sent to, when it was. */
export interface CustomAction {
  name: string;
  description?: string;
  /** The event id: each sending is its own alert. */
  eventId: string;
}

/**
 * Why a finding is over, or undefined while it is live: archived (`RecordState`), workflow
 * RESOLVED or SUPPRESSED, or a control check that PASSED.
 */
export function asffResolution(finding: AsffFinding): string | undefined {
  if (finding.RecordState === 'ARCHIVED') return 'archived';
  const workflow = finding.Workflow?.Status;
  if (workflow === 'RESOLVED' || workflow === 'SUPPRESSED') return `workflow ${workflow}`;
  if (finding.Compliance?.Status === 'PASSED') return 'compliance PASSED';
  return undefined;
}

function productOf(finding: AsffFinding): string {
  return finding.ProductName ?? finding.ProductArn.split('/').pop() ?? finding.ProductArn;
}

/** A deep link to the finding in the Security Hub console (its filter syntax double-encodes the id). */
export function securityHubFindingUrl(partition: ConsolePartition, region: string, id: string): string {
  const filter = urlComponent(`Id=\\operator\\:EQUALS\\:${id}`);
  return `${consoleHost(partition, region)}/securityhub/home?region=${region}#/findings?search=${urlComponent(filter)}`;
}

/** The finding's Region: its own, else its first resource's, else the envelope's (any lower-case code). */
function regionOf(finding: AsffFinding, envelope: EventBridgeEnvelope): string {
  const candidates = [finding.Region, finding.Resources?.[0]?.Region];
  return candidates.find((r): r is string => r !== undefined && isRegionCode(r)) ?? envelope.region;
}

/**
 * Turns one ASFF finding into an alert draft; archived, RESOLVED/SUPPRESSED and PASSED findings
 * resolve. A finding sent to a custom action is its own alert (fingerprint and transition per
 * sending), always firing and never resolved: an analyst asked for attention.
 */
export function securityHubDraft(
  finding: AsffFinding,
  envelope: EventBridgeEnvelope,
  raw: unknown,
  action?: CustomAction,
): AlertDraft {
  const label = finding.Severity ? asffLabel(finding.Severity) : undefined;
  const resolution = action ? undefined : asffResolution(finding);
  const status = resolution ? 'resolved' : 'firing';
  const region = regionOf(finding, envelope);
  const partition = consolePartitionOf(region);
  const observed = isoTime(envelope.time, new Date(0).toISOString());
  const updated = isoTime(finding.UpdatedAt, finding.UpdatedAt ?? observed);
  const resource = finding.Resources?.[0];
  const control = finding.Compliance?.SecurityControlId;
  const title = finding.Title ?? finding.Types?.[0] ?? finding.GeneratorId ?? finding.Id;
  const labels: AlertLabels = {
    source: 'securityhub',
    account: finding.AwsAccountId,
    region,
    findingId: finding.Id,
    findingType: finding.Types?.[0] ?? finding.GeneratorId ?? 'unknown',
    // The name people know the finding by (alertName): the title, not the taxonomy path.
    findingTitle: clipText(title, 200),
    product: productOf(finding),
  };
  if (action) labels.customAction = action.name;
  if (control) labels.control = control;
  if (finding.GeneratorId) labels.generatorId = finding.GeneratorId;
  if (resource) {
    labels.resource = resource.Id;
    labels.resourceType = resource.Type;
  }
  if (finding.Compliance?.Status) labels.complianceStatus = finding.Compliance.Status;
  if (finding.Workflow?.Status) labels.workflowStatus = finding.Workflow.Status;
  if (finding.RecordState) labels.recordState = finding.RecordState;

  const where = `${finding.AwsAccountId}/${region}`;
  const what = `${control ? `${control} ` : ''}${clipText(title, 300)}`;
  const severityWord = label ?? 'severity unreadable';
  const summary = resolution
    ? `RESOLVED (${resolution}): ${labels.product} ${what} (${where})`
    : action
      ? `Sent to custom action "${clipText(action.name, 100)}": ${labels.product} ${severityWord} ${what} (${where})`
      : `${labels.product} ${severityWord} ${what} (${where})`;
  const consoleUrl = partition && securityHubFindingUrl(partition, region, finding.Id);
  const annotations: AlertDraft['annotations'] = {
    summary,
    description: finding.Description ? clipText(finding.Description, 2000) : title,
    findingSeverity: label ?? 'unreadable',
    consoleUrl,
    recommendation: finding.Remediation?.Recommendation?.Text,
  };
  if (action?.description) annotations.customActionDescription = clipText(action.description, 500);
  const recommendationUrl = finding.Remediation?.Recommendation?.Url;
  const links = consoleUrl ? [{ text: 'Security Hub finding', url: consoleUrl }] : [];
  if (recommendationUrl) links.push({ text: 'Remediation', url: recommendationUrl });
  // The ASFF Id; for GuardDuty findings it is the GuardDuty finding ARN (same fingerprint both ways).
  const fingerprint = action ? `${finding.Id}|action:${action.name}` : finding.Id;

  return {
    labels,
    annotations,
    status,
    fingerprint,
    transitionId: action
      ? `${fingerprint}|${action.eventId}`
      : `${finding.Id}|${updated}|${status}:${(label ?? 'unknown').toLowerCase()}`,
    startsAt: isoTime(finding.FirstObservedAt ?? finding.CreatedAt, updated),
    observedAt: isoTime(envelope.time, updated),
    path: 'eventbridge',
    links,
    // An unreadable severity leaves the decision to the severity rules and the default.
    severityHint: label ? { word: label.toLowerCase(), from: `Security Hub severity ${label}` } : undefined,
    runbookHint: recommendationUrl,
    partition,
    ...(action ? { pointEvent: true } : {}),
    raw,
  };
}

/** Normalizes a `Security Hub Findings - Imported` event: one draft per finding in `detail.findings`. */
export function normalizeSecurityHub(envelope: EventBridgeEnvelope, raw: unknown): NormalizeResult {
  const parsed = parseLenient(securityHubDetailSchema, envelope.detail);
  if (!parsed.ok) return { kind: 'invalid', reason: `Security Hub findings: ${parsed.reason}` };
  return {
    kind: 'alerts',
    drafts: withUnreadable(
      parsed.data.findings.map((f) => securityHubDraft(f, envelope, raw)),
      parsed.unreadable,
    ),
  };
}

/**
 * Normalizes a `Security Hub Findings - Custom Action` event: one draft per finding, labelled with
 * the action (`customAction`), whatever the finding's workflow or record state.
 */
export function normalizeSecurityHubCustomAction(
  envelope: EventBridgeEnvelope,
  raw: unknown,
): NormalizeResult {
  const parsed = parseLenient(securityHubCustomActionSchema, envelope.detail);
  if (!parsed.ok) return { kind: 'invalid', reason: `Security Hub custom action: ${parsed.reason}` };
  const action: CustomAction = {
    name: parsed.data.actionName ?? 'unnamed action',
    description: parsed.data.actionDescription,
    eventId: envelope.id,
  };
  return {
    kind: 'alerts',
    drafts: withUnreadable(
      parsed.data.findings.map((f) => securityHubDraft(f, envelope, raw, action)),
      parsed.unreadable,
    ),
  };
}
