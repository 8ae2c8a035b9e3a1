import type { AlarmState, AlertLabels, DeliveryPath, MetricContext } from '../../alert/alert';
import { regionPartition } from '../../alert/partition';
import { InvalidEventError } from '../../errors';
import { isRecord, parseJson } from '../../json';
import { type ParsedArn, parseArn } from '../arn';
import type { AlertDraft } from '../types';
import {
  type AlarmActionPayload,
  type AlarmContributorDetail,
  type AlarmStateChangeDetail,
  alarmActionSchema,
  alarmContributorDetailSchema,
  alarmStateChangeDetailSchema,
  type EventBridgeEnvelope,
  type SnsAlarmMessage,
  snsAlarmMessageSchema,
} from './schemas';
import { parseLenient, unreadableNote } from '../parse';

/** What kind of CloudWatch alarm produced a transition. */
export type AlarmKind = 'metric' | 'math' | 'anomaly' | 'composite' | 'contributor';

/** One alarm state change, independent of the path that delivered it. */
interface AlarmTransition {
  path: DeliveryPath;
  alarmName: string;
  alarmArn: string;
  arn: ParsedArn;
  state: AlarmState;
  previousState?: AlarmState;
  reason?: string;
  stateTime: string;
  fallbackTime: string;
  description?: string;
  kind: AlarmKind;
  metric?: MetricContext;
  tags: Record<string, string>;
  triggeringChildren: string[];
  alarmRule?: string;
  actionsSuppressed?: string;
  mutedBy?: string;
  evaluationState?: string;
  contributor?: { id: string; attributes: Record<string, string> };
  topicArn?: string;
  observedAt: string;
  /** Fields left out because they could not be read (the `unreadable` annotation). */
  unreadable: string[];
}

/** Labels a source can never overwrite with a dimension, tag or contributor attribute. */
export const RESERVED_LABELS = new Set([
  'source',
  'account',
  'region',
  'alarmName',
  'alarmArn',
  'state',
  'previousState',
  'namespace',
  'metricName',
  'alarmKind',
  'topic',
  'severity',
  'status',
  'contributorId',
]);

/** Where an alarm lives when its ARN is missing or unreadable: the account and Region the delivery names. */
interface AlarmHome {
  alarmName: string;
  account: string | undefined;
  region: string | undefined;
  /** The ARN partition of whatever named account and Region (topic ARN), else the Region's. */
  arnPartition?: string;
  /** What the account and Region were taken from, for the note. */
  from: string;
}

function isAlarmArn(arn: ParsedArn | undefined): arn is ParsedArn {
  return arn?.service === 'cloudwatch' && arn.resource.startsWith('alarm:') && !!arn.region && !!arn.account;
}

/**
 * The alarm's ARN, parsed; when it is missing or not a CloudWatch alarm ARN, the ARN CloudWatch
 * would have given the alarm, built from the account and Region the delivery names (the same text,
 * so every path keeps one fingerprint), with a note. Throws only when neither is readable.
 */
function alarmArnOr(
  alarmArn: string | undefined,
  home: AlarmHome,
  notes: string[],
): { text: string; arn: ParsedArn } {
  const given = alarmArn === undefined ? undefined : parseArn(alarmArn);
  if (alarmArn !== undefined && isAlarmArn(given)) return { text: alarmArn, arn: given };
  const partition = home.arnPartition ?? (home.region ? regionPartition(home.region) : undefined) ?? 'aws';
  const text = `arn:${partition}:cloudwatch:${home.region ?? ''}:${home.account ?? ''}:alarm:${home.alarmName}`;
  const built = parseArn(text);
  const shown =
    alarmArn === undefined ? 'missing' : `"${alarmArn.slice(0, 120)}" is not a CloudWatch alarm ARN`;
  if (!isAlarmArn(built)) {
    throw new InvalidEventError(`alarm ARN ${shown}, and ${home.from} names no account and Region`);
  }
  notes.push(`alarm ARN (${shown}: built from ${home.from})`);
  return { text, arn: built };
}

