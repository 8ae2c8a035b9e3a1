import { guardDutySource } from '../sources/guardduty/source';
import { patternOf } from '../sources/rules';
import { securityHubSource } from '../sources/securityhub/source';
import { DETECTIONS, type Detection } from './catalog';
import { NO_ERROR } from './detection';
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
  /** Stable id: the first detection it delivers, or `findings-*`. */
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

/**
 * The largest merged pattern, in characters of JSON. EventBridge caps a pattern's size; staying well
 * under the documented limit leaves room for the forwarding template's copies of each pattern.
 */
export const MAX_MERGED_PATTERN_CHARS = 2048;

/**
 * What a rule may share with another: the pattern without `detail.eventName` when that is a list of
 * plain names (the rest must be identical), and the rule state. Patterns naming events by operator
 * (`prefix`) merge only with identical patterns.
 */
function mergeKey(detection: Detection): string {
  const detail = detection.pattern.detail;
  const names = detail && !Array.isArray(detail) ? (detail as EventPattern).eventName : undefined;
  const plain = Array.isArray(names) && names.every((n) => typeof n === 'string');
  if (!plain) return `exact|${detection.readOnly}|${JSON.stringify(detection.pattern)}`;
  const { eventName: _names, errorCode, ...rest } = detail as EventPattern;
  // Successful-only and all-call patterns of one service share a rule: the wider rule only adds
  // failed calls, which each detection's own error policy filters again.
  const errors = JSON.stringify(errorCode) === JSON.stringify(NO_ERROR) ? undefined : errorCode;
  return `names|${detection.readOnly}|${JSON.stringify({ ...detection.pattern, detail: { ...rest, errorCode: errors } })}`;
}

function eventNamesOf(pattern: EventPattern): string[] {
  const detail = pattern.detail as EventPattern | undefined;
  const names = detail?.eventName;
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
}

/** The pattern of a group: the first detection's, with the union of the group's event names. */
function groupPattern(group: readonly Detection[]): EventPattern {
  const [first] = group as [Detection, ...Detection[]];
  if (group.length === 1) return first.pattern;
  const names = [...new Set(group.flatMap((d) => eventNamesOf(d.pattern)))];
  const detail: EventPattern = { ...(first.pattern.detail as EventPattern), eventName: names };
  const allSuccessOnly = group.every(
    (d) => JSON.stringify((d.pattern.detail as EventPattern).errorCode) === JSON.stringify(NO_ERROR),
  );
  if (!allSuccessOnly) delete detail.errorCode;
  return { ...first.pattern, detail };
}

function description(detections: readonly Detection[]): string {
  const text = `Klaxon: ${detections.map((d) => `${d.title} (${d.id})`).join('; ')}`;
  return text.length > 512 ? `${text.slice(0, 511)}…` : text;
}

/**
 * Builds the rules: detections whose patterns differ only in their event names share one rule whose
 * pattern lists every name (the responder re-checks each detection's own pattern, so a wider rule
 * never widens a detection), split before a pattern outgrows {@link MAX_MERGED_PATTERN_CHARS};
 * plus the finding rules. Fewer rules keep the member forwarding template deployable inline.
 */
export function buildSecurityRules(catalog: readonly Detection[] = DETECTIONS): SecurityRulesFile {
  const groups = new Map<string, Detection[][]>();
  for (const detection of catalog) {
    const key = mergeKey(detection);
    const chunks = groups.get(key) ?? [];
    const last = chunks.at(-1);
    if (last && JSON.stringify(groupPattern([...last, detection])).length <= MAX_MERGED_PATTERN_CHARS) {
      last.push(detection);
    } else {
      chunks.push([detection]);
    }
    groups.set(key, chunks);
  }
  const rules = [...groups.values()].flat().map((group): SecurityRule => {
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
      eventBridge: { description: description(group), pattern: groupPattern(group) },
    };
  });
  return {
    generatedBy: 'npx tsx scripts/generate-security-rules.ts (from shared/security/catalog.ts); do not edit',
    note:
      'One rule per group of detection patterns that differ only in their event names, plus the GuardDuty and Security Hub finding rules. ' +
      'readOnly rules need state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (CLI/CloudFormation only). ' +
      'region us-east-1 rules only ever see events in us-east-1 (or on a hub bus events are forwarded to).',
    rules: [...rules, ...FINDING_RULES],
  };
}
