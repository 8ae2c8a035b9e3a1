import type { AlertDraft } from '../sources/types';
import { promoteTags } from './alarm-tags';
import { Budget, failureReason, NotApplicable, NothingFound, type Settled } from './budget';
import { TtlCache } from './cache';
import type { AlarmDefinition, CloudWatchPort } from './cloudwatch-port';
import { alarmNameOf, childAlarmNames } from './composite';
import type { EnrichmentConfig } from './config';
import { type Fetched, fetchSeries, seriesAnnotations } from './datapoints';
import { metricWithDefinition, summaryWithThreshold } from './definition';
import type { Enricher } from './hook';
import { alarmConsoleUrl } from './links';
import { resourceLinks } from './resource-links';
import { withSecurityLinks } from './security-links';
import { planFromDefinition, planFromEvent, type SeriesPlan } from './series-plan';

export { Budget, failureReason } from './budget';
export { TtlCache } from './cache';
export { childAlarmNames } from './composite';
export { type EnrichDeps, type Enricher, enrich } from './hook';
export { cloudTrailUserName } from './security-links';

const MAX_CHILD_LINKS = 5;

/** Enriches alarms from CloudWatch (and security alerts with links) within a time budget. */
export class AwsContextEnricher implements Enricher {
  private readonly tagCache: TtlCache<Record<string, string>>;

  constructor(
    private readonly cloudwatch: CloudWatchPort,
    private readonly config: EnrichmentConfig,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.tagCache = new TtlCache(500, config.tagCacheSeconds * 1000);
  }

  async enrich(draft: AlertDraft): Promise<AlertDraft> {
    try {
      if (draft.labels.source === 'cloudwatch-alarm' && draft.labels.alarmArn) return await this.alarm(draft);
      if (draft.labels.source === 'cloudtrail' && this.config.links) return withSecurityLinks(draft);
    } catch (error) {
      // Enrichment must never stop an alert: whatever went wrong, deliver the draft as it came.
      return {
        ...draft,
        annotations: { ...draft.annotations, enrichment: `not enriched: ${failureReason(error)}` },
      };
    }
    return draft;
  }

  private async tags(alarmArn: string, budget: Budget): Promise<Record<string, string>> {
    const cached = this.tagCache.get(alarmArn, Date.now());
    if (cached) return cached;
    const tags = await budget.call((signal) => this.cloudwatch.alarmTags(alarmArn, signal));
    this.tagCache.set(alarmArn, tags, Date.now());
    return tags;
  }