function fromSnsTrigger(trigger: NonNullable<SnsAlarmMessage['Trigger']>): {
  kind: AlarmKind;
  metric: MetricContext;
} {
  const base = {
    threshold: trigger.Threshold,
    comparisonOperator: trigger.ComparisonOperator,
    period: trigger.Period,
    evaluationPeriods: trigger.EvaluationPeriods,
  };
  if (trigger.Metrics && trigger.Metrics.length > 0) {
    const returned = trigger.Metrics.find((m) => m.ReturnData) ?? trigger.Metrics[0];
    const firstStat = trigger.Metrics.find((m) => m.MetricStat)?.MetricStat;
    const anomaly =
      trigger.ThresholdMetricId !== undefined ||
      trigger.Metrics.some((m) => m.Expression?.includes('ANOMALY_DETECTION_BAND'));
    const dimensions = Object.fromEntries(
      (firstStat?.Metric.Dimensions ?? []).map((d) => [d.name, d.value] as const),
    );
    return {
      kind: anomaly ? 'anomaly' : 'math',
      metric: {
        ...base,
        namespace: firstStat?.Metric.Namespace,
        metricName: returned?.MetricStat?.Metric.MetricName,
        statistic: returned?.MetricStat?.Stat ?? firstStat?.Stat,
        expression: trigger.Metrics.find((m) => m.ReturnData && m.Expression)?.Expression,
        dimensions,
      },
    };
  }
  return {
    kind: 'metric',
    metric: {
      ...base,
      namespace: trigger.Namespace,
      metricName: trigger.MetricName,
      statistic: trigger.ExtendedStatistic ?? capitalizeStatistic(trigger.Statistic ?? undefined),
      dimensions: Object.fromEntries((trigger.Dimensions ?? []).map((d) => [d.name, d.value] as const)),
    },
  };
}

/** SNS spells statistics in upper case (`AVERAGE`); EventBridge and the console use `Average`. */
function capitalizeStatistic(statistic: string | undefined): string | undefined {
  if (!statistic) return undefined;
  if (statistic === 'SAMPLE_COUNT') return 'SampleCount';
  return statistic.charAt(0) + statistic.slice(1).toLowerCase();
}

type Configuration = AlarmStateChangeDetail['configuration'];

/** Why a composite alarm's actions were suppressed (EventBridge and alarm-action payloads), if they were. */
function actionsSuppression(state: AlarmStateChangeDetail['state']): string | undefined {
  if (!state.actionsSuppressedBy) return undefined;
  return state.actionsSuppressedReason ?? `actions suppressed by ${state.actionsSuppressedBy}`;
}

function fromConfiguration(
  configuration: Configuration,
  reasonData: string | undefined,
): { kind: AlarmKind; metric?: MetricContext; triggering: string[] } {
  const reason = reasonData ? parseJson(reasonData) : undefined;
  const data = reason?.ok && isRecord(reason.value) ? reason.value : {};
  const triggering = Array.isArray(data.triggeringAlarms)
    ? data.triggeringAlarms.flatMap((t) => (isRecord(t) && typeof t.arn === 'string' ? [t.arn] : []))
    : [];
  if (configuration?.alarmRule) return { kind: 'composite', triggering };
  const metrics = configuration?.metrics ?? [];
  if (metrics.length === 0) return { kind: 'metric', triggering };
  const returned = metrics.find((m) => m.returnData) ?? metrics[0];
  const firstStat = metrics.find((m) => m.metricStat)?.metricStat;
  const anomaly =
    Array.isArray(data.recentUpperThresholds) ||
    metrics.some((m) => m.expression?.includes('ANOMALY_DETECTION_BAND'));
  const math = metrics.length > 1 || returned?.expression !== undefined;
  return {
    kind: anomaly ? 'anomaly' : math ? 'math' : 'metric',
    triggering,
    metric: {
      namespace: firstStat?.metric.namespace,
      metricName: returned?.metricStat?.metric.name ?? (math ? undefined : firstStat?.metric.name),
      statistic: returned?.metricStat?.stat ?? firstStat?.stat,
      expression: returned?.expression,
      dimensions: { ...(firstStat?.metric.dimensions ?? {}) },
      threshold: typeof data.threshold === 'number' ? data.threshold : undefined,
      period: returned?.metricStat?.period ?? returned?.period ?? firstStat?.period,
    },
  };
}

