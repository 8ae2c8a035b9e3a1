import type { MetricContext } from '../alert/alert';
import type { AlertDraft } from '../sources/types';
import type { AlarmDefinition } from './cloudwatch-port';
import { comparisonSymbol } from './sparkline';

/** The alarmed metric with the threshold, comparison and periods the definition supplies where the event lacks them. */
export function metricWithDefinition(
  metric: MetricContext | undefined,
  defined: AlarmDefinition,
): MetricContext {
  const base: MetricContext = metric ?? {
    dimensions: { ...(defined.metric?.dimensions ?? {}) },
    namespace: defined.metric?.namespace,
    metricName: defined.metric?.metricName,
    statistic: defined.metric?.stat,
  };
  return {
    ...base,
    threshold: base.threshold ?? defined.threshold,
    comparisonOperator: base.comparisonOperator ?? defined.comparisonOperator,
    period: base.period ?? defined.period,
    evaluationPeriods: base.evaluationPeriods ?? defined.evaluationPeriods,
  };
}

/** Builds the alarm's summary again with the threshold the definition supplied. */
export function summaryWithThreshold(draft: AlertDraft, metric: MetricContext): string {
  const summary = draft.annotations.summary;
  const name = draft.labels.alarmName;
  const symbol = comparisonSymbol(metric.comparisonOperator);
  const plain = `ALARM: ${name} in `;
  if (!name || metric.threshold === undefined || !symbol || !summary.startsWith(plain)) return summary;
  const what = metric.metricName ?? metric.expression ?? 'value';
  return `ALARM: ${name} (${what} ${symbol} ${metric.threshold}) in ${summary.slice(plain.length)}`;
}
