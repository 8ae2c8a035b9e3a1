import { z } from 'zod';

/** The EventBridge detail-type of Cost Anomaly Detection (`source: aws.ce`, immediate alerts). */
export const COST_ANOMALY_DETAIL_TYPE = 'Anomaly Detected';

const impactSchema = z.looseObject({
  maxImpact: z.number().optional(),
  totalActualSpend: z.number().optional(),
  totalExpectedSpend: z.number().optional(),
  totalImpact: z.number(),
  totalImpactPercentage: z.number().optional(),
});

const rootCauseSchema = z.looseObject({
  linkedAccount: z.string().optional(),
  linkedAccountName: z.string().optional(),
  region: z.string().optional(),
  service: z.string().optional(),
  usageType: z.string().optional(),
  impact: z.looseObject({ contribution: z.number().optional() }).optional(),
});

const common = {
  anomalyId: z.string().min(1),
  anomalyStartDate: z.string().optional(),
  anomalyEndDate: z.string().optional(),
  anomalyScore: z
    .looseObject({ currentScore: z.number().optional(), maxScore: z.number().optional() })
    .optional(),
  anomalyDetailsLink: z
    .string()
    .regex(/^https:\/\/\S+$/, 'an https link to the anomaly')
    .optional(),
  impact: impactSchema,
  monitorArn: z
    .string()
    .regex(
      /^arn:aws(-[a-z]+)*:ce::\d{12}:anomalymonitor\/[A-Za-z0-9-]+$/,
      'a Cost Anomaly Detection monitor ARN',
    ),
  rootCauses: z.array(rootCauseSchema).default([]),
};

/**
 * The SNS message of an "individual alerts" (IMMEDIATE) anomaly subscription (Cost Management user
 * guide, "Detecting unusual spend": the SNS example). Note `dimensionalValue` here, where the
 * EventBridge event says `dimensionValue`.
 */
export const costAnomalySnsSchema = z.looseObject({
  ...common,
  accountId: z.string().regex(/^\d{12}$/, 'a 12-digit account id'),
  dimensionalValue: z.string().optional(),
  subscriptionId: z.string().optional(),
  subscriptionName: z.string().optional(),
});

/** `detail` of an `Anomaly Detected` EventBridge event (Cost Management user guide, "Using EventBridge"). */
export const costAnomalyDetailSchema = z.looseObject({
  ...common,
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'a 12-digit account id')
    .optional(),
  accountName: z.string().optional(),
  dimensionValue: z.string().optional(),
  monitorName: z.string().optional(),
  feedback: z.string().optional(),
});

/** One anomaly, whichever path brought it. */
export interface CostAnomaly {
  accountId: string;
  anomalyId: string;
  anomalyStartDate?: string;
  anomalyEndDate?: string;
  anomalyDetailsLink?: string;
  dimensionValue?: string;
  monitorArn: string;
  monitorName?: string;
  impact: z.infer<typeof impactSchema>;
  rootCauses: Array<z.infer<typeof rootCauseSchema>>;
}