/**
 * Normalizes the alarm JSON of an SNS message (already JSON-parsed). Without a readable
 * `AlarmArn`, the alarm is placed in the topic's Region and the message's `AWSAccountId` (else
 * the topic's account), as the alarm's own ARN would.
 */
export function transitionFromSns(
  raw: unknown,
  sns: { topicArn: string; timestamp?: string },
): AlarmTransition {
  const parsed = parseLenient(snsAlarmMessageSchema, raw);
  if (!parsed.ok) throw new InvalidEventError(`SNS alarm message: ${parsed.reason}`);
  const message: SnsAlarmMessage = parsed.data;
  const notes = [...parsed.unreadable];
  const topic = parseArn(sns.topicArn);
  const { text: alarmArn, arn } = alarmArnOr(
    message.AlarmArn,
    {
      alarmName: message.AlarmName,
      account: message.AWSAccountId ?? topic?.account,
      region: topic?.region,
      arnPartition: topic?.arnPartition,
      from: 'the topic ARN',
    },
    notes,
  );
  const stateTime = message.StateChangeTime ?? sns.timestamp ?? '';
  const composite =
    !message.Trigger && (message.AlarmRule !== undefined || message.TriggeringChildren !== undefined);
  const fromTrigger = message.Trigger ? fromSnsTrigger(message.Trigger) : undefined;
  return {
    path: 'sns',
    alarmName: message.AlarmName,
    alarmArn,
    arn,
    state: message.NewStateValue,
    previousState: message.OldStateValue,
    reason: message.NewStateReason,
    stateTime,
    fallbackTime: sns.timestamp ?? stateTime,
    description: message.AlarmDescription ?? undefined,
    kind: composite ? 'composite' : (fromTrigger?.kind ?? 'metric'),
    metric: fromTrigger?.metric,
    tags: message.AlarmTags ?? {},
    triggeringChildren: (message.TriggeringChildren ?? []).map((c) => c.Arn),
    alarmRule: message.AlarmRule,
    topicArn: sns.topicArn,
    observedAt: sns.timestamp ?? stateTime,
    unreadable: notes,
  };
}

/** The envelope's account and Region, where an EventBridge alarm event lacks a readable alarm ARN. */
function envelopeHome(event: EventBridgeEnvelope, alarmName: string): AlarmHome {
  return { alarmName, account: event.account, region: event.region, from: 'the event envelope' };
}

/** Normalizes an EventBridge `CloudWatch Alarm State Change` event. */
export function transitionFromEventBridge(event: EventBridgeEnvelope, topicArn?: string): AlarmTransition {
  const parsed = parseLenient(alarmStateChangeDetailSchema, event.detail);
  if (!parsed.ok) throw new InvalidEventError(`alarm state change detail: ${parsed.reason}`);
  const detail = parsed.data;
  const notes = [...parsed.unreadable];
  const { text: alarmArn, arn } = alarmArnOr(
    event.resources[0],
    envelopeHome(event, detail.alarmName),
    notes,
  );
  const config = fromConfiguration(detail.configuration, detail.state.reasonData);
  return {
    path: 'eventbridge',
    alarmName: detail.alarmName,
    alarmArn,
    arn,
    state: detail.state.value,
    previousState: detail.previousState?.value,
    reason: detail.state.reason,
    stateTime: detail.state.timestamp ?? event.time,
    fallbackTime: event.time,
    description: detail.configuration?.description ?? undefined,
    kind: config.kind,
    metric: config.metric,
    tags:
      detail.alarmTagsStatus === undefined || detail.alarmTagsStatus === 'SUCCESS'
        ? (detail.alarmTags ?? {})
        : {},
    triggeringChildren: config.triggering,
    alarmRule: detail.configuration?.alarmRule,
    actionsSuppressed: actionsSuppression(detail.state),
    mutedBy: detail.muteDetail?.mutedByArn,
    evaluationState: detail.state.evaluationState,
    topicArn,
    observedAt: event.time,
    unreadable: notes,
  };
}

