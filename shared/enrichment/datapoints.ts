import type { AlertAnnotations } from '../alert/alert';
import type { Budget } from './budget';
import { NotApplicable } from './budget';
import type { CloudWatchPort, MetricQuery, MetricSeries } from './cloudwatch-port';
import type { EnrichmentConfig } from './config';
import { relatedSignals } from './related';
import type { SeriesPlan } from './series-plan';
import { breaches, comparisonSymbol, downsample, formatValue, sparkline } from './sparkline';
import { classifyTrend } from './trend';

const SPARK_WIDTH = 30;
const DAY_MS = 86_400_000;

/** What one GetMetricData call returned, with the window it was read over. */
export interface Fetched {
  periodMs: number;
  windowStart: number;
  endMs: number;
  current?: MetricSeries;
  related: Array<{ label: string; stat: string; series?: MetricSeries }>;
}

/** The threshold and comparison the rendered datapoints are drawn against. */
export interface ThresholdContext {
  threshold?: number;
  comparisonOperator?: string;
}

/** One GetMetricData call: the alarmed metric over the window and a day earlier, plus related signals. */
export async function fetchSeries(
  cloudwatch: CloudWatchPort,
  config: EnrichmentConfig,
  plan: SeriesPlan,
  end: Date,
  budget: Budget,
): Promise<Fetched> {
  const periodMs = plan.period * 1000;
  const windowMs = Math.max(config.lookbackMinutes * 60_000, 6 * periodMs);
  const endMs = Math.ceil(end.getTime() / periodMs) * periodMs;
  const windowStart = endMs - Math.ceil(windowMs / periodMs) * periodMs;
  const related = config.related
    ? relatedSignals(plan.namespace, plan.dimensions, plan.metricName).map((signal, index) => ({
        signal,
        id: `klxrel${index}`,
      }))
    : [];
  const queries: MetricQuery[] = [
    ...(config.datapoints ? plan.queries : []),
    ...related.map(({ signal, id }): MetricQuery => ({
      id,
      stat: {
        namespace: signal.namespace,
        metricName: signal.metricName,
        dimensions: signal.dimensionValues,
        stat: signal.stat,
        period: plan.period,
      },
      returnData: true,
    })),
  ];
  if (queries.length === 0) throw new NotApplicable('nothing to fetch');
  const series = await budget.call((signal) =>
    cloudwatch.metricData(queries, { start: new Date(windowStart - DAY_MS), end: new Date(endMs) }, signal),
  );
  const byId = new Map(series.map((s) => [s.id, s]));
  return {
    periodMs,
    windowStart,
    endMs,
    current: byId.get(plan.returnedId),
    related: related.map(({ signal, id }) => ({
      label: signal.label,
      stat: signal.stat,
      series: byId.get(id),
    })),
  };
}

/** The datapoints, recent values, trend and related-signal annotations drawn from one fetch. */
export function seriesAnnotations(
  config: Pick<EnrichmentConfig, 'datapoints'>,
  plan: SeriesPlan,
  fetched: Fetched,
  { threshold, comparisonOperator: operator }: ThresholdContext,
): Partial<AlertAnnotations> {
  const { periodMs, windowStart, endMs } = fetched;
  const minutes = Math.round((endMs - windowStart) / 60_000);
  const out: Partial<AlertAnnotations> = {};
  if (config.datapoints) {
    const current = slots(fetched.current, windowStart, endMs, periodMs);
    const dayEarlier = present(slots(fetched.current, windowStart - DAY_MS, endMs - DAY_MS, periodMs));
    const values = present(current);
    const how = `${plan.stat ?? 'value'} per ${plan.period} s, last ${minutes} min`;
    if (values.length === 0) {
      out.datapoints = `no datapoints in the last ${minutes} min (${how})`;
    } else {
      const down = operator?.startsWith('LessThan') ?? false;
      const drawn = downsample(current, SPARK_WIDTH, down ? 'min' : 'max');
      const spark = sparkline(drawn, threshold);
      const latest = values[values.length - 1] as number;
      const peak = down ? Math.min(...values) : Math.max(...values);
      const symbol = comparisonSymbol(operator);
      const breaching =
        threshold !== undefined ? values.filter((v) => breaches(v, threshold, operator)).length : undefined;
      const thresholdText =
        threshold !== undefined
          ? ` · threshold ${symbol ?? ''} ${formatValue(threshold)}`.replace('  ', ' ') +
            `${spark.thresholdMark ? ` (${spark.thresholdMark})` : ''}` +
            (breaching !== undefined && symbol ? ` · ${breaching} of ${values.length} breaching` : '')
          : '';
      out.datapoints = `${spark.line} now ${formatValue(latest)}, ${down ? 'min' : 'max'} ${formatValue(peak)}${thresholdText} (${how})`;
      const recent: string[] = [];
      current.forEach((value, index) => {
        if (value !== undefined)
          recent.push(`${utcMinute(windowStart + index * periodMs)} ${formatValue(value)}`);
      });
      out.recentValues = `${recent.slice(-8).join(' · ')} (UTC)`;
      out.trend = classifyTrend(values, dayEarlier, down ? 'down' : 'up').text;
    }
  }
  if (fetched.related.length > 0) {
    out.related = fetched.related
      .map(({ label, stat, series }) => {
        const values = slots(series, windowStart, endMs, periodMs);
        const seen = present(values);
        if (seen.length === 0) return `${label} (${stat}): no data`;
        const spark = sparkline(downsample(values, 20)).line;
        return `${label} (${stat}): ${spark} now ${formatValue(seen[seen.length - 1] as number)}, max ${formatValue(Math.max(...seen))}`;
      })
      .join('\n');
  }
  return out;
}

/** The values of one series in [from, to), slotted by period (undefined where nothing was published). */
function slots(
  series: MetricSeries | undefined,
  from: number,
  to: number,
  periodMs: number,
): Array<number | undefined> {
  const count = Math.max(0, Math.round((to - from) / periodMs));
  const out: Array<number | undefined> = Array.from({ length: count }, () => undefined);
  series?.timestamps.forEach((at, index) => {
    if (at < from || at >= to) return;
    const slot = Math.floor((at - from) / periodMs);
    if (slot < count) out[slot] = series.values[index];
  });
  return out;
}

function present(values: ReadonlyArray<number | undefined>): number[] {
  return values.filter((v): v is number => v !== undefined);
}

function utcMinute(millis: number): string {
  return new Date(millis).toISOString().slice(11, 16);
}
