import { z } from 'zod';

const state = z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']);

const snsDimension = z.object({ name: z.string(), value: z.string() });

const snsMetricQuery = z.object({
  Id: z.string(),
  Expression: z.string().optional(),
  Label: z.string().optional(),
  ReturnData: z.boolean().optional(),
  AccountId: z.string().optional(),
  MetricStat: z
    .object({
      Metric: z.object({
        Namespace: z.string().optional(),
        MetricName: z.string().optional(),
        Dimensions: z.array(snsDimension).optional(),
      }),
      Period: z.number().optional(),
      Stat: z.string().optional(),
    })
    .optional(),
});

/** The alarm JSON CloudWatch publishes as an SNS message (PascalCase, dimensions as a list). */
export const snsAlarmMessageSchema = z.object({
  AlarmName: z.string().min(1),
  AlarmDescription: z.string().nullish(),
  AWSAccountId: z
    .string()
    .regex(/^\d{12}$/, 'a 12-digit account id')
    .optional(),
  NewStateValue: state,
  OldStateValue: state.optional(),
  NewStateReason: z.string().optional(),
  StateChangeTime: z.string().optional(),
  Region: z.string().optional(),
  AlarmArn: z.string().optional(),
  Trigger: z
    .object({
      MetricName: z.string().optional(),
      Namespace: z.string().optional(),
      Statistic: z.string().nullish(),
      ExtendedStatistic: z.string().nullish(),
      Unit: z.string().nullish(),
      Dimensions: z.array(snsDimension).optional(),
      Period: z.number().optional(),
      EvaluationPeriods: z.number().optional(),
      ComparisonOperator: z.string().optional(),
      Threshold: z.number().optional(),
      ThresholdMetricId: z.string().optional(),
      TreatMissingData: z.string().optional(),
      Metrics: z.array(snsMetricQuery).optional(),
    })
    .optional(),
  AlarmRule: z.string().optional(),
  TriggeringChildren: z
    .array(z.object({ Arn: z.string(), State: z.object({ Value: z.string() }).partial().optional() }))
    .optional(),
  AlarmTags: z.record(z.string(), z.string()).optional(),
});

const alarmStateDetail = z.object({
  value: state,
  reason: z.string().optional(),
  reasonData: z.string().optional(),
  timestamp: z.string().optional(),
  actionsSuppressedBy: z.string().optional(),
  actionsSuppressedReason: z.string().optional(),
  evaluationState: z.string().optional(),
});

const metricQuery = z.object({
  id: z.string(),
  expression: z.string().optional(),
  label: z.string().optional(),
  returnData: z.boolean().optional(),
  period: z.number().optional(),
  metricStat: z
    .object({
      metric: z.object({
        namespace: z.string().optional(),
        name: z.string().optional(),
        dimensions: z.record(z.string(), z.string()).optional(),
      }),
      period: z.number().optional(),
      stat: z.string().optional(),
    })
    .optional(),
});

const configuration = z
  .object({
    description: z.string().nullish(),
    metrics: z.array(metricQuery).optional(),
    alarmRule: z.string().optional(),
    actionsSuppressor: z.string().optional(),
  })
  .optional();

const muteDetail = z
  .object({
    mutedByArn: z.string(),
    muteWindowStart: z.string().optional(),
    muteWindowEnd: z.string().optional(),
  })
  .optional();

/** `detail` of an EventBridge `CloudWatch Alarm State Change` event. */
export const alarmStateChangeDetailSchema = z.object({
  alarmName: z.string().min(1),
  state: alarmStateDetail,
  previousState: alarmStateDetail.partial().optional(),
  configuration,
  alarmTags: z.record(z.string(), z.string()).optional(),
  alarmTagsStatus: z.string().optional(),
  muteDetail,
});

/** `detail` of an EventBridge `CloudWatch Alarm Contributor State Change` event (Metrics Insights). */
export const alarmContributorDetailSchema = z.object({
  alarmName: z.string().min(1),
  alarmContributor: z.object({
    id: z.string().min(1),
    attributes: z.record(z.string(), z.string()).default({}),
  }),
  state: alarmStateDetail,
  configuration,
  alarmTags: z.record(z.string(), z.string()).optional(),
  muteDetail,
});

/** The common EventBridge envelope. */
export const eventBridgeEnvelopeSchema = z.object({
  version: z.string().optional(),
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()).default([]),
  detail: z.unknown(),
});

/** The payload CloudWatch sends when it invokes a Lambda function directly as an alarm action. */
export const alarmActionSchema = z.object({
  source: z.literal('aws.cloudwatch'),
  alarmArn: z.string().optional(),
  accountId: z.string().optional(),
  time: z.string().optional(),
  region: z.string().optional(),
  alarmData: z.object({
    alarmName: z.string().min(1),
    state: alarmStateDetail,
    previousState: alarmStateDetail.partial().optional(),
    configuration,
    alarmTags: z.record(z.string(), z.string()).optional(),
    muteDetail,
  }),
  alarmTags: z.record(z.string(), z.string()).optional(),
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