/** Normalizes an EventBridge `CloudWatch Alarm Contributor State Change` (Metrics Insights) event. */
export function transitionFromContributor(event: EventBridgeEnvelope, topicArn?: string): AlarmTransition {
  const parsed = parseLenient(alarmContributorDetailSchema, event.detail);
  if (!parsed.ok) throw new InvalidEventError(`alarm contributor detail: ${parsed.reason}`);
  const detail: AlarmContributorDetail = parsed.data;
  const notes = [...parsed.unreadable];
  const { text: alarmArn, arn } = alarmArnOr(
    event.resources[0],
    envelopeHome(event, detail.alarmName),
    notes,
  );
  const query =
    detail.configuration?.metrics?.find((m) => m.returnData) ?? detail.configuration?.metrics?.[0];
  return {
    path: 'eventbridge',
    alarmName: detail.alarmName,
    alarmArn,
    arn,
    state: detail.state.value,
    reason: detail.state.reason,
    stateTime: detail.state.timestamp ?? event.time,
    fallbackTime: event.time,
    description: detail.configuration?.description ?? undefined,
    kind: 'contributor',
    metric: { dimensions: {}, expression: query?.expression, period: query?.period },
    tags: detail.alarmTags ?? {},
    triggeringChildren: [],
    mutedBy: detail.muteDetail?.mutedByArn,
    contributor: detail.alarmContributor,
    topicArn,
    observedAt: event.time,
    unreadable: notes,
  };
}

/** Normalizes the payload of a Lambda function invoked directly as an alarm action. */
export function transitionFromAlarmAction(raw: unknown): AlarmTransition {
  const parsed = parseLenient(alarmActionSchema, raw);
  if (!parsed.ok) throw new InvalidEventError(`alarm action payload: ${parsed.reason}`);
  const payload: AlarmActionPayload = parsed.data;
  const data = payload.alarmData;
  const notes = [...parsed.unreadable];
  const { text: alarmArn, arn } = alarmArnOr(
    payload.alarmArn,
    { alarmName: data.alarmName, account: payload.accountId, region: payload.region, from: 'the payload' },
    notes,
  );
  const stateTime = data.state.timestamp ?? payload.time ?? '';
  const config = fromConfiguration(data.configuration, data.state.reasonData);
  const tags = data.alarmTags ?? payload.alarmTags ?? {};
  return {
    path: 'alarm-action',
    alarmName: data.alarmName,
    alarmArn,
    arn,
    state: data.state.value,
    previousState: data.previousState?.value,
    reason: data.state.reason,
    stateTime,
    fallbackTime: payload.time ?? stateTime,
    description: data.configuration?.description ?? undefined,
    kind: config.kind,
    metric: config.metric,
    tags,
    triggeringChildren: config.triggering,
    alarmRule: data.configuration?.alarmRule,
    actionsSuppressed: actionsSuppression(data.state),
    mutedBy: data.muteDetail?.mutedByArn,
    evaluationState: data.state.evaluationState,
    observedAt: payload.time ?? stateTime,
    unreadable: notes,
  };
}