  private async alarm(draft: AlertDraft): Promise<AlertDraft> {
    const cfg = this.config;
    const budget = new Budget(cfg.budgetMs, cfg.callTimeoutMs);
    const labels = draft.labels;
    const name = labels.alarmName as string;
    const arn = labels.alarmArn as string;
    const kind = labels.alarmKind;
    const firing = draft.status === 'firing' && !draft.noData;
    const composite = kind === 'composite';
    const metricKind = kind === 'metric' || kind === 'math' || kind === 'anomaly';
    const eventPlan = planFromEvent(draft.metric, kind);
    const eventChildren = (draft.annotations.triggeringAlarms ?? '')
      .split(', ')
      .map((child) => child.trim())
      .filter(Boolean);
    const wantSeries = firing && metricKind && (cfg.datapoints || cfg.related);
    const wantChildren = firing && composite && cfg.children;
    const metric = draft.metric;
    const needDefinition =
      cfg.definition &&
      firing &&
      ((metricKind &&
        (metric?.threshold === undefined || !metric.comparisonOperator || (wantSeries && !eventPlan))) ||
        (wantChildren && eventChildren.length === 0 && !draft.annotations.alarmRule));

    type Piece = 'tags' | 'definition' | 'datapoints' | 'children';
    const pieces: Partial<Record<Piece, Promise<unknown>>> = {};
    if (cfg.tags && !draft.alarmTags) pieces.tags = this.tags(arn, budget);
    const definition = needDefinition
      ? budget
          .call((signal) => this.cloudwatch.describeAlarms([name], signal))
          .then((found) => {
            const match = found.find((alarm) => alarm.name === name);
            if (!match) throw new NothingFound('alarm not found');
            return match;
          })
      : undefined;
    if (definition) pieces.definition = definition;
    const end = this.now();
    if (wantSeries) {
      pieces.datapoints = (async () => {
        const plan =
          eventPlan ??
          (definition ? planFromDefinition(await definition) : undefined) ??
          (() => {
            throw new NotApplicable('no metric to query');
          })();
        return { plan, series: await fetchSeries(this.cloudwatch, cfg, plan, end, budget) };
      })();
    }
    if (wantChildren && eventChildren.length === 0) {
      pieces.children = (async () => {
        const rule = draft.annotations.alarmRule ?? (definition ? (await definition).alarmRule : undefined);
        const names = childAlarmNames(rule ?? '').slice(0, 100);
        if (names.length === 0) throw new NotApplicable('no child alarms in the rule');
        const found = await budget.call((signal) => this.cloudwatch.describeAlarms(names, signal));
        return found.filter((child) => child.state === 'ALARM').map((child) => child.name);
      })();
    }
    const settled = await budget.settle(pieces);

    const missing: string[] = [];
    const note = (piece: string, result: Settled<unknown> | undefined) => {
      if (result && !result.ok && result.applicable) missing.push(`${piece}: ${result.reason}`);
    };

    // Tags: promoted to labels so routes can match them; severity and runbook act as event tags do.
    const tagsResult = settled.get('tags');
    note('tags', tagsResult);
    const tags = draft.alarmTags ?? (tagsResult?.ok ? (tagsResult.value as Record<string, string>) : {});
    const promoted = draft.alarmTags ? {} : promoteTags(draft, tags, cfg.promoteTags);

    // Definition: threshold, comparison, period when the event lacks them.
    const definitionResult = settled.get('definition');
    note('definition', definitionResult);
    const defined = definitionResult?.ok ? (definitionResult.value as AlarmDefinition) : undefined;
    const copiedMetric = draft.metric
      ? { ...draft.metric, dimensions: { ...draft.metric.dimensions } }
      : undefined;
    const definedMetric = defined && metricKind ? metricWithDefinition(copiedMetric, defined) : undefined;
    const nextMetric = definedMetric ?? copiedMetric;
    const summary = definedMetric && firing ? { summary: summaryWithThreshold(draft, definedMetric) } : {};

    // Datapoints, trend and related signals, from the one GetMetricData call.
    const seriesResult = settled.get('datapoints');
    note(cfg.datapoints ? 'datapoints' : 'related', seriesResult);
    const plan = seriesResult?.ok
      ? (seriesResult.value as { plan: SeriesPlan }).plan
      : (eventPlan ?? (defined ? planFromDefinition(defined) : undefined));
    const series = seriesResult?.ok
      ? seriesAnnotations(cfg, plan as SeriesPlan, (seriesResult.value as { series: Fetched }).series, {
          threshold: nextMetric?.threshold,
          comparisonOperator: nextMetric?.comparisonOperator,
        })
      : {};

    // Composite alarms: which children are in ALARM, with links.
    const childrenResult = settled.get('children');
    note('children', childrenResult);
    const children = childrenResult?.ok ? (childrenResult.value as string[]) : eventChildren.map(alarmNameOf);
    const showChildren = composite && children.length > 0 && firing;
    // No console links for a Region Klaxon has no console for (unknown Region, isolated partitions).
    const consolePartition = draft.partition;
    const childLinks =
      showChildren && cfg.links && consolePartition
        ? children.slice(0, MAX_CHILD_LINKS).map((child) => ({
            text: `Alarm ${child}`,
            url: alarmConsoleUrl(consolePartition, labels.region, child),
          }))
        : [];

    const metricLinks =
      cfg.links && metricKind && plan && consolePartition
        ? resourceLinks(
            {
              partition: consolePartition,
              region: labels.region,
              startsAt: draft.startsAt,
              alarmName: labels.alarmName,
              threshold: nextMetric?.threshold,
              lookbackMinutes: cfg.lookbackMinutes,
              now: this.now,
            },
            plan,
            tags.logGroup,
          )
        : [];
    const attempted = Object.keys(pieces).length;
    const failed = [...settled.values()].filter((r) => !r.ok && r.applicable).length;
    const enrichment =
      missing.length > 0
        ? { enrichment: failed === attempted ? `not enriched: ${missing.join('; ')}` : missing.join('; ') }
        : {};
    return {
      ...draft,
      labels: { ...draft.labels },
      annotations: {
        ...draft.annotations,
        ...summary,
        ...series,
        ...(showChildren ? { alarmingChildren: children.join(', ') } : {}),
        ...enrichment,
      },
      links: [...draft.links, ...childLinks, ...metricLinks],
      metric: nextMetric,
      ...promoted,
    };
  }
}
