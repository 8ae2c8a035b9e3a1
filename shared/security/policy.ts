import type { AlertDraft } from '../sources/types';
import { type AllowlistMatch, isAllowlisted, type SecurityConfig } from './allowlist';
import { cidrContains, parseIp } from './cidr';

/** A CloudTrail draft the policy removed, with the reason (log it as `ignored`). */
export interface DroppedDetection {
  draft: AlertDraft;
  reason: string;
}

/** What {@link applySecurityPolicy} decided for a batch of drafts. */
export interface SecurityPolicyResult {
  /** Drafts to process; allowlisted ones carry `suppressedBySource` and are recorded, not delivered. */
  drafts: AlertDraft[];
  dropped: DroppedDetection[];
}

function enabled(config: SecurityConfig, id: string): boolean {
  const { enabled: on, disabled } = config.detections;
  return (on === 'all' || on.has(id)) && !disabled.has(id);
}

/**
 * Why a hit that needs `security.egressCidrs` is dropped: none are configured (the detection is
 * then not evaluated: every NAT gateway's address would look foreign), or its source IP is inside
 * one of them. Undefined when it stands.
 */
export function egressDropReason(draft: AlertDraft, config: SecurityConfig): string | undefined {
  if (!draft.detectionScreen?.egress) return undefined;
  const id = draft.labels.detection ?? 'unknown';
  if (config.egressCidrs.length === 0) {
    return `${id} is not evaluated: security.egressCidrs is not set (docs/detections.md)`;
  }
  const ip = parseIp(draft.labels.sourceIp ?? '');
  if (!ip) return `${id}: source ${draft.labels.sourceIp ?? 'unknown'} is not an IP address`;
  const inside = config.egressCidrs.find((block) => cidrContains(block, ip));
  return inside
    ? `${id}: source IP ${draft.labels.sourceIp ?? ''} is inside egress range ${inside.text}`
    : undefined;
}

function describe(match: AllowlistMatch): string {
  return match.kind === 'own-role'
    ? `${match.reason} (${match.entry})`
    : `allowlisted ${match.kind} ${match.entry}: ${match.reason}`;
}

/**
 * Applies the `security:` section to normalized drafts, between normalize and classify:
 * disabled detections and Klaxon's own role are dropped (loop prevention); allowlisted principals,
 * CIDRs and accounts are kept but suppressed, so the decision is recorded with its reason;
 * severity overrides replace the catalog's severity hint; hits that need `security.egressCidrs`
 * are dropped from inside them (or when none are set). Non-CloudTrail drafts pass unchanged.
 */
export function applySecurityPolicy(
  drafts: readonly AlertDraft[],
  config: SecurityConfig,
  now: Date,
  ownRoleArns: readonly string[] = [],
): SecurityPolicyResult {
  const result: SecurityPolicyResult = { drafts: [], dropped: [] };
  for (const draft of drafts) {
    const id = draft.labels.detection;
    if (draft.labels.source !== 'cloudtrail' || id === undefined) {
      result.drafts.push(draft);
      continue;
    }
    if (!enabled(config, id)) {
      result.dropped.push({ draft, reason: `detection ${id} is disabled in security.detections` });
      continue;
    }
    const egress = egressDropReason(draft, config);
    if (egress) {
      result.dropped.push({ draft, reason: egress });
      continue;
    }
    const match = isAllowlisted(draft, config, now, ownRoleArns);
    if (match?.kind === 'own-role') {
      result.dropped.push({ draft, reason: describe(match) });
      continue;
    }
    // An allowlisted hit of a threshold detection is not counted: recording each one would keep a
    // record per discovery call.
    if (match && draft.detectionScreen?.threshold) {
      result.dropped.push({ draft, reason: `${describe(match)} (not counted)` });
      continue;
    }
    const severity = config.detections.severity.get(id);
    result.drafts.push({
      ...draft,
      ...(severity ? { severityHint: { word: severity, from: `security.detections.severity.${id}` } } : {}),
      ...(match ? { suppressedBySource: describe(match) } : {}),
    });
  }
  return result;
}
