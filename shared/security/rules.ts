import { guardDutySource } from '../sources/guardduty/source';
import { patternOf } from '../sources/rules';
import { securityHubSource } from '../sources/securityhub/source';
import { DETECTIONS, type Detection } from './catalog';
import type { EventPattern } from './pattern';

/**
 * The EventBridge rules that deliver security events to Klaxon, generated from the detection
 * catalog (`npx tsx scripts/generate-security-rules.ts` writes `deploy/security-rules.json`), so
 * the deployed rules and the catalog cannot drift: a test regenerates the file and compares.
 */

/** The rule state a rule needs: read-only management events only arrive with the second one. */
export type RuleState = 'ENABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/** One generated rule. */
export interface SecurityRule {
  /** Stable id: the detection id (or the first of detections sharing one pattern), or `findings-*`. */
  id: string;
  /** The detections this rule delivers (empty for finding rules). */
  detections: string[];
  /** True when the rule must be in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS. */
  readOnly: boolean;
  state: RuleState;
  /** `us-east-1` when the events only exist there (global services); `all` otherwise. */
  region: 'us-east-1' | 'all';
  regionNote: string;
  /** A serverless `eventBridge` event definition (pattern and description). */
  eventBridge: { description: string; pattern: EventPattern };
}

/** The content of `deploy/security-rules.json`. */
export interface SecurityRulesFile {
  generatedBy: string;
  note: string;
  rules: SecurityRule[];
}

/** The finding rules, which are not CloudTrail detections: their patterns come from the source descriptors. */
export const FINDING_RULES: readonly SecurityRule[] = [
  {
    id: 'findings-guardduty',
    detections: [],
    readOnly: false,
    state: 'ENABLED',
    region: 'all',
    regionNote:
      'Regional: GuardDuty publishes in each Region where a detector runs; a delegated administrator receives member findings on its own bus.',
    eventBridge: {
      description: 'Klaxon: GuardDuty findings',
      pattern: patternOf(guardDutySource.eventBridge),
    },
  },
  {
    id: 'findings-securityhub',
    detections: [],
    readOnly: false,
    state: 'ENABLED',
    region: 'all',
    regionNote:
      'With cross-Region aggregation, deploy in the aggregation Region only; otherwise in every Region.',
    eventBridge: {
      description: 'Klaxon: Security Hub imported findings',
      pattern: patternOf(securityHubSource.eventBridge),
    },
  },
];

function key(pattern: EventPattern): string {
  return JSON.stringify(pattern);
}

function description(detections: readonly Detection[]): string {
  const text = `Klaxon: ${detections.map((d) => `${d.title} (${d.id})`).join('; ')}`;
  return text.length > 512 ? `${text.slice(0, 511)}…` : text;
}

/** Builds the rules: one per distinct pattern (detections with identical patterns share one), plus the finding rules. */
export function buildSecurityRules(catalog: readonly Detection[] = DETECTIONS): SecurityRulesFile {
  const groups = new Map<string, Detection[]>();
  for (const detection of catalog) {
    const group = groups.get(key(detection.pattern));
    if (group) group.push(detection);
    else groups.set(key(detection.pattern), [detection]);
  }
  const rules = [...groups.values()].map((group): SecurityRule => {
    const [first] = group as [Detection, ...Detection[]];
    const readOnly = group.some((d) => d.readOnly);
    const global = group.every((d) => d.region === 'us-east-1');
    return {
      id: first.id,
      detections: group.map((d) => d.id),
      readOnly,
      state: readOnly ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED',
      region: global ? 'us-east-1' : 'all',
      regionNote: [...new Set(group.map((d) => d.regionNote))].join(' '),
      eventBridge: { description: description(group), pattern: first.pattern },
    };
  });
  return {
    generatedBy: 'npx tsx scripts/generate-security-rules.ts (from shared/security/catalog.ts); do not edit',
    note:
      'One rule per distinct detection pattern, plus the GuardDuty and Security Hub finding rules. ' +
      'readOnly rules need state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (CLI/CloudFormation only). ' +
      'region us-east-1 rules only ever see events in us-east-1 (or on a hub bus events are forwarded to).',
    rules: [...rules, ...FINDING_RULES],
  };
}