/** Epoch milliseconds of an alarm timestamp (`…+0000`), or undefined when AWS sent an unparsable one. */
export function alarmTimeMillis(text: string): number | undefined {
  // CloudWatch writes the offset without a colon (`+0000`), which Date.parse does not read.
  const millis = Date.parse(hasBasicOffset(text) ? `${text.slice(0, -2)}:${text.slice(-2)}` : text);
  return Number.isNaN(millis) ? undefined : millis;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** True when text ends in a sign and four digits (`+0000`, `-0530`). */
function hasBasicOffset(text: string): boolean {
  const at = text.length - 5;
  if (at < 0) return false;
  const sign = text.charCodeAt(at);
  if (sign !== 43 && sign !== 45) return false;
  for (let i = at + 1; i < text.length; i += 1) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

function isoTime(text: string): string | undefined {
  const millis = alarmTimeMillis(text);
  return millis === undefined ? undefined : new Date(millis).toISOString();
}

function setLabel(labels: AlertLabels, name: string, value: string | undefined): void {
  if (value === undefined || value === '' || RESERVED_LABELS.has(name) || name in labels) return;
  labels[name] = value;
}

function formatThreshold(metric: MetricContext | undefined): string | undefined {
  if (!metric || metric.threshold === undefined || !metric.comparisonOperator) return undefined;
  const symbols: Record<string, string> = {
    GreaterThanThreshold: '>',
    GreaterThanOrEqualToThreshold: '>=',
    LessThanThreshold: '<',
    LessThanOrEqualToThreshold: '<=',
  };
  const symbol = symbols[metric.comparisonOperator] ?? metric.comparisonOperator;
  return `${metric.metricName ?? metric.expression ?? 'value'} ${symbol} ${metric.threshold}`;
}

/** Turns one alarm transition, from whichever path, into the canonical alert draft. */
export function alarmTransitionToDraft(t: AlarmTransition, raw: unknown): AlertDraft {
  const labels: AlertLabels = {
    source: 'cloudwatch-alarm',
    account: t.arn.account,
    region: t.arn.region,
    alarmName: t.alarmName,
    alarmArn: t.alarmArn,
    state: t.state,
    alarmKind: t.kind,
  };
  if (t.previousState) labels.previousState = t.previousState;
  if (t.metric?.namespace) labels.namespace = t.metric.namespace;
  if (t.metric?.metricName) labels.metricName = t.metric.metricName;
  if (t.topicArn) labels.topic = t.topicArn.split(':').pop() ?? t.topicArn;
  if (t.contributor) labels.contributorId = t.contributor.id;
  for (const [name, value] of Object.entries(t.metric?.dimensions ?? {})) setLabel(labels, name, value);
  for (const [name, value] of Object.entries(t.contributor?.attributes ?? {})) setLabel(labels, name, value);
  for (const [name, value] of Object.entries(t.tags)) setLabel(labels, name, value);

  const fingerprint = t.contributor ? `${t.alarmArn}/contributor/${t.contributor.id}` : t.alarmArn;
  const stateMillis =
    alarmTimeMillis(t.stateTime) ?? alarmTimeMillis(t.fallbackTime) ?? Date.parse(t.fallbackTime);
  const transitionId = `${fingerprint}|${t.state}|${Number.isNaN(stateMillis) ? t.stateTime : stateMillis}`;
  const startsAt = Number.isNaN(stateMillis) ? t.observedAt : new Date(stateMillis).toISOString();
  const threshold = formatThreshold(t.metric);
  const where = `${t.arn.account}/${t.arn.region}`;
  const what = t.contributor ? `${t.alarmName} [${t.contributor.id}]` : t.alarmName;
  const summary =
    t.state === 'OK'
      ? `RESOLVED: ${what} is OK (${where})`
      : t.state === 'INSUFFICIENT_DATA'
        ? `NO DATA: ${what} has insufficient data (${where})`
        : `ALARM: ${what}${threshold ? ` (${threshold})` : ''} in ${where}`;

  const annotations: AlertDraft['annotations'] = { summary };
  if (t.description) annotations.description = t.description;
  if (t.reason) annotations.reason = t.reason;
  if (t.alarmRule) annotations.alarmRule = t.alarmRule;
  if (t.triggeringChildren.length > 0) annotations.triggeringAlarms = t.triggeringChildren.join(', ');
  if (t.evaluationState) annotations.evaluationState = t.evaluationState;
  if (t.actionsSuppressed) annotations.actionsSuppressed = t.actionsSuppressed;
  if (t.mutedBy) annotations.mutedBy = t.mutedBy;
  const unreadable = unreadableNote(t.unreadable);
  if (unreadable) annotations.unreadable = unreadable;

  return {
    labels,
    annotations,
    status: t.state === 'OK' ? 'resolved' : 'firing',
    fingerprint,
    transitionId,
    startsAt,
    observedAt: isoTime(t.observedAt) ?? t.observedAt,
    path: t.path,
    metric: t.metric,
    links: [],
    noData: t.state === 'INSUFFICIENT_DATA' ? true : undefined,
    alarmTags: Object.keys(t.tags).length > 0 ? t.tags : undefined,
    severityHint: t.tags.severity ? { word: t.tags.severity, from: 'alarm tag "severity"' } : undefined,
    runbookHint: t.tags.runbook,
    partition: t.arn.partition,
    topicArn: t.topicArn,
    suppressedBySource: t.mutedBy
      ? `muted by alarm mute rule ${t.mutedBy.split(':').pop()}`
      : t.actionsSuppressed
        ? `composite alarm ${t.actionsSuppressed.charAt(0).toLowerCase()}${t.actionsSuppressed.slice(1)}`
        : undefined,
    raw,
  };
}
