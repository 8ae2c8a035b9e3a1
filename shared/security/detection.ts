import type { Severity } from '../alert/alert';
import type { CloudTrailEvent } from '../sources/cloudtrail/schema';
import type { EventPattern, PatternCondition } from './pattern';

/** The shape of a CloudTrail detection: the catalog's entries are plain values of these types. */

/** How a detection treats failed calls (`errorCode` present). */
export type ErrorPolicy =
  /** Only successful calls count (the default: a failed call changed nothing). */
  | 'exclude'
  /** Only failed calls count (CIS CloudWatch.2, unauthorized calls). */
  | 'require'
  /** Both count (root usage: a denied root call still means someone holds root credentials). */
  | 'include';

/** The MITRE ATT&CK Enterprise tactics (cloud matrix), by their ATT&CK short names. */
export const ATTACK_TACTICS = [
  'initial-access',
  'execution',
  'persistence',
  'privilege-escalation',
  'defense-evasion',
  'credential-access',
  'discovery',
  'lateral-movement',
  'collection',
  'exfiltration',
  'impact',
] as const;

/** One MITRE ATT&CK tactic. */
export type AttackTactic = (typeof ATTACK_TACTICS)[number];

/** Which identity fields make up a detection's fingerprint, besides its id and the account. */
export type FingerprintScope =
  /** `detection|principal|account`: repeats by one principal fold into one open incident. */
  | 'principal'
  /** Adds the sign-in session, so a root or no-MFA session pages once, not once per call. */
  | 'session'
  /** Adds the source IP (failed sign-ins are counted per principal and IP). */
  | 'principal-ip';

/** An SSM Automation document a detection can hand to the remediation stage, with its parameters. */
export interface RemediationRef {
  /** An AWS-owned runbook, e.g. `AWS-DisablePublicAccessForSecurityGroup`. */
  document: string;
  /** Parameter templates over the alert (`{{ labels.resource }}`, `{{ labels.account }}`). */
  parameters: Readonly<Record<string, string>>;
}

/**
 * A count-in-window condition: the detection's hits are counted per principal and account in fixed
 * windows of `windowSeconds` (aligned to the epoch), and one alert goes out when a window's count
 * reaches `count`; the hits themselves are not alerts. klaxon.yml can override both numbers
 * (`security.detections.thresholds.<id>`).
 */
export interface ThresholdSpec {
  /** What is counted: distinct calls (`eventSource eventName`), or every call (by event id). */
  counts: 'distinct-calls' | 'calls';
  count: number;
  windowSeconds: number;
}

/** One detection of the catalog. */
export interface Detection {
  /** Stable kebab-case id: the `detection` label and part of the fingerprint. */
  id: string;
  title: string;
  severity: Severity;
  /** Compliance controls it maps to, e.g. `CIS CloudWatch.1`, `CIS 1.4 4.3`. */
  controls: readonly string[];
  /** The EventBridge pattern delivering candidate events: scalar fields only (see `pattern.ts`). */
  pattern: EventPattern;
  /** True when the rule needs state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` (read-only calls count). */
  readOnly: boolean;
  errors: ErrorPolicy;
  /**
   * The severity of a failed call when `errors` is `include`; absent means the same severity as a
   * successful one. Defence-evasion detections must set `error` or above: a denied attempt to blind
   * the account is itself a signal.
   */
  failedSeverity?: Severity;
  /** The ATT&CK tactics it watches, the first being the one it is listed under. */
  tactics: readonly AttackTactic[];
  /** The ATT&CK technique ids, e.g. `T1562.008`. */
  techniques: readonly string[];
  /** `us-east-1` for global services (IAM, Organizations, root sign-in); `all` for Regional ones. */
  region: 'us-east-1' | 'all';
  /** Where the events arrive, for operators (console sign-in and root caveats). */
  regionNote: string;
  fingerprint: FingerprintScope;
  /** What the pattern cannot express; absent means the pattern is the whole condition. */
  predicate?: (event: CloudTrailEvent) => boolean;
  /** The resource acted on; defaults to the generic request-parameter reader. */
  resource?: (event: CloudTrailEvent) => string | undefined;
  /** A one-line summary; defaults to `<title>: <eventName> on <resource> by <principal> from <ip> in <account>/<region>`. */
  summary?: (event: CloudTrailEvent, facts: SummaryFacts) => string;
  runbookUrl: string;
  remediation?: RemediationRef;
  /** Present for threshold detections: a hit is counted, and only the crossing alerts. */
  threshold?: ThresholdSpec;
  /**
   * Present when klaxon.yml must say where the account's own calls come from
   * (`security.egressCidrs`): hits from inside those ranges are dropped, and without them the
   * detection is not evaluated (docs/detections.md).
   */
  needsEgressCidrs?: true;
}

/** Facts the normalizer has already extracted, handed to custom summaries. */
export interface SummaryFacts {
  principal: string;
  account: string;
  region: string;
  sourceIp: string;
  resource?: string;
}

/** The pattern condition that keeps failed calls out (`detail.errorCode` absent). */
export const NO_ERROR: PatternCondition[] = [{ exists: false }];
