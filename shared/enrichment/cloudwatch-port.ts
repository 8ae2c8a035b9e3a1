/**
 * What enrichment needs from CloudWatch, independent of the SDK: the adapter in
 * shared/aws/cloudwatch.ts is the only code importing @aws-sdk/client-cloudwatch. Every call takes
 * an AbortSignal (per-call timeout and the enrichment budget) and must honour it.
 */

/** One metric, with the statistic and period to fetch it at. */
export interface MetricStatSpec {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat: string;
  period: number;
}

/** One GetMetricData query: a metric stat or a math expression over other queries. */
export interface MetricQuery {
  id: string;
  stat?: MetricStatSpec;
  expression?: string;
  label?: string;
  period?: number;
  returnData: boolean;
  /** The account the metric lives in (cross-account observability). */
  accountId?: string;
}

/** The values of one query, oldest first (timestamps in epoch milliseconds). */
export interface MetricSeries {
  id: string;
  timestamps: number[];
  values: number[];
}

/** What DescribeAlarms says about one alarm (metric or composite). */
export interface AlarmDefinition {
  name: string;
  arn?: string;
  kind: 'metric' | 'composite';
  state?: string;
  threshold?: number;
  comparisonOperator?: string;
  period?: number;
  evaluationPeriods?: number;
  /** A single-metric alarm's metric. */
  metric?: MetricStatSpec;
  /** A metric-math or anomaly-detection alarm's queries. */
  queries?: MetricQuery[];
  thresholdMetricId?: string;
  /** A composite alarm's rule. */
  alarmRule?: string;
}

/** The CloudWatch calls enrichment makes. */
export interface CloudWatchPort {
  /** `ListTagsForResource` on the alarm ARN. */
  alarmTags(alarmArn: string, signal: AbortSignal): Promise<Record<string, string>>;
  /** `DescribeAlarms` for these names (metric and composite alarms), at most 100. */
  describeAlarms(names: readonly string[], signal: AbortSignal): Promise<AlarmDefinition[]>;
  /** One `GetMetricData` call over one time range. */
  metricData(
    queries: readonly MetricQuery[],
    range: { start: Date; end: Date },
    signal: AbortSignal,
  ): Promise<MetricSeries[]>;
}
