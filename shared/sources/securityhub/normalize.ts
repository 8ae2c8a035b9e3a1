import type { AlertLabels } from '../../alert/alert';
import { consoleBase } from '../../enrichment/links';
import { partitionOfRegion } from '../../security/cloudtrail-fields';
import { asffLabel } from '../../security/findings';
import { clipText } from '../../redact';
import type { EventBridgeEnvelope } from '../cloudwatch-alarm/schemas';
import type { AlertDraft, NormalizeResult } from '../types';
import { type AsffFinding, securityHubDetailSchema } from './schema';
import { isoTime, zodReason } from '../parse';

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
export function securityHubFindingUrl(
  partition: 'aws' | 'aws-cn' | 'aws-us-gov',
  region: string,
  id: string,
): string {
  const filter = encodeURIComponent(`Id=\\operator\\:EQUALS\\:${id}`);
  return `${consoleBase(partition, region)}/securityhub/home?region=${region}#/findings?search=${encodeURIComponent(filter)}`;
}

/** Turns one ASFF finding into an alert draft; archived, RESOLVED/SUPPRESSED and PASSED findings resolve. */
export function securityHubDraft(
  finding: AsffFinding,
  envelope: EventBridgeEnvelope,
  raw: unknown,
): AlertDraft {
  const label = asffLabel(finding.Severity);
  const resolution = asffResolution(finding);
  const status = resolution ? 'resolved' : 'firing';
  const region = finding.Region ?? finding.Resources?.[0]?.Region ?? envelope.region;
  const partition = finding.Resources?.[0]?.Partition ?? partitionOfRegion(region);
  const updated = isoTime(finding.UpdatedAt, finding.UpdatedAt);
  const resource = finding.Resources?.[0];
  const control = finding.Compliance?.SecurityControlId;
  const labels: AlertLabels = {
    source: 'securityhub',
    account: finding.AwsAccountId,
    region,
    findingId: finding.Id,
    findingType: finding.Types?.[0] ?? finding.GeneratorId ?? 'unknown',
    product: productOf(finding),
  };
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
  const what = `${control ? `${control} ` : ''}${clipText(finding.Title, 300)}`;
  const summary = resolution
    ? `RESOLVED (${resolution}): ${labels.product} ${what} (${where})`
    : `${labels.product} ${label} ${what} (${where})`;
  const consoleUrl = securityHubFindingUrl(partition, region, finding.Id);
  const annotations: AlertDraft['annotations'] = {
    summary,
    description: finding.Description ? clipText(finding.Description, 2000) : finding.Title,
    findingSeverity: label,
    consoleUrl,
    recommendation: finding.Remediation?.Recommendation?.Text,
  };
  const recommendationUrl = finding.Remediation?.Recommendation?.Url;
  const links = [{ text: 'Security Hub finding', url: consoleUrl }];
  if (recommendationUrl) links.push({ text: 'Remediation', url: recommendationUrl });

  return {
    labels,
    annotations,
    status,
    // The ASFF Id; for GuardDuty findings it is the GuardDuty finding ARN (same fingerprint both ways).
    fingerprint: finding.Id,
    transitionId: `${finding.Id}|${updated}|${status}:${label.toLowerCase()}`,
    startsAt: isoTime(finding.FirstObservedAt ?? finding.CreatedAt, updated),
    observedAt: isoTime(envelope.time, updated),
    path: 'eventbridge',
    links,
    severityHint: { word: label.toLowerCase(), from: `Security Hub severity ${label}` },
    runbookHint: recommendationUrl,
    partition,
    raw,
  };
}

/** Normalizes a `Security Hub Findings - Imported` event: one draft per finding in `detail.findings`. */
export function normalizeSecurityHub(envelope: EventBridgeEnvelope, raw: unknown): NormalizeResult {
  const parsed = securityHubDetailSchema.safeParse(envelope.detail);
  if (!parsed.success)
    return { kind: 'invalid', reason: `Security Hub findings: ${zodReason(parsed.error)}` };
  return { kind: 'alerts', drafts: parsed.data.findings.map((f) => securityHubDraft(f, envelope, raw)) };
}
