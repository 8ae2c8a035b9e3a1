import * as z from '../../zod';

/** The EventBridge detail-type of Cost Anomaly Detection (`source: aws.ce`, immediate alerts). */
export const COST_ANOMALY_DETAIL_TYPE = 'Anomaly Detected';

const impactSchema = z.looseObject({
  maxImpact: z.optional(z.number()),
  totalActualSpend: z.optional(z.number()),
  totalExpectedSpend: z.optional(z.number()),
  totalImpact: z.number(),
  totalImpactPercentage: z.optional(z.number()),
});

const rootCauseSchema = z.looseObject({
  linkedAccount: z.optional(z.string()),
  linkedAccountName: z.optional(z.string()),
  region: z.optional(z.string()),
  service: z.optional(z.string()),
  usageType: z.optional(z.string()),
  impact: z.optional(z.looseObject({ contribution: z.optional(z.number()) })),
});

const common = {
  anomalyId: z.string().check(z.minLength(1)),
  anomalyStartDate: z.optional(z.string()),
  anomalyEndDate: z.optional(z.string()),
  anomalyScore: z.optional(
    z.looseObject({ currentScore: z.optional(z.number()), maxScore: z.optional(z.number()) }),
  ),
  anomalyDetailsLink: z.optional(
    z.string().check(z.regex(/^https:\/\/\S+$/, 'an https link to the anomaly')),
  ),
  impact: impactSchema,
  monitorArn: z
    .string()
    .check(
      z.regex(
        /^arn:aws(-[a-z]+)*:ce::\d{12}:anomalymonitor\/[A-Za-z0-9-]+$/,
        'a Cost Anomaly Detection monitor ARN',
      ),
    ),
  rootCauses: z._default(z.array(rootCauseSchema), []),
};

/**
 * The SNS message of an "individual alerts" (IMMEDIATE) anomaly subscription (Cost Management user
 * guide, "Detecting unusual spend": the SNS example). Note `dimensionalValue` here, where the
 * EventBridge event says `dimensionValue`.
 */
export const costAnomalySnsSchema = z.looseObject({
  ...common,
  accountId: z.string().check(z.regex(/^\d{12}$/, 'a 12-digit account id')),
  dimensionalValue: z.optional(z.string()),
  subscriptionId: z.optional(z.string()),
  subscriptionName: z.optional(z.string()),
});

/** `detail` of an `Anomaly Detected` EventBridge event (Cost Management user guide, "Using EventBridge"). */
export const costAnomalyDetailSchema = z.looseObject({
  ...common,
  accountId: z.optional(z.string().check(z.regex(/^\d{12}$/, 'a 12-digit account id'))),
  accountName: z.optional(z.string()),
  dimensionValue: z.optional(z.string()),
  monitorName: z.optional(z.string()),
  feedback: z.optional(z.string()),
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
