import type { MetricContext } from '../alert/alert';
import type { AlarmDefinition, MetricQuery, MetricStatSpec } from './cloudwatch-port';
import type { GraphMetric } from './links';

/** What to fetch for the alarmed metric, from the event or from the alarm's definition. */
export interface SeriesPlan {
  queries: MetricQuery[];
  returnedId: string;
  period: number;
  stat?: string;
  namespace?: string;
  metricName?: string;
  dimensions: Record<string, string>;
  graph: GraphMetric[];
}

const OWN_ID = 'klxcur';

/** CloudWatch periods are whole minutes here; sub-minute (high-resolution) alarms are shown per minute. */
function queryPeriod(period: number | undefined): number {
  const seconds = Math.max(60, period ?? 60);
  return Math.ceil(seconds / 60) * 60;
}

/** The plan for one metric statistic. */
function planFromStat(spec: MetricStatSpec): SeriesPlan {
  const period = queryPeriod(spec.period);
  return {
    queries: [{ id: OWN_ID, stat: { ...spec, period }, returnData: true }],
    returnedId: OWN_ID,
    period,
    stat: spec.stat,
    namespace: spec.namespace,
    metricName: spec.metricName,
    dimensions: spec.dimensions,
    graph: [{ ...spec, period }],
  };
}

/** The plan from the alarm event's own metric, when it names one. */
export function planFromEvent(
  metric: MetricContext | undefined,
  kind: string | undefined,
): SeriesPlan | undefined {
  if (kind !== 'metric' || !metric?.namespace || !metric.metricName || !metric.statistic) return undefined;
  return planFromStat({
    namespace: metric.namespace,
    metricName: metric.metricName,
    dimensions: metric.dimensions,
    stat: metric.statistic,
    period: metric.period ?? 60,
  });
}

/** The plan from the alarm's definition (a metric, metric math or an anomaly band). */
export function planFromDefinition(definition: AlarmDefinition): SeriesPlan | undefined {
  if (definition.metric) return planFromStat(definition.metric);
  const queries = definition.queries ?? [];
  if (queries.length === 0) return undefined;
  const band = queries.find(
    (q) => q.id === definition.thresholdMetricId || q.expression?.includes('ANOMALY_DETECTION_BAND'),
  );
  // Anomaly detection: fetch the metric the band is computed on, not the band.
  const usable = band ? queries.filter((q) => q.stat) : queries.filter((q) => q !== band);
  const returned = band
    ? usable.find((q) => band.expression?.includes(q.id))
    : (usable.find((q) => q.returnData) ?? usable[0]);
  if (!returned) return undefined;
  const period = queryPeriod(definition.period ?? returned.period ?? returned.stat?.period);
  const firstStat = usable.find((q) => q.stat)?.stat;
  return {
    queries: usable.map((q) => ({
      ...q,
      stat: q.stat ? { ...q.stat, period } : undefined,
      returnData: q.id === returned.id,
    })),
    returnedId: returned.id,
    period,
    stat: returned.stat?.stat,
    namespace: firstStat?.namespace,
    metricName: returned.stat?.metricName,
    dimensions: firstStat?.dimensions ?? {},
    graph: usable.map((q): GraphMetric =>
      q.stat
        ? { ...q.stat, period, id: q.id, visible: q.id === returned.id || !returned.expression }
        : { id: q.id, expression: q.expression ?? '', label: q.label },
    ),
  };
}
