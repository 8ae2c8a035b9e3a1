import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  type Dimension,
  GetMetricDataCommand,
  ListTagsForResourceCommand,
  type MetricAlarm,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type {
  AlarmDefinition,
  CloudWatchPort,
  MetricQuery,
  MetricSeries,
  MetricStatSpec,
} from '../enrichment/cloudwatch-port';

function dimensionMap(dimensions: readonly Dimension[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (dimensions ?? []).flatMap((d) => (d.Name && d.Value !== undefined ? [[d.Name, d.Value] as const] : [])),
  );
}

function toQuery(query: MetricDataQuery): MetricQuery {
  const stat = query.MetricStat;
  const metric = stat?.Metric;
  return {
    id: query.Id ?? 'm1',
    stat:
      metric?.Namespace && metric.MetricName && stat?.Stat
        ? {
            namespace: metric.Namespace,
            metricName: metric.MetricName,
            dimensions: dimensionMap(metric.Dimensions),
            stat: stat.Stat,
            period: stat.Period ?? 60,
          }
        : undefined,
    expression: query.Expression,
    label: query.Label,
    period: query.Period,
    returnData: query.ReturnData ?? true,
    accountId: query.AccountId,
  };
}

function metricDefinition(alarm: MetricAlarm): AlarmDefinition {
  const stat = alarm.ExtendedStatistic ?? alarm.Statistic;
  const metric: MetricStatSpec | undefined =
    alarm.Namespace && alarm.MetricName && stat
      ? {
          namespace: alarm.Namespace,
          metricName: alarm.MetricName,
          dimensions: dimensionMap(alarm.Dimensions),
          stat,
          period: alarm.Period ?? 60,
        }
      : undefined;
  return {
    name: alarm.AlarmName ?? '',
    arn: alarm.AlarmArn,
    kind: 'metric',
    state: alarm.StateValue,
    threshold: alarm.Threshold,
    comparisonOperator: alarm.ComparisonOperator,
    period: alarm.Period ?? alarm.Metrics?.find((q) => q.ReturnData)?.MetricStat?.Period,
    evaluationPeriods: alarm.EvaluationPeriods,
    metric,
    queries: alarm.Metrics && alarm.Metrics.length > 0 ? alarm.Metrics.map(toQuery) : undefined,
    thresholdMetricId: alarm.ThresholdMetricId,
  };
}

function toSdkQuery(query: MetricQuery): MetricDataQuery {
  return {
    Id: query.id,
    Label: query.label,
    ReturnData: query.returnData,
    AccountId: query.accountId,
    ...(query.stat
      ? {
          MetricStat: {
            Metric: {
              Namespace: query.stat.namespace,
              MetricName: query.stat.metricName,
              Dimensions: Object.entries(query.stat.dimensions).map(([Name, Value]) => ({ Name, Value })),
            },
            Period: query.stat.period,
            Stat: query.stat.stat,
          },
        }
      : { Expression: query.expression, Period: query.period }),
  };
}

/** The CloudWatch adapter of the enrichment port (the only code that talks to CloudWatch). */
export function cloudWatchPort(client: CloudWatchClient): CloudWatchPort {
  return {
    async alarmTags(alarmArn, signal) {
      const out = await client.send(new ListTagsForResourceCommand({ ResourceARN: alarmArn }), {
        abortSignal: signal,
      });
      return Object.fromEntries(
        (out.Tags ?? []).flatMap((t) => (t.Key && t.Value !== undefined ? [[t.Key, t.Value] as const] : [])),
      );
    },

    async describeAlarms(names, signal) {
      const out = await client.send(
        new DescribeAlarmsCommand({
          AlarmNames: [...names].slice(0, 100),
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          MaxRecords: 100,
        }),
        { abortSignal: signal },
      );
      return [
        ...(out.MetricAlarms ?? []).map(metricDefinition),
        ...(out.CompositeAlarms ?? []).map((alarm): AlarmDefinition => ({
          name: alarm.AlarmName ?? '',
          arn: alarm.AlarmArn,
          kind: 'composite',
          state: alarm.StateValue,
          alarmRule: alarm.AlarmRule,
        })),
      ];
    },

    async metricData(queries, range, signal): Promise<MetricSeries[]> {
      const out = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries.map(toSdkQuery),
          StartTime: range.start,
          EndTime: range.end,
          ScanBy: 'TimestampAscending',
        }),
        { abortSignal: signal },
      );
      return (out.MetricDataResults ?? []).map((result) => {
        const points = (result.Timestamps ?? [])
          .map((at, index) => ({ at: new Date(at).getTime(), value: result.Values?.[index] }))
          .filter((p): p is { at: number; value: number } => typeof p.value === 'number')
          .sort((a, b) => a.at - b.at);
        return {
          id: result.Id ?? '',
          timestamps: points.map((p) => p.at),
          values: points.map((p) => p.value),
        };
      });
    },
  };
}
