import type { MetricContext } from '../alert/alert';
import type { KlaxonConfig } from '../config/load';
import { classify } from '../routing/decide';
import { matchRoutes } from '../routing/routes';
import { RESERVED_LABELS } from '../sources/cloudwatch-alarm/normalize';
import type { AlertDraft } from '../sources/types';
import type {
  AlarmDefinition,
  CloudWatchPort,
  MetricQuery,
  MetricSeries,
  MetricStatSpec,
} from './cloudwatch-port';
import type { EnrichmentConfig } from './config';
import {
  alarmConsoleUrl,
  cloudTrailHistoryUrl,
  ERROR_QUERY,
  type GraphMetric,
  logsInsightsUrl,
  metricGraphUrl,
  resourceTelemetry,
  type TimeWindow,
  xrayTracesUrl,
} from './links';
import { relatedSignals } from './related';
import { breaches, comparisonSymbol, downsample, formatValue, sparkline } from './sparkline';
import { classifyTrend } from './trend';

/**
 * The enrichment port: adds AWS context to a normalized alert before it is classified and routed.
 * It never throws and never takes longer than its budget; what it could not get is named in the
 * `enrichment` annotation.
 */
export interface Enricher {
  enrich(draft: AlertDraft): Promise<AlertDraft>;
}

/** What the pipeline hook needs (a subset of PipelineDeps). */
export interface EnrichDeps {
  enricher?: Enricher;
  config: KlaxonConfig;
  observer?: {
    note(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void;
  };
}

/**
 * The pipeline hook: the draft unchanged when no enricher is configured, enrichment is off, the
 * source suppressed the alert, or every route it provisionally takes says `enrichment: false`
 * (provisional: routed on the event's own labels, before tags are read).
 */
export async function enrich(draft: AlertDraft, deps: EnrichDeps): Promise<AlertDraft> {
  const { enricher, config } = deps;
  if (!enricher || !config.enrichment.enabled || draft.suppressedBySource) return draft;
  if (config.enrichment.routeOptOut) {
    const { alert } = classify(draft, config);
    const labels = { ...alert.labels, severity: alert.severity, status: alert.status };
    if (!matchRoutes(config.route, labels).some((route) => route.enrichment)) return draft;
  }
  const enriched = await enricher.enrich(draft);
  const missing = enriched.annotations.enrichment;
  if (missing) {
    deps.observer?.note('warn', 'alert delivered without part of its enrichment', {
      fingerprint: draft.fingerprint,
      enrichment: missing,
    });
  }
  return enriched;
}

/** Thrown when a call did not answer within its timeout or the budget. */
class EnrichmentTimeout extends Error {
  override readonly name = 'EnrichmentTimeout';
}

/** Thrown for a piece that does not apply to this alert (not reported as missing). */
class NotApplicable extends Error {
  override readonly name = 'NotApplicable';
}

/** Thrown for a piece that found nothing (reported with this message). */
class NothingFound extends Error {
  override readonly name = 'NothingFound';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);

/** A short reason for a failed piece: `timed out`, `AccessDenied`, `unreachable (ECONNREFUSED)`… */
export function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 80);
  if (error instanceof EnrichmentTimeout || error.name === 'AbortError' || error.name === 'TimeoutError') {
    return 'timed out';
  }
  if (error instanceof NothingFound) return error.message;
  if (error.name === 'AccessDenied' || error.name === 'AccessDeniedException') return 'AccessDenied';
  if (error.name === 'ResourceNotFound' || error.name === 'ResourceNotFoundException')
    return 'alarm not found';
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return `unreachable (${code})`;
  const inMessage = [...NETWORK_CODES].find((c) => error.message.includes(c));
  if (inMessage) return `unreachable (${inMessage})`;
  if (error.name && error.name !== 'Error') return error.name.slice(0, 80);
  return error.message.slice(0, 80) || 'failed';
}

/** Rejects with EnrichmentTimeout as soon as `signal` aborts, whether or not `work` honours it. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new EnrichmentTimeout('timed out'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? new EnrichmentTimeout('timed out') : error);
      },
    );
  });
}

type Settled<T> = { ok: true; value: T } | { ok: false; reason: string; applicable: boolean };

/** The total time budget of one alert's enrichment, and each call's timeout within it. */
export class Budget {
  private readonly controller = new AbortController();
  private readonly deadline: number;

  constructor(
    budgetMs: number,
    private readonly callTimeoutMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.deadline = clock() + budgetMs;
  }

  /** Milliseconds left. */
  remainingMs(): number {
    return Math.max(0, this.deadline - this.clock());
  }

