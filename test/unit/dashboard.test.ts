import { createRequire } from 'node:module';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/yaml';
import { METRIC_DIMENSIONS } from '../../shared/observability/metrics';
import { PowertoolsObserver } from '../../shared/observability/observer';
import { processEvent } from '../../shared/pipeline';
import { createReceivers, systemClock } from '../../shared/receivers/factory';
import { LocalSecretResolver } from '../../shared/secrets/secrets';
import { SOURCES } from '../../shared/sources/registry';
import { captureOutput } from '../support/capture';
import { fixture, repoText } from '../support/fixtures';

const require = createRequire(import.meta.url);
const dashboard = require('../../deploy/dashboard.cjs') as {
  dashboardBody(): { 'Fn::Sub': string };
  TIMELINE_FIELDS: string[];
};

type Widget = {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
};

const body = JSON.parse(dashboard.dashboardBody()['Fn::Sub']) as { widgets: Widget[] };
const metricWidgets = body.widgets.filter((w) => w.type === 'metric');

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.restore());

describe('the CloudWatch dashboard (deploy/dashboard.cjs)', () => {
  it('gives every metric widget an array of metric arrays, with valid unique expression ids', () => {
    for (const widget of metricWidgets) {
      const metrics = widget.properties.metrics as unknown[];
      const ids = metrics.map((entry) => {
        expect(Array.isArray(entry), `${String(widget.properties.title)}: each metric is an array`).toBe(
          true,
        );
        const [expression] = entry as Array<{ expression: string; id: string }>;
        expect(expression?.id).toMatch(/^[a-z][A-Za-z0-9_]*$/);
        return expression?.id;
      });
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('searches only metrics of the fixed list, with their dimensions', () => {
    const searched = metricWidgets.flatMap((w) =>
      (w.properties.metrics as Array<Array<{ expression: string }>>).map((m) => m[0]?.expression ?? ''),
    );
    for (const expression of searched.filter((e) => e.includes('{Klaxon,'))) {
      const [, schema = '', name = ''] = /\{Klaxon,([^}]*)\} MetricName="([A-Za-z]+)"/.exec(expression) ?? [];
      expect(Object.keys(METRIC_DIMENSIONS)).toContain(name);
      const dimensions = METRIC_DIMENSIONS[name as keyof typeof METRIC_DIMENSIONS] as readonly string[];
      expect(schema.split(',')).toEqual(['service', ...dimensions]);
    }
  });

  it('lays widgets out without overlaps on the 24-column grid', () => {
    const cells = new Set<string>();
    for (const w of body.widgets) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x += 1)
        for (let y = w.y; y < w.y + w.height; y += 1) {
          expect(cells.has(`${x},${y}`), `${String(w.properties.title)} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it('shows informational events by source, one series per informational source descriptor', () => {
    const informational = SOURCES.filter((d) => d.informational).map((d) => d.label);
    const widget = metricWidgets.find((w) => String(w.properties.title).startsWith('Informational events'));
    const series = (widget?.properties.metrics as Array<Array<{ expression: string; label: string }>>).map(
      (m) => m[0],
    );
    expect(series.map((s) => s?.label)).toEqual(informational);
    expect(series[0]?.expression).toBe(
      `SUM(SEARCH('{Klaxon,service,source,kind} MetricName="InformationalEvents" source="aws-health"', 'Sum', 300))`,
    );
  });

  it("lists informational decisions from the notifier's log with fields the decision line really writes", async () => {
    const timeline = body.widgets.find((w) => w.type === 'log');
    const query = String(timeline?.properties.query);
    expect(
      query.startsWith(
        "SOURCE '${OperationalEventsLogGroup}' | SOURCE '${AlarmNotifierLogGroup}' | fields @timestamp, ",
      ),
    ).toBe(true);
    expect(query).toContain(
      'filter decision.source in ["aws-health", "codedeploy", "ecs", "autoscaling", "cost-anomaly"]',
    );
    expect(query).toContain('sort @timestamp desc');

    // The real decision line of an informational alert, as the notifier logs it.
    output = captureOutput();
    const config = loadConfig(repoText('klaxon.yml'));
    await processEvent(fixture('ecs/eventbridge-deployment-failed.json'), {
      config,
      receivers: createReceivers(config.receivers, {
        secrets: new LocalSecretResolver({}),
        post: async () => {
          throw new Error('no network');
        },
        clock: systemClock,
        consoleSink: () => {},
      }),
      mode: 'preview',
      observer: new PowertoolsObserver(
        new Logger({ serviceName: 'klaxon' }),
        new Metrics({ namespace: 'Klaxon', serviceName: 'klaxon' }),
        { isTracingEnabled: () => false } as unknown as Tracer,
      ),
      now: () => new Date('2026-03-14T15:00:00Z'),
    });
    const line = output
      .lines()
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === 'alert decided');
    const decision = line?.decision as Record<string, unknown>;
    const fields = [...query.matchAll(/decision\.([A-Za-z]+)/g)].map((m) => m[1] ?? '');
    expect(fields.length).toBeGreaterThanOrEqual(5);
    for (const field of fields) expect(decision, field).toHaveProperty(field);
    expect(decision).toMatchObject({
      source: 'ecs',
      kind: 'deployment',
      status: 'resolved',
      severity: 'info',
    });
  });
});
