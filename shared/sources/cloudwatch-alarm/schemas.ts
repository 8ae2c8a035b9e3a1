import * as z from '../../zod';

const state = z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']);

const snsDimension = z.object({ name: z.string(), value: z.string() });

const snsMetricQuery = z.object({
  Id: z.string(),
  Expression: z.optional(z.string()),
  Label: z.optional(z.string()),
  ReturnData: z.optional(z.boolean()),
  AccountId: z.optional(z.string()),
  MetricStat: z.optional(
    z.object({
      Metric: z.object({
        Namespace: z.optional(z.string()),
        MetricName: z.optional(z.string()),
        Dimensions: z.optional(z.array(snsDimension)),
      }),
      Period: z.optional(z.number()),
      Stat: z.optional(z.string()),
    }),
  ),
});

/** The alarm JSON CloudWatch publishes as an SNS message (PascalCase, dimensions as a list). */
export const snsAlarmMessageSchema = z.object({
  AlarmName: z.string().check(z.minLength(1)),
  AlarmDescription: z.nullish(z.string()),
  AWSAccountId: z.optional(z.string().check(z.regex(/^\d{12}$/, 'a 12-digit account id'))),
  NewStateValue: state,
  OldStateValue: z.optional(state),
  NewStateReason: z.optional(z.string()),
  StateChangeTime: z.optional(z.string()),
  Region: z.optional(z.string()),
  AlarmArn: z.optional(z.string()),
  Trigger: z.optional(
    z.object({
      MetricName: z.optional(z.string()),
      Namespace: z.optional(z.string()),
      Statistic: z.nullish(z.string()),
      ExtendedStatistic: z.nullish(z.string()),
      Unit: z.nullish(z.string()),
      Dimensions: z.optional(z.array(snsDimension)),
      Period: z.optional(z.number()),
      EvaluationPeriods: z.optional(z.number()),
      ComparisonOperator: z.optional(z.string()),
      Threshold: z.optional(z.number()),
      ThresholdMetricId: z.optional(z.string()),
      TreatMissingData: z.optional(z.string()),
      Metrics: z.optional(z.array(snsMetricQuery)),
    }),
  ),
  AlarmRule: z.optional(z.string()),
  TriggeringChildren: z.optional(
    z.array(z.object({ Arn: z.string(), State: z.optional(z.partial(z.object({ Value: z.string() }))) })),
  ),
  AlarmTags: z.optional(z.record(z.string(), z.string())),
});

const alarmStateDetail = z.object({
  value: state,
  reason: z.optional(z.string()),
  reasonData: z.optional(z.string()),
  timestamp: z.optional(z.string()),
  actionsSuppressedBy: z.optional(z.string()),
  actionsSuppressedReason: z.optional(z.string()),
  evaluationState: z.optional(z.string()),
});

const metricQuery = z.object({
  id: z.string(),
  expression: z.optional(z.string()),
  label: z.optional(z.string()),
  returnData: z.optional(z.boolean()),
  period: z.optional(z.number()),
  metricStat: z.optional(
    z.object({
      metric: z.object({
        namespace: z.optional(z.string()),
        name: z.optional(z.string()),
        dimensions: z.optional(z.record(z.string(), z.string())),
      }),
      period: z.optional(z.number()),
      stat: z.optional(z.string()),
    }),
  ),
});

const configuration = z.optional(
  z.object({
    description: z.nullish(z.string()),
    metrics: z.optional(z.array(metricQuery)),
    alarmRule: z.optional(z.string()),
    actionsSuppressor: z.optional(z.string()),
  }),
);

const muteDetail = z.optional(
  z.object({
    mutedByArn: z.string(),
    muteWindowStart: z.optional(z.string()),
    muteWindowEnd: z.optional(z.string()),
  }),
);

/** `detail` of an EventBridge `CloudWatch Alarm State Change` event. */
export const alarmStateChangeDetailSchema = z.object({
  alarmName: z.string().check(z.minLength(1)),
  state: alarmStateDetail,
  previousState: z.optional(z.partial(alarmStateDetail)),
  configuration,
  alarmTags: z.optional(z.record(z.string(), z.string())),
  alarmTagsStatus: z.optional(z.string()),
  muteDetail,
});

/** `detail` of an EventBridge `CloudWatch Alarm Contributor State Change` event (Metrics Insights). */
export const alarmContributorDetailSchema = z.object({
  alarmName: z.string().check(z.minLength(1)),
  alarmContributor: z.object({
    id: z.string().check(z.minLength(1)),
    attributes: z._default(z.record(z.string(), z.string()), {}),
  }),
  state: alarmStateDetail,
  configuration,
  alarmTags: z.optional(z.record(z.string(), z.string())),
  muteDetail,
});

/** The common EventBridge envelope. */
export const eventBridgeEnvelopeSchema = z.object({
  version: z.optional(z.string()),
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z._default(z.array(z.string()), []),
  detail: z.unknown(),
});

/** The payload CloudWatch sends when it invokes a Lambda function directly as an alarm action. */
export const alarmActionSchema = z.object({
  source: z.literal('aws.cloudwatch'),
  alarmArn: z.optional(z.string()),
  accountId: z.optional(z.string()),
  time: z.optional(z.string()),
  region: z.optional(z.string()),
  alarmData: z.object({
    alarmName: z.string().check(z.minLength(1)),
    state: alarmStateDetail,
    previousState: z.optional(z.partial(alarmStateDetail)),
    configuration,
    alarmTags: z.optional(z.record(z.string(), z.string())),
    muteDetail,
  }),
  alarmTags: z.optional(z.record(z.string(), z.string())),
});

/** A parsed SNS alarm message. */
export type SnsAlarmMessage = z.infer<typeof snsAlarmMessageSchema>;
/** A parsed alarm state-change detail. */
export type AlarmStateChangeDetail = z.infer<typeof alarmStateChangeDetailSchema>;
/** A parsed contributor state-change detail. */
export type AlarmContributorDetail = z.infer<typeof alarmContributorDetailSchema>;
/** A parsed EventBridge envelope. */
export type EventBridgeEnvelope = z.infer<typeof eventBridgeEnvelopeSchema>;
/** A parsed direct alarm-action payload. */
export type AlarmActionPayload = z.infer<typeof alarmActionSchema>;
