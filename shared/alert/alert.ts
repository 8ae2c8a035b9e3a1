/** The four severities Klaxon uses, ordered from most to least urgent (PagerDuty's scale). */
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

/** One step on Klaxon's single severity scale. */
export type Severity = (typeof SEVERITIES)[number];

/** Whether an alert reports a live problem or the end of one. */
export type AlertStatus = 'firing' | 'resolved';

/**
 * Operational events that are worth knowing, not worth a notification: AWS Health, deployments
 * (CodeDeploy, ECS), Auto Scaling activity, Cost Anomaly Detection. They become `info` alerts unless
 * a severity rule says otherwise, and are gathered into the digest and the dashboard timeline.
 */
export const INFORMATIONAL_SOURCES = [
  'aws-health',
  'codedeploy',
  'ecs',
  'autoscaling',
  'cost-anomaly',
] as const;

/** One of the informational sources. */
export type InformationalSource = (typeof INFORMATIONAL_SOURCES)[number];

/** Every input Klaxon understands, used as the `source` label. */
export type AlertSource =
  'cloudwatch-alarm' | 'cloudtrail' | 'guardduty' | 'securityhub' | 'klaxon' | InformationalSource;

/** True for the sources of the informational tier (dashboard and digest, not notifications). */
export function isInformationalSource(source: string): source is InformationalSource {
  return (INFORMATIONAL_SOURCES as readonly string[]).includes(source);
}

/**
 * The `kind` label every informational alert carries (a closed set: the digest, the dashboard
 * timeline and the `InformationalEvents` metric group by it).
 */
export const INFORMATIONAL_KINDS = ['health', 'deployment', 'scaling', 'cost-anomaly'] as const;

/** One of the informational kinds. */
export type InformationalKind = (typeof INFORMATIONAL_KINDS)[number];

/** The source and kind of an informational alert, or undefined for any other alert. */
export function informationalOf(
  labels: Readonly<AlertLabels>,
): { source: InformationalSource; kind: InformationalKind } | undefined {
  const { source, kind } = labels;
  if (!isInformationalSource(source)) return undefined;
  if (!(INFORMATIONAL_KINDS as readonly string[]).includes(kind ?? '')) return undefined;
  return { source, kind: kind as InformationalKind };
}

/** CloudWatch alarm states, kept in AWS's spelling. */
export type AlarmState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';

/** How the event reached Klaxon; kept for the record, never part of identity. */
export type DeliveryPath = 'sns' | 'eventbridge' | 'alarm-action';

/** Whether a path may make Klaxon do one thing (start a remediation, resolve an incident), and why. */
export interface Trust {
  trusted: boolean;
  reason: string;
}

/**
 * How an alert reached Klaxon and what that path is trusted for (docs/threat-model.md): set when a
 * function accepts the draft, completed by the alarm-state check.
 */
export interface Provenance {
  /** The trigger: an SNS topic, an EventBridge rule, a CloudWatch alarm action, or Klaxon itself. */
  trigger: DeliveryPath | 'klaxon';
  /** The topic ARN (SNS), or the event's `source` on the bus (EventBridge). */
  via?: string;
  /**
   * Set for an EventBridge event inside an SNS message from a topic listed in
   * `intake.eventBridgeOverSns`: the operator opted that topic in; it never remediates.
   */
  optedIn?: 'intake.eventBridgeOverSns';
  remediation: Trust;
  resolve: Trust;
  /** The alarm's state as DescribeAlarms reports it now, when checked (own account only). */
  alarmState?: {
    state: AlarmState | 'missing' | 'unavailable';
    /** Whether the alarm's real metric dimensions are the ones the event names. */
    dimensionsMatch?: boolean;
  };
}

/** Labels route an alert; `source`, `account` and `region` are always present. */
export interface AlertLabels {
  source: AlertSource;
  account: string;
  region: string;
  [name: string]: string;
}

/** Annotations describe an alert for humans; they never influence identity. */
export interface AlertAnnotations {
  summary: string;
  description?: string;
  reason?: string;
  runbookUrl?: string;
  consoleUrl?: string;
  [name: string]: string | undefined;
}

/** Structured facts about the alarmed metric, rendered into payloads (threshold, datapoints…). */
export interface MetricContext {
  namespace?: string;
  metricName?: string;
  statistic?: string;
  dimensions: Record<string, string>;
  threshold?: number;
  comparisonOperator?: string;
  period?: number;
  evaluationPeriods?: number;
  expression?: string;
}

/** The canonical alert every source normalizes into (see DESIGN.md, "The alert"). */
export interface Alert {
  labels: AlertLabels;
  annotations: AlertAnnotations;
  severity: Severity;
  status: AlertStatus;
  /** Stable identity of the problem: the PagerDuty dedup_key for trigger and resolve alike. */
  fingerprint: string;
  /** Identity of one state change, identical whichever path delivered it. */
  transitionId: string;
  startsAt: string;
  observedAt: string;
  path: DeliveryPath;
  metric?: MetricContext;
  /** Links besides runbook and console, in display order. */
  links: Array<{ text: string; url: string }>;
  /** Set when the severity or routing of an INSUFFICIENT_DATA transition follows the no-data policy. */
  noData?: boolean;
  /** How it arrived and what that path is trusted for; absent for alerts built outside the pipeline. */
  provenance?: Provenance;
  raw: unknown;
}

/** Orders severities: negative when `a` is more urgent than `b`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);
}

/** True for a string that is one of the four severities. */
export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}
