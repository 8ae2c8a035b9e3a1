import type { AlarmState, AlertLabels, DeliveryPath, MetricContext } from '../../alert/alert';
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
} from './schemas';
import { zodReason } from '../parse';

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

function alarmArnOrThrow(alarmArn: string): ParsedArn {
  const arn = parseArn(alarmArn);
  if (arn?.service !== 'cloudwatch' || !arn.resource.startsWith('alarm:') || !arn.region || !arn.account) {
    throw new InvalidEventError(`alarm ARN "${alarmArn.slice(0, 120)}" is not a CloudWatch alarm ARN`);
  }
  return arn;
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

/** Normalizes the alarm JSON of an SNS message (already JSON-parsed). */
export function transitionFromSns(
  message: SnsAlarmMessage,
  sns: { topicArn: string; timestamp?: string },
): AlarmTransition {
  const arn = alarmArnOrThrow(message.AlarmArn);
  const composite =
    !message.Trigger && (message.AlarmRule !== undefined || message.TriggeringChildren !== undefined);
  const fromTrigger = message.Trigger ? fromSnsTrigger(message.Trigger) : undefined;
  return {
    path: 'sns',
    alarmName: message.AlarmName,
    alarmArn: message.AlarmArn,
    arn,
    state: message.NewStateValue,
    previousState: message.OldStateValue,
    reason: message.NewStateReason,
    stateTime: message.StateChangeTime,
    fallbackTime: sns.timestamp ?? message.StateChangeTime,
    description: message.AlarmDescription ?? undefined,
    kind: composite ? 'composite' : (fromTrigger?.kind ?? 'metric'),
    metric: fromTrigger?.metric,
    tags: message.AlarmTags ?? {},
    triggeringChildren: (message.TriggeringChildren ?? []).map((c) => c.Arn),
    alarmRule: message.AlarmRule,
    topicArn: sns.topicArn,
    observedAt: sns.timestamp ?? message.StateChangeTime,
  };
}

/** Normalizes an EventBridge `CloudWatch Alarm State Change` event. */
export function transitionFromEventBridge(event: EventBridgeEnvelope, topicArn?: string): AlarmTransition {
  const parsed = alarmStateChangeDetailSchema.safeParse(event.detail);
  if (!parsed.success) throw new InvalidEventError(`alarm state change detail: ${zodReason(parsed.error)}`);
  const detail = parsed.data;
  const alarmArn = event.resources[0] ?? '';
  const arn = alarmArnOrThrow(alarmArn);
  const config = fromConfiguration(detail.configuration, detail.state.reasonData);
  return {
    path: 'eventbridge',
    alarmName: detail.alarmName,
    alarmArn,
    arn,
    state: detail.state.value,
    previousState: detail.previousState?.value,
    reason: detail.state.reason,
    stateTime: detail.state.timestamp,
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
  };
}

/** Normalizes an EventBridge `CloudWatch Alarm Contributor State Change` (Metrics Insights) event. */
export function transitionFromContributor(event: EventBridgeEnvelope, topicArn?: string): AlarmTransition {
  const parsed = alarmContributorDetailSchema.safeParse(event.detail);
  if (!parsed.success) throw new InvalidEventError(`alarm contributor detail: ${zodReason(parsed.error)}`);
  const detail: AlarmContributorDetail = parsed.data;
  const alarmArn = event.resources[0] ?? '';
  const arn = alarmArnOrThrow(alarmArn);
  const query =
    detail.configuration?.metrics?.find((m) => m.returnData) ?? detail.configuration?.metrics?.[0];
  return {
    path: 'eventbridge',
    alarmName: detail.alarmName,
    alarmArn,
    arn,
    state: detail.state.value,
    reason: detail.state.reason,
    stateTime: detail.state.timestamp,
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
  };
}

/** Normalizes the payload of a Lambda function invoked directly as an alarm action. */
export function transitionFromAlarmAction(raw: unknown): AlarmTransition {
  const parsed = alarmActionSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidEventError(`alarm action payload: ${zodReason(parsed.error)}`);
  const payload: AlarmActionPayload = parsed.data;
  const arn = alarmArnOrThrow(payload.alarmArn);
  const data = payload.alarmData;
  const config = fromConfiguration(data.configuration, data.state.reasonData);
  const tags = data.alarmTags ?? payload.alarmTags ?? {};
  return {
    path: 'alarm-action',
    alarmName: data.alarmName,
    alarmArn: payload.alarmArn,
    arn,
    state: data.state.value,
    previousState: data.previousState?.value,
    reason: data.state.reason,
    stateTime: data.state.timestamp,
    fallbackTime: payload.time ?? data.state.timestamp,
    description: data.configuration?.description ?? undefined,
    kind: config.kind,
    metric: config.metric,
    tags,
    triggeringChildren: config.triggering,
    alarmRule: data.configuration?.alarmRule,
    actionsSuppressed: actionsSuppression(data.state),
    mutedBy: data.muteDetail?.mutedByArn,
    evaluationState: data.state.evaluationState,
    observedAt: payload.time ?? data.state.timestamp,
  };
}

/** Epoch milliseconds of an alarm timestamp (`…+0000`), or undefined when AWS sent an unparsable one. */
export function alarmTimeMillis(text: string): number | undefined {
  const millis = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(millis) ? undefined : millis;
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
