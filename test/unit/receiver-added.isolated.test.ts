import { describe, expect, it, vi } from 'vitest';
import type { ProcessResult } from '../../shared/pipeline';
import { compareRuns } from '../../cli/diff';
import { loadConfig } from '../../shared/config/yaml';
import { DEFAULT_RATE_PER_SECOND, Dispatcher } from '../../shared/delivery/dispatcher';
import type { PipelineObserver } from '../../shared/observability/observer';
import { DIMENSION_VALUES } from '../../shared/observability/metrics';
import { createReceivers } from '../../shared/receivers/factory';
import type { HttpResponse } from '../../shared/receivers/http';
import { classify, decide } from '../../shared/routing/decide';
import type { AlertDraft } from '../../shared/sources/types';
import { MemoryStateStore } from '../../shared/state/memory';
import { manualClock, RecordingQueue, testAlert } from '../support/delivery-fakes';

// Adding a receiver type is its folder (./receiver-added/beeper/) plus this one registry line; every
// other module below is the shipped code, untouched.
vi.mock('../../shared/receivers/registry', async (importOriginal) => {
  const registry = await importOriginal<typeof import('../../shared/receivers/registry')>();
  const { beeperReceiver } = await import('./receiver-added/beeper/descriptor');
  return { ...registry, RECEIVER_DESCRIPTORS: [...registry.RECEIVER_DESCRIPTORS, beeperReceiver] };
});

const YAML = `
receivers:
  chat: { type: console }
  oncall: { type: beeper, url: "https://beeper.example.com/v1/page", token: { env: BEEPER_TOKEN } }
route:
  receiver: chat
  routes:
    - match: { severity: critical }
      receiver: oncall
      continue: true
`;

function build(config = loadConfig(YAML)) {
  const posts: Array<{ url: string; body: unknown; headers?: Record<string, string> }> = [];
  const clock = manualClock();
  const receivers = createReceivers(config.receivers, {
    secrets: { resolve: async () => 'token-1234' },
    post: async (url, body, options): Promise<HttpResponse> => {
      posts.push({ url, body: JSON.parse(body), headers: options.headers });
      return { status: 200, headers: new Headers(), body: '' };
    },
    clock,
    consoleSink: () => {},
  });
  return { config, receivers, posts, clock };
}

function draft(noData: boolean): AlertDraft {
  const arn = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-5xx';
  return {
    labels: { source: 'cloudwatch-alarm', account: '123456789012', region: 'eu-west-1', alarmArn: arn },
    annotations: { summary: 'ALARM: orders-5xx' },
    status: 'firing',
    fingerprint: arn,
    transitionId: `${arn}|ALARM|1`,
    startsAt: '2026-03-14T09:41:07.000Z',
    observedAt: '2026-03-14T09:41:07.200Z',
    path: 'sns',
    links: [],
    partition: 'aws',
    raw: {},
    noData,
    severityHint: { word: 'critical', from: 'test' },
  };
}

describe('a receiver type added as one folder and one registry line', () => {
  it('is validated by its own schema inside klaxon.yml', () => {
    expect(loadConfig(YAML).receivers.oncall).toEqual({
      type: 'beeper',
      url: 'https://beeper.example.com/v1/page',
      token: { env: 'BEEPER_TOKEN' },
    });
    expect(() => loadConfig(YAML.replace(', token: { env: BEEPER_TOKEN }', ''))).toThrow(
      /receivers\.oncall\.token/,
    );
    expect(() => loadConfig(YAML.replace('type: beeper', 'type: beepr'))).toThrow(/receivers\.oncall/);
  });

  it('is built and sends through the shared HTTP sender, its secret resolved into a header', async () => {
    const { receivers, posts } = build();
    const oncall = receivers.get('oncall');
    expect(oncall?.type).toBe('beeper');
    expect(oncall?.sendGroup).toBeUndefined();
    expect(oncall?.sendPrepared).toBeUndefined();
    const result = await oncall?.send(testAlert(1, { severity: 'critical' }));
    expect(result).toMatchObject({ receiver: 'oncall', type: 'beeper', outcome: 'delivered', status: 200 });
    expect(posts).toEqual([
      {
        url: 'https://beeper.example.com/v1/page',
        body: { message: testAlert(1).annotations.summary, severity: 'critical', resolved: false },
        headers: { authorization: 'Bearer token-1234' },
      },
    ]);
  });

  it('pages: a no-data notice skips it, and klaxon diff counts it as a page', () => {
    const config = loadConfig(YAML);
    const critical = loadConfig(`defaults: { insufficientData: { severity: critical } }${YAML}`);
    const noData = decide(draft(true), classify(draft(true), critical), critical);
    expect(noData.receivers).toEqual([]);
    expect(noData.skipped).toEqual([
      { receiver: 'oncall', reason: 'no-data notices go to chat only and never touch an open incident' },
    ]);
    const firing = decide(draft(false), classify(draft(false), config), config);
    expect(firing.receivers).toEqual(['oncall']);
    const previewed = (decision: typeof firing) => [
      {
        file: 'a.json',
        result: { alerts: [{ decision }], notices: [] } as unknown as ProcessResult,
        records: [],
      },
    ];
    const chatOnly = loadConfig(YAML.replace('receiver: oncall', 'receiver: chat'));
    const before = decide(draft(false), classify(draft(false), chatOnly), chatOnly);
    const changes = compareRuns(
      { config: chatOnly, previewed: previewed(before) },
      { config, previewed: previewed(firing) },
    );
    expect(changes.map((c) => `${c.change} ${c.kind} ${c.receiver}`)).toEqual([
      '- message chat',
      '+ page oncall',
    ]);
  });

  it('is paced at its declared rate and counted under its own receiverType', async () => {
    const { config, receivers, clock } = build();
    const counts: string[] = [];
    const observer: PipelineObserver = {
      span: (_name, work) => work(),
      count: (name, dims) => counts.push(`${name}${JSON.stringify(dims)}`),
      timing: () => {},
      note: () => {},
      decided: () => {},
      rejected: () => {},
      flush: () => {},
    };
    const dispatcher = new Dispatcher({
      config,
      receivers,
      store: new MemoryStateStore(),
      queue: new RecordingQueue(),
      clock,
      observer,
      remainingMs: () => 25_000,
      leaseMs: 45_000,
    });
    expect(DEFAULT_RATE_PER_SECOND).toHaveProperty('beeper', 4);
    expect(DIMENSION_VALUES.receiverType).toContain('beeper');
    const started = clock.now();
    for (const n of [1, 2, 3]) await dispatcher.dispatch(testAlert(n), ['oncall']);
    // 4 a second: 250 ms apart, plus the pacing margin (50 ms), for the second and third page.
    expect(clock.now() - started).toBe(600);
    expect(counts.filter((c) => c.startsWith('NotificationsDelivered'))).toEqual(
      Array(3).fill('NotificationsDelivered{"receiverType":"beeper"}'),
    );
  });

  it('cannot take the digest, and validation names the types that can', () => {
    const withDigest = `${YAML}
decisionRecords: { enabled: true }
digest: { receiver: oncall }
`;
    expect(() => loadConfig(withDigest)).toThrow(
      'digest.receiver: a digest is a chat message: use a slack, webhook, console, teams or email receiver, not beeper',
    );
  });
});