  /** Runs one AWS call with a signal that aborts at its own timeout or at the end of the budget. */
  call<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const timeout = Math.max(1, Math.min(this.callTimeoutMs, this.remainingMs()));
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(timeout)]);
    let started: Promise<T>;
    try {
      started = work(signal);
    } catch (error) {
      started = Promise.reject(error);
    }
    return abortable(started, signal);
  }

  /**
   * Waits for every piece, but no longer than the budget; a piece still running then is `timed
   * out`, and every call still in flight is aborted.
   */
  async settle<K extends string>(
    pieces: Partial<Record<K, Promise<unknown>>>,
  ): Promise<Map<K, Settled<unknown>>> {
    const results = new Map<K, Settled<unknown>>();
    const entries = Object.entries(pieces) as Array<[K, Promise<unknown>]>;
    const all = Promise.all(
      entries.map(([key, promise]) =>
        promise.then(
          (value) => void results.set(key, { ok: true, value }),
          (error: unknown) =>
            void results.set(key, {
              ok: false,
              reason: failureReason(error),
              applicable: !(error instanceof NotApplicable),
            }),
        ),
      ),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.remainingMs());
    });
    await Promise.race([all, expired]);
    clearTimeout(timer);
    this.controller.abort();
    const snapshot = new Map(results);
    for (const [key] of entries) {
      if (!snapshot.has(key)) snapshot.set(key, { ok: false, reason: 'timed out', applicable: true });
    }
    return snapshot;
  }
}

/** A small TTL cache with a bounded number of entries (oldest evicted first). */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, now: number): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expires: now + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/** What to fetch for the alarmed metric, from the event or from the alarm's definition. */
interface SeriesPlan {
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
const MAX_CHILD_LINKS = 5;
const SPARK_WIDTH = 30;
const DAY_MS = 86_400_000;

/** CloudWatch periods are whole minutes here; sub-minute (high-resolution) alarms are shown per minute. */
function queryPeriod(period: number | undefined): number {
  const seconds = Math.max(60, period ?? 60);
  return Math.ceil(seconds / 60) * 60;
}

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

function planFromEvent(metric: MetricContext | undefined, kind: string | undefined): SeriesPlan | undefined {
  if (kind !== 'metric' || !metric?.namespace || !metric.metricName || !metric.statistic) return undefined;
  return planFromStat({
    namespace: metric.namespace,
    metricName: metric.metricName,
    dimensions: metric.dimensions,
    stat: metric.statistic,
    period: metric.period ?? 60,
  });
}

function planFromDefinition(definition: AlarmDefinition): SeriesPlan | undefined {
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

/** Child alarm names referenced by a composite alarm rule (names or ARNs, quoted or not). */
export function childAlarmNames(rule: string): string[] {
  const names = new Set<string>();
  for (const match of rule.matchAll(
    /\b(?:ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(?:"([^"]+)"|([^()\s"]+))\s*\)/g,
  )) {
    const reference = match[1] ?? match[2] ?? '';
    names.add(alarmNameOf(reference));
  }
  names.delete('');
  return [...names];
}

function alarmNameOf(reference: string): string {
  if (!reference.startsWith('arn:')) return reference;
  const at = reference.indexOf(':alarm:');
  return at >= 0 ? reference.slice(at + ':alarm:'.length) : reference;
}

