import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { DeliveryResult } from '../receivers/types';
import type { Decision } from '../routing/decide';
import type { MetricDimensions, MetricName } from './metrics';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** The pipeline's view of observability: decisions, counts and trace spans, whatever backs them. */
export interface PipelineObserver {
  /** Runs `work` inside a trace subsegment named `name`, with optional annotations. */
  span<T>(name: string, work: () => Promise<T>, annotations?: Record<string, string>): Promise<T>;
  /** Counts one occurrence of a metric from the fixed list. */
  count<N extends MetricName>(name: N, dimensions: MetricDimensions<N>): void;
  /** Records one time measurement in milliseconds (published as a distribution: p50/p95/p99 work). */
  timing<N extends MetricName>(name: N, dimensions: MetricDimensions<N>, milliseconds: number): void;
  /** A log line about delivery mechanics (degradation, dead letters), naming the alert it concerns. */
  note(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void;
  /** One structured decision line per alert. */
  decided(decision: Decision, deliveries: readonly DeliveryResult[]): void;
  /** An input that could not be used: logged with the reason and a redacted excerpt. */
  rejected(outcome: 'invalid' | 'ignored', reason: string, record: number): void;
  /** Publishes what was counted (once per invocation). */
  flush(): void;
}

/** An observer that records nothing (replays and unit tests that do not look). */
export const silentObserver: PipelineObserver = {
  span: (_name, work) => work(),
  count: () => {},
  timing: () => {},
  note: () => {},
  decided: () => {},
  rejected: () => {},
  flush: () => {},
};

/** The Powertools-backed observer used in Lambda (and by replays with `--verbose`). */
export class PowertoolsObserver implements PipelineObserver {
  private readonly counts = new Map<
    string,
    { name: MetricName; dimensions: Record<string, string>; value: number }
  >();
  private readonly timings: Array<{ name: MetricName; dimensions: Record<string, string>; value: number }> =
    [];

  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly tracer: Tracer,
  ) {}

  async span<T>(name: string, work: () => Promise<T>, annotations?: Record<string, string>): Promise<T> {
    const parent = this.tracer.isTracingEnabled() ? this.tracer.getSegment() : undefined;
    if (!parent) return work();
    const subsegment = parent.addNewSubsegment(name);
    for (const [key, value] of Object.entries(annotations ?? {})) subsegment.addAnnotation(key, value);
    this.tracer.setSegment(subsegment);
    try {
      return await work();
    } catch (error) {
      subsegment.addError(error as Error);
      throw error;
    } finally {
      subsegment.close();
      this.tracer.setSegment(parent);
    }
  }

  count<N extends MetricName>(name: N, dimensions: MetricDimensions<N>): void {
    const dims = dimensions as Record<string, string>;
    const key = `${name}|${Object.entries(dims)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}`;
    const existing = this.counts.get(key);
    if (existing) existing.value += 1;
    else this.counts.set(key, { name, dimensions: dims, value: 1 });
  }

  timing<N extends MetricName>(name: N, dimensions: MetricDimensions<N>, milliseconds: number): void {
    this.timings.push({
      name,
      dimensions: dimensions as Record<string, string>,
      value: Math.max(0, milliseconds),
    });
  }

  note(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void {
    this.logger[level](message, fields);
  }

  decided(decision: Decision, deliveries: readonly DeliveryResult[]): void {
    const { alert } = decision;
    const failed = deliveries.filter((d) => d.outcome === 'failed');
    const queued = deliveries.some((d) => d.outcome === 'queued');
    const entry = {
      fingerprint: alert.fingerprint,
      transitionId: alert.transitionId,
      source: alert.labels.source,
      alarmName: alert.labels.alarmName,
      // `kind` (informational, klaxon) and the summary: the dashboard's informational timeline lists them.
      kind: alert.labels.kind,
      summary: alert.annotations.summary,
      status: alert.status,
      severity: alert.severity,
      severitySource: decision.severitySource,
      route: decision.routes,
      receivers: decision.receivers,
      skipped: decision.skipped.length > 0 ? decision.skipped : undefined,
      suppressed: decision.suppressed,
      outcome: decision.suppressed
        ? 'suppressed'
        : failed.length > 0
          ? 'failed'
          : queued
            ? 'queued'
            : 'delivered',
      deliveries: deliveries.map((d) => ({
        receiver: d.receiver,
        outcome: d.outcome,
        attempts: d.attempts,
        status: d.status,
        error: d.error,
      })),
    };
    if (failed.length > 0) this.logger.error('alert delivery failed', { decision: entry });
    else this.logger.info('alert decided', { decision: entry });
  }

  rejected(outcome: 'invalid' | 'ignored', reason: string, record: number): void {
    if (outcome === 'invalid') this.logger.warn('event invalid', { record, reason });
    else this.logger.info('event ignored', { record, reason });
  }

  flush(): void {
    // One EMF blob per dimension set, holding every metric of that set: fewer log bytes per alert.
    const sets = new Map<
      string,
      { dimensions: Record<string, string>; entries: Array<[MetricName, Unit, number]> }
    >();
    const add = (name: MetricName, dimensions: Record<string, string>, unit: Unit, value: number) => {
      const key = Object.entries(dimensions)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const set = sets.get(key) ?? { dimensions, entries: [] };
      set.entries.push([name, unit, value]);
      sets.set(key, set);
    };
    for (const { name, dimensions, value } of this.counts.values())
      add(name, dimensions, MetricUnit.Count, value);
    for (const { name, dimensions, value } of this.timings)
      add(name, dimensions, MetricUnit.Milliseconds, value);
    this.counts.clear();
    this.timings.length = 0;
    for (const { dimensions, entries } of sets.values()) {
      this.metrics.addDimensions(dimensions);
      for (const [name, unit, value] of entries) this.metrics.addMetric(name, unit, value);
      this.metrics.publishStoredMetrics();
    }
  }
}
