import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { afterEach, describe, expect, it } from 'vitest';
import { DIMENSION_VALUES } from '../../shared/observability/metrics';
import { PowertoolsObserver } from '../../shared/observability/observer';
import { suppressionReason } from '../../shared/pipeline';
import { captureOutput } from '../support/capture';

type FakeSegment = {
  name: string;
  annotations: Record<string, string>;
  closed: boolean;
  errors: unknown[];
  children: FakeSegment[];
  addNewSubsegment(name: string): FakeSegment;
  addAnnotation(key: string, value: string): void;
  addError(error: unknown): void;
  close(): void;
};

function segment(name: string): FakeSegment {
  const s: FakeSegment = {
    name,
    annotations: {},
    closed: false,
    errors: [],
    children: [],
    addNewSubsegment(child) {
      const created = segment(child);
      s.children.push(created);
      return created;
    },
    addAnnotation(key, value) {
      s.annotations[key] = value;
    },
    addError(error) {
      s.errors.push(error);
    },
    close() {
      s.closed = true;
    },
  };
  return s;
}

function fakeTracer(root: FakeSegment | undefined) {
  let current = root;
  return {
    isTracingEnabled: () => root !== undefined,
    getSegment: () => current,
    setSegment: (s: FakeSegment) => {
      current = s;
    },
  } as unknown as Tracer;
}

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => {
  output?.restore();
  delete process.env._X_AMZN_TRACE_ID;
});

describe('PowertoolsObserver', () => {
  it('opens one annotated subsegment per span, nested, and restores the parent', async () => {
    const root = segment('facade');
    const observer = new PowertoolsObserver(
      new Logger(),
      new Metrics({ namespace: 'Klaxon' }),
      fakeTracer(root),
    );
    await observer.span('alert', () => observer.span('deliver slack', async () => 'ok'), {
      fingerprint: 'fp',
      severity: 'critical',
    });
    expect(root.children.map((c) => c.name)).toEqual(['alert']);
    expect(root.children[0]?.annotations).toEqual({ fingerprint: 'fp', severity: 'critical' });
    expect(root.children[0]?.children.map((c) => c.name)).toEqual(['deliver slack']);
    expect(root.children[0]?.closed && root.children[0]?.children[0]?.closed).toBe(true);
  });

  it('records errors on the subsegment and rethrows', async () => {
    const root = segment('facade');
    const observer = new PowertoolsObserver(
      new Logger(),
      new Metrics({ namespace: 'Klaxon' }),
      fakeTracer(root),
    );
    await expect(observer.span('normalize', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(root.children[0]?.errors).toHaveLength(1);
    expect(root.children[0]?.closed).toBe(true);
  });

  it('runs the work untraced when tracing is off', async () => {
    const observer = new PowertoolsObserver(
      new Logger(),
      new Metrics({ namespace: 'Klaxon' }),
      fakeTracer(undefined),
    );
    await expect(observer.span('x', async () => 42)).resolves.toBe(42);
  });

  it('aggregates counts per dimension set and publishes one EMF blob per set', () => {
    output = captureOutput();
    const observer = new PowertoolsObserver(
      new Logger(),
      new Metrics({ namespace: 'Klaxon', serviceName: 't' }),
      fakeTracer(undefined),
    );
    observer.count('AlertsReceived', { source: 'cloudwatch-alarm', severity: 'critical' });
    observer.count('AlertsReceived', { source: 'cloudwatch-alarm', severity: 'critical' });
    observer.count('AlertsReceived', { source: 'cloudwatch-alarm', severity: 'info' });
    observer.flush();
    const blobs = output
      .lines()
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => '_aws' in l);
    expect(blobs.map((b) => [b.severity, b.AlertsReceived])).toEqual([
      ['critical', 2],
      ['info', 1],
    ]);
  });

  it('puts the X-Ray trace id on every log line', () => {
    process.env._X_AMZN_TRACE_ID =
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    output = captureOutput();
    new Logger({ serviceName: 't' }).info('hello');
    const [line] = output.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(line?.xray_trace_id).toBe('1-5759e988-bd862e3fe1be46a994272793');
  });
});

describe('suppression reasons as metric dimensions', () => {
  it.each([
    ['muted by alarm mute rule deploy-window', 'muted'],
    ['composite alarm actions suppressed by WaitPeriod', 'actions-suppressed'],
    ['no-data policy: INSUFFICIENT_DATA is not notified', 'no-data-policy'],
    ['silenced by s-1: deploy', 'silenced'],
    ['maintenance window sunday (Europe/Berlin) until 2026-03-15T03:00:00.000Z', 'window'],
    ['inhibited by service-down-payments (rule composite)', 'inhibited'],
    ['flapping: 7 state changes in the last 30 min', 'flapping'],
    ['allowlisted cidr 203.0.113.0/24: office', 'allowlisted'],
    ['finding update with unchanged status (firing) and severity (error)', 'finding-unchanged'],
    ['something new', 'other'],
  ])('%s → %s', (suppressed, reason) => {
    expect(suppressionReason({ suppressed })).toBe(reason);
    expect(DIMENSION_VALUES.reason).toContain(reason);
  });
});