function utcMinute(millis: number): string {
  return new Date(millis).toISOString().slice(11, 16);
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

/** Builds the alarm's summary again with the threshold the definition supplied. */
function summaryWithThreshold(draft: AlertDraft, metric: MetricContext): string {
  const summary = draft.annotations.summary;
  const name = draft.labels.alarmName;
  const symbol = comparisonSymbol(metric.comparisonOperator);
  const plain = `ALARM: ${name} in `;
  if (!name || metric.threshold === undefined || !symbol || !summary.startsWith(plain)) return summary;
  const what = metric.metricName ?? metric.expression ?? 'value';
  return `ALARM: ${name} (${what} ${symbol} ${metric.threshold}) in ${summary.slice(plain.length)}`;
}

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
      if (draft.labels.source === 'cloudtrail' && this.config.links) return this.securityLinks(draft);
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
        return { plan, series: await this.fetchSeries(plan, end, budget) };
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

    const next: AlertDraft = {
      ...draft,
      labels: { ...draft.labels },
      annotations: { ...draft.annotations },
      links: [...draft.links],
      metric: draft.metric ? { ...draft.metric, dimensions: { ...draft.metric.dimensions } } : undefined,
    };
    const missing: string[] = [];
    const note = (piece: string, result: Settled<unknown> | undefined) => {
      if (result && !result.ok && result.applicable) missing.push(`${piece}: ${result.reason}`);
    };

    // Tags: promoted to labels so routes can match them; severity and runbook act as event tags do.
    const tagsResult = settled.get('tags');
    note('tags', tagsResult);
    const tags = draft.alarmTags ?? (tagsResult?.ok ? (tagsResult.value as Record<string, string>) : {});
    if (!draft.alarmTags) this.promote(next, tags);

    // Definition: threshold, comparison, period when the event lacks them.
    const definitionResult = settled.get('definition');
    note('definition', definitionResult);
    const defined = definitionResult?.ok ? (definitionResult.value as AlarmDefinition) : undefined;
    if (defined && metricKind) {
      const base: MetricContext = next.metric ?? {
        dimensions: { ...(defined.metric?.dimensions ?? {}) },
        namespace: defined.metric?.namespace,
        metricName: defined.metric?.metricName,
        statistic: defined.metric?.stat,
      };
      next.metric = {
        ...base,
        threshold: base.threshold ?? defined.threshold,
        comparisonOperator: base.comparisonOperator ?? defined.comparisonOperator,
        period: base.period ?? defined.period,
        evaluationPeriods: base.evaluationPeriods ?? defined.evaluationPeriods,
      };
      if (firing) next.annotations.summary = summaryWithThreshold(next, next.metric);
    }

    // Datapoints, trend and related signals, from the one GetMetricData call.
    const seriesResult = settled.get('datapoints');
    note(cfg.datapoints ? 'datapoints' : 'related', seriesResult);
    const plan = seriesResult?.ok
      ? (seriesResult.value as { plan: SeriesPlan }).plan
      : (eventPlan ?? (defined ? planFromDefinition(defined) : undefined));
    if (seriesResult?.ok) {
      const { series } = seriesResult.value as { plan: SeriesPlan; series: Fetched };
      this.renderSeries(next, plan as SeriesPlan, series, end);
    }

    // Composite alarms: which children are in ALARM, with links.
    const childrenResult = settled.get('children');
    note('children', childrenResult);
    const children = childrenResult?.ok ? (childrenResult.value as string[]) : eventChildren.map(alarmNameOf);
    if (composite && children.length > 0 && firing) {
      next.annotations.alarmingChildren = children.join(', ');
      if (cfg.links) {
        for (const child of children.slice(0, MAX_CHILD_LINKS)) {
          next.links.push({
            text: `Alarm ${child}`,
            url: alarmConsoleUrl(next.partition, labels.region, child),
          });
        }
      }
    }

    if (cfg.links && metricKind && plan) this.resourceLinks(next, plan, tags.logGroup);
    const attempted = Object.keys(pieces).length;
    const failed = [...settled.values()].filter((r) => !r.ok && r.applicable).length;
    if (missing.length > 0) {
      next.annotations.enrichment =
        failed === attempted ? `not enriched: ${missing.join('; ')}` : missing.join('; ');
    }
    return next;
  }

  private promote(next: AlertDraft, tags: Record<string, string>): void {
    for (const key of this.config.promoteTags) {
      const value = tags[key];
      if (value === undefined || value === '') continue;
      if (key === 'severity' && !next.severityHint)
        next.severityHint = { word: value, from: 'alarm tag "severity"' };
      if (key === 'runbook' && !next.runbookHint) next.runbookHint = value;
      if (!RESERVED_LABELS.has(key) && !(key in next.labels)) next.labels[key] = value;
    }
  }

  /** One GetMetricData call: the alarmed metric over the window and a day earlier, plus related signals. */
  private async fetchSeries(plan: SeriesPlan, end: Date, budget: Budget): Promise<Fetched> {
    const periodMs = plan.period * 1000;
    const windowMs = Math.max(this.config.lookbackMinutes * 60_000, 6 * periodMs);
    const endMs = Math.ceil(end.getTime() / periodMs) * periodMs;
    const windowStart = endMs - Math.ceil(windowMs / periodMs) * periodMs;
    const related = this.config.related
      ? relatedSignals(plan.namespace, plan.dimensions, plan.metricName).map((signal, index) => ({
          signal,
          id: `klxrel${index}`,
        }))
      : [];
    const queries: MetricQuery[] = [
      ...(this.config.datapoints ? plan.queries : []),
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
      this.cloudwatch.metricData(
        queries,
        { start: new Date(windowStart - DAY_MS), end: new Date(endMs) },
        signal,
      ),
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

  private renderSeries(next: AlertDraft, plan: SeriesPlan, fetched: Fetched, _end: Date): void {
    const { periodMs, windowStart, endMs } = fetched;
    const threshold = next.metric?.threshold;
    const operator = next.metric?.comparisonOperator;
    const minutes = Math.round((endMs - windowStart) / 60_000);
    if (this.config.datapoints) {
      const current = slots(fetched.current, windowStart, endMs, periodMs);
      const dayEarlier = present(slots(fetched.current, windowStart - DAY_MS, endMs - DAY_MS, periodMs));
      const values = present(current);
      const how = `${plan.stat ?? 'value'} per ${plan.period} s, last ${minutes} min`;
      if (values.length === 0) {
        next.annotations.datapoints = `no datapoints in the last ${minutes} min (${how})`;
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
        next.annotations.datapoints = `${spark.line} now ${formatValue(latest)}, ${down ? 'min' : 'max'} ${formatValue(peak)}${thresholdText} (${how})`;
        const recent: string[] = [];
        current.forEach((value, index) => {
          if (value !== undefined)
            recent.push(`${utcMinute(windowStart + index * periodMs)} ${formatValue(value)}`);
        });
        next.annotations.recentValues = `${recent.slice(-8).join(' · ')} (UTC)`;
        next.annotations.trend = classifyTrend(values, dayEarlier, down ? 'down' : 'up').text;
      }
    }
    if (fetched.related.length > 0) {
      next.annotations.related = fetched.related
        .map(({ label, stat, series }) => {
          const values = slots(series, windowStart, endMs, periodMs);
          const seen = present(values);
          if (seen.length === 0) return `${label} (${stat}): no data`;
          const spark = sparkline(downsample(values, 20)).line;
          return `${label} (${stat}): ${spark} now ${formatValue(seen[seen.length - 1] as number)}, max ${formatValue(Math.max(...seen))}`;
        })
        .join('\n');
    }
  }

  /** Metric graph, Logs Insights and X-Ray links for the alarmed resource and window. */
  private resourceLinks(next: AlertDraft, plan: SeriesPlan, logGroupTag: string | undefined): void {
    const { partition } = next;
    const region = next.labels.region;
    const anchor = Date.parse(next.startsAt);
    const at = Number.isNaN(anchor) ? this.now().getTime() : anchor;
    const lookback = this.config.lookbackMinutes * 60_000;
    const graphWindow: TimeWindow = { start: new Date(at - 3 * 3_600_000), end: new Date(at + 3_600_000) };
    const window: TimeWindow = { start: new Date(at - lookback), end: new Date(at + 10 * 60_000) };
    next.links.push({
      text: 'Metric graph',
      url: metricGraphUrl(partition, region, plan.graph, graphWindow, {
        period: plan.period,
        stat: plan.stat,
        threshold: next.metric?.threshold,
        title: next.labels.alarmName,
      }),
    });
    const telemetry = resourceTelemetry(plan.namespace, plan.dimensions, logGroupTag);
    if (telemetry && telemetry.logGroups.length > 0) {
      next.links.push({
        text: 'Logs Insights',
        url: logsInsightsUrl(partition, region, telemetry.logGroups, ERROR_QUERY, window),
      });
    }
    if (telemetry?.xrayFilter) {
      next.links.push({
        text: 'X-Ray traces',
        url: xrayTracesUrl(partition, region, telemetry.xrayFilter, window),
      });
    }
  }

  /**
   * Security alerts: the CloudTrail normalizer already links the event itself; this adds the event
   * history of the same principal (and resource) around it.
   */
  private securityLinks(draft: AlertDraft): AlertDraft {
    const eventTime = Date.parse(draft.annotations.eventTime ?? draft.startsAt);
    if (Number.isNaN(eventTime)) return draft;
    const window = { start: new Date(eventTime - 3_600_000), end: new Date(eventTime + 3_600_000) };
    const region = draft.labels.region;
    const links = [...draft.links];
    const user = cloudTrailUserName(draft.labels.principal);
    if (user) {
      links.push({
        text: `CloudTrail: ${user} ±1 h`,
        url: cloudTrailHistoryUrl(draft.partition, region, 'Username', user, window),
      });
    }
    const resource = draft.labels.resource;
    if (resource && resource.length <= 200) {
      links.push({
        text: 'CloudTrail: this resource ±1 h',
        url: cloudTrailHistoryUrl(draft.partition, region, 'ResourceName', resource, window),
      });
    }
    return links.length === draft.links.length ? draft : { ...draft, links };
  }
}

/** What one GetMetricData call returned, with the window it was read over. */
interface Fetched {
  periodMs: number;
  windowStart: number;
  endMs: number;
  current?: MetricSeries;
  related: Array<{ label: string; stat: string; series?: MetricSeries }>;
}

/** The user name CloudTrail's event history looks up (`Username`) for a principal label. */
export function cloudTrailUserName(principal: string | undefined): string | undefined {
  if (!principal || principal.startsWith('unknown') || principal.includes('HIDDEN')) return undefined;
  if (!principal.startsWith('arn:')) return principal.includes(' ') ? undefined : principal;
  const resource = principal.split(':').slice(5).join(':');
  if (resource === 'root') return 'root';
  const parts = resource.split('/');
  return parts[parts.length - 1] || undefined;
}
