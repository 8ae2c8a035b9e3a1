import type { Alert } from '../alert/alert';
import type { AlertDraft } from '../sources/types';
import {
  ERROR_QUERY,
  logsInsightsUrl,
  metricGraphUrl,
  resourceTelemetry,
  type TimeWindow,
  xrayTracesUrl,
} from './links';
import type { SeriesPlan } from './series-plan';

/** Where and when the alarmed resource is looked at. */
export interface ResourceLinkContext {
  partition: NonNullable<AlertDraft['partition']>;
  region: string;
  startsAt: string;
  alarmName: string | undefined;
  threshold: number | undefined;
  lookbackMinutes: number;
  now: () => Date;
}

/** Metric graph, Logs Insights and X-Ray links for the alarmed resource and window. */
export function resourceLinks(
  context: ResourceLinkContext,
  plan: SeriesPlan,
  logGroupTag: string | undefined,
): Alert['links'] {
  const { partition, region } = context;
  const anchor = Date.parse(context.startsAt);
  const at = Number.isNaN(anchor) ? context.now().getTime() : anchor;
  const lookback = context.lookbackMinutes * 60_000;
  const graphWindow: TimeWindow = { start: new Date(at - 3 * 3_600_000), end: new Date(at + 3_600_000) };
  const window: TimeWindow = { start: new Date(at - lookback), end: new Date(at + 10 * 60_000) };
  const links: Alert['links'] = [
    {
      text: 'Metric graph',
      url: metricGraphUrl(partition, region, plan.graph, graphWindow, {
        period: plan.period,
        stat: plan.stat,
        threshold: context.threshold,
        title: context.alarmName,
      }),
    },
  ];
  const telemetry = resourceTelemetry(plan.namespace, plan.dimensions, logGroupTag);
  if (telemetry && telemetry.logGroups.length > 0) {
    links.push({
      text: 'Logs Insights',
      url: logsInsightsUrl(partition, region, telemetry.logGroups, ERROR_QUERY, window),
    });
  }
  if (telemetry?.xrayFilter) {
    links.push({
      text: 'X-Ray traces',
      url: xrayTracesUrl(partition, region, telemetry.xrayFilter, window),
    });
  }
  return links;
}
