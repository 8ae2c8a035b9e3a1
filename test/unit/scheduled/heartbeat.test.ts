import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../shared/config/yaml';
import type { PipelineObserver } from '../../../shared/observability/observer';
import { processEvent } from '../../../shared/pipeline';
import { HEARTBEAT_MAX_AGE_MS, routeHeartbeat } from '../../../shared/routing/heartbeat';
import { ConfigError } from '../../../shared/errors';
import { createPowertools } from '../../../shared/observability/powertools';
import { deployedHeartbeat, sendHeartbeat } from '../../../shared/scheduled/heartbeat';
import { scheduledRun } from '../../../shared/scheduled/invocation';
import { heartbeatMessage } from '../../../shared/sources/heartbeat/normalize';
import { normalizeRecord } from '../../../shared/sources/registry';
import type { AlertDraft } from '../../../shared/sources/types';
import { fakeDeliveringPipeline, manualClock, ScriptedReceiver } from '../../support/delivery-fakes';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:klaxon-prod-alarms';
const SENT = new Date(Date.UTC(2026, 2, 14, 10, 0, 0));

function beatMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...heartbeatMessage({ stage: 'prod', beat: 'evt-0001', sentAt: SENT, topicArn: TOPIC }),
    ...overrides,
  };
}

function snsEvent(message: unknown, topicArn = TOPIC) {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        Sns: {
          MessageId: `m-${Math.random()}`,
          TopicArn: topicArn,
          Subject: 'Klaxon heartbeat',
          Message: typeof message === 'string' ? message : JSON.stringify(message),
          Timestamp: SENT.toISOString(),
        },
      },
    ],
  };
}

function snsRecord(message: unknown, topicArn = TOPIC) {
  return {
    kind: 'sns' as const,
    index: 0,
    topicArn,
    messageId: 'm-1',
    timestamp: SENT.toISOString(),
    message: JSON.stringify(message),
  };
}

function recordingObserver() {
  const counts: string[] = [];
  const decided: string[] = [];
  const notes: string[] = [];
  const observer: PipelineObserver = {
    span: (_n, work) => work(),
    count: (name, dims) => counts.push(`${name}${JSON.stringify(dims)}`),
    timing: () => {},
    note: (level, message) => notes.push(`${level} ${message}`),
    decided: (decision) => decided.push(decision.routes.join(',')),
    rejected: () => {},
    flush: () => {},
  };
  return { observer, counts, decided, notes };
}

const WITH_HEARTBEAT = `
receivers:
  chat: { type: slack, webhookUrl: { env: SLACK } }
  deadman: { type: webhook, url: { env: DEADMAN } }
route:
  receiver: chat
heartbeat:
  receiver: deadman
`;

const WITH_FALLBACK = `
delivery:
  fallbackReceiver: chat
${WITH_HEARTBEAT}`;

const WITHOUT_HEARTBEAT = `
receivers:
  chat: { type: slack, webhookUrl: { env: SLACK } }
  deadman: { type: webhook, url: { env: DEADMAN } }
route:
  receiver: chat
`;

function pipeline(yaml: string, now: Date) {
  const config = loadConfig(yaml);
  const receivers = {
    chat: new ScriptedReceiver('chat', 'slack', false),
    deadman: new ScriptedReceiver('deadman', 'webhook', false),
  };
  const { observer, counts, decided, notes } = recordingObserver();
  const noise = { apply: vi.fn() };
  const remediator = { consider: vi.fn() };
  const { deps, queue } = fakeDeliveringPipeline(config, receivers, {
    clock: manualClock(now.getTime()),
    observer,
    extra: { noise, remediator },
  });
  return { deps, receivers, queue, counts, decided, notes, noise, remediator };
}

describe('heartbeat: normalize', () => {
  it('recognises the heartbeat message explicitly and makes one draft per beat', () => {
    const result = normalizeRecord(snsRecord(beatMessage()));
    expect(result.kind).toBe('alerts');
    const [draft] = (result as { drafts: AlertDraft[] }).drafts;
    expect(draft?.labels).toEqual({
      source: 'klaxon',
      kind: 'heartbeat',
      account: '123456789012',
      region: 'eu-west-1',
      stage: 'prod',
    });
    expect(draft?.fingerprint).toBe('klaxon:heartbeat:123456789012:eu-west-1:prod');
    expect(draft?.transitionId).toBe('klaxon:heartbeat:123456789012:eu-west-1:prod:evt-0001');
    expect(draft?.startsAt).toBe(SENT.toISOString());
    expect(draft?.status).toBe('firing');
  });

  it('keeps one fingerprint per stage and one transition per beat', () => {
    const draftOf = (message: unknown) =>
      (normalizeRecord(snsRecord(message)) as { drafts: AlertDraft[] }).drafts[0] as AlertDraft;
    const first = draftOf(beatMessage());
    const next = draftOf(beatMessage({ beat: 'evt-0002' }));
    const staging = draftOf(beatMessage({ stage: 'staging' }));
    expect(next.fingerprint).toBe(first.fingerprint);
    expect(next.transitionId).not.toBe(first.transitionId);
    expect(staging.fingerprint).not.toBe(first.fingerprint);
  });

  it('rejects a malformed heartbeat with the bad key, and ignores one that came through another topic', () => {
    const bad = normalizeRecord(snsRecord(beatMessage({ sentAt: 'yesterday' })));
    expect(bad).toEqual({ kind: 'invalid', reason: expect.stringMatching(/^heartbeat message: sentAt: /) });
    const elsewhere = normalizeRecord(snsRecord(beatMessage(), 'arn:aws:sns:eu-west-1:123456789012:intake'));
    expect(elsewhere).toEqual({
      kind: 'ignored',
      reason: expect.stringContaining('a beat vouches only for the topic it was published to'),
    });
  });
});

describe('heartbeat: route', () => {
  const draft = () =>
    (normalizeRecord(snsRecord(beatMessage())) as { drafts: AlertDraft[] }).drafts[0] as AlertDraft;

  it('goes to the heartbeat receiver only, as an info alert, while fresh', () => {
    const route = routeHeartbeat(draft(), loadConfig(WITH_HEARTBEAT), new Date(SENT.getTime() + 30_000));
    expect(route).toMatchObject({ kind: 'deliver', receiver: 'deadman', alert: { severity: 'info' } });
    expect(route.kind === 'deliver' && 'partition' in route.alert).toBe(false);
  });

  it('drops a beat older than the bound, and one from the future', () => {
    const config = loadConfig(WITH_HEARTBEAT);
    const late = routeHeartbeat(draft(), config, new Date(SENT.getTime() + HEARTBEAT_MAX_AGE_MS + 1_000));
    expect(late).toEqual({
      kind: 'ignored',
      stale: true,
      reason: expect.stringMatching(/^stale heartbeat: /),
    });
    const early = routeHeartbeat(draft(), config, new Date(SENT.getTime() - HEARTBEAT_MAX_AGE_MS - 1_000));
    expect(early).toMatchObject({ kind: 'ignored', stale: true });
    const onTime = routeHeartbeat(draft(), config, new Date(SENT.getTime() + HEARTBEAT_MAX_AGE_MS - 1_000));
    expect(onTime.kind).toBe('deliver');
  });
});

describe('heartbeat: pipeline', () => {
  it('delivers to the heartbeat receiver only, bypassing the route tree, noise control and remediation', async () => {
    const { deps, receivers, noise, remediator, decided } = pipeline(
      WITH_HEARTBEAT,
      new Date(SENT.getTime() + 5_000),
    );
    const result = await processEvent(snsEvent(beatMessage()), deps);
    expect(result.outcome).toBe('alerts');
    expect(receivers.deadman.sent.map((a) => a.fingerprint)).toEqual([
      'klaxon:heartbeat:123456789012:eu-west-1:prod',
    ]);
    expect(receivers.chat.sent).toEqual([]);
    expect(noise.apply).not.toHaveBeenCalled();
    expect(remediator.consider).not.toHaveBeenCalled();
    expect(decided).toEqual(['heartbeat']);
    expect(result.alerts[0]?.deliveries).toMatchObject([{ receiver: 'deadman', outcome: 'delivered' }]);
  });

  it('pings once for a beat delivered twice (exactly once through the dispatcher claims)', async () => {
    const { deps, receivers } = pipeline(WITH_HEARTBEAT, new Date(SENT.getTime() + 5_000));
    await processEvent(snsEvent(beatMessage()), deps);
    const again = await processEvent(snsEvent(beatMessage()), deps);
    expect(again.alerts[0]?.deliveries).toMatchObject([{ receiver: 'deadman', outcome: 'duplicate' }]);
    await processEvent(snsEvent(beatMessage({ beat: 'evt-0002' })), deps);
    expect(receivers.deadman.sent.map((a) => a.transitionId)).toEqual([
      'klaxon:heartbeat:123456789012:eu-west-1:prod:evt-0001',
      'klaxon:heartbeat:123456789012:eu-west-1:prod:evt-0002',
    ]);
  });

  it('never queues a beat that fails: retried in the invocation only, then dropped and counted', async () => {
    const { deps, receivers, queue, counts, notes } = pipeline(
      WITH_FALLBACK,
      new Date(SENT.getTime() + 5_000),
    );
    receivers.deadman.script.push({ outcome: 'failed', retryable: true, status: 503, error: 'HTTP 503' });
    const result = await processEvent(snsEvent(beatMessage()), deps);
    expect(result.incomplete).toBeUndefined();
    expect(result.alerts[0]?.deliveries).toMatchObject([
      { receiver: 'deadman', outcome: 'failed', status: 503 },
    ]);
    expect(queue.retried).toEqual([]);
    expect(queue.dead).toEqual([]);
    expect(receivers.chat.sent).toEqual([]); // the fallback receiver is not told either
    expect(counts).toContain('HeartbeatsFailed{}');
    expect(counts.filter((c) => /^Deliveries(Queued|DeadLettered)/.test(c))).toEqual([]);
    expect(notes).toContain(
      'warn heartbeat not delivered; dropped (the next beat replaces it, never a late retry)',
    );
    // The next beat replaces it.
    await processEvent(snsEvent(beatMessage({ beat: 'evt-0002' })), deps);
    expect(receivers.deadman.sent.map((a) => a.transitionId.split(':').at(-1))).toEqual([
      'evt-0001',
      'evt-0002',
    ]);
    expect(counts.filter((c) => c === 'HeartbeatsFailed{}')).toHaveLength(1);
  });

  it('drops a stale beat with its reason and counts it, telling nobody', async () => {
    const { deps, receivers, counts } = pipeline(WITH_HEARTBEAT, new Date(SENT.getTime() + 60 * 60_000));
    const result = await processEvent(snsEvent(beatMessage()), deps);
    expect(result.outcome).toBe('ignored');
    expect(result.ignored).toEqual([{ record: 0, reason: expect.stringContaining('60 minutes ago') }]);
    expect(result.notices).toEqual([]);
    expect(receivers.deadman.sent).toEqual([]);
    expect(receivers.chat.sent).toEqual([]);
    expect(counts).toEqual(expect.arrayContaining(['EventsIgnored{"path":"sns"}', 'HeartbeatsStale{}']));
  });

  it('ignores a heartbeat with a reason when none is configured (no notice to the catch-all)', async () => {
    const { deps, receivers, counts } = pipeline(WITHOUT_HEARTBEAT, new Date(SENT.getTime() + 5_000));
    const result = await processEvent(snsEvent(beatMessage()), deps);
    expect(result.outcome).toBe('ignored');
    expect(result.ignored).toEqual([
      { record: 0, reason: expect.stringContaining('configures no heartbeat') },
    ]);
    expect(result.notices).toEqual([]);
    expect(receivers.chat.sent).toEqual([]);
    expect(receivers.deadman.sent).toEqual([]);
    expect(counts).not.toContain('HeartbeatsStale{}');
  });
});

describe('heartbeat: send', () => {
  function sender() {
    const published: Array<{ topicArn: string; subject: string; message: string }> = [];
    const { observer, counts } = recordingObserver();
    const deps = {
      publish: async (topicArn: string, subject: string, message: string) => {
        published.push({ topicArn, subject, message });
      },
      topicArn: TOPIC,
      stage: 'prod',
      observer,
      now: () => SENT,
    };
    return { deps, published, counts };
  }

  it('publishes one beat named after the scheduled event, which the notifier reads back', async () => {
    const { deps, published, counts } = sender();
    const scheduled = {
      version: '0',
      id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-03-14T10:00:00Z',
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:123456789012:rule/klaxon-prod-heartbeat'],
      detail: {},
    };
    const sent = await sendHeartbeat(scheduled, deps);
    expect(sent).toEqual({ beat: scheduled.id, sentAt: SENT.toISOString(), topicArn: TOPIC });
    expect(published).toHaveLength(1);
    expect(published[0]?.topicArn).toBe(TOPIC);
    expect(counts).toEqual(['HeartbeatsSent{}']);
    const message = JSON.parse(published[0]?.message ?? '{}');
    const draft = (normalizeRecord(snsRecord(message)) as { drafts: AlertDraft[] }).drafts[0];
    expect(draft?.transitionId).toBe(`klaxon:heartbeat:123456789012:eu-west-1:prod:${scheduled.id}`);
  });

  it('names a manual invocation after its time', async () => {
    const { deps, published } = sender();
    const sent = await sendHeartbeat({}, deps);
    expect(sent.beat).toBe(`manual-${SENT.toISOString()}`);
    expect(JSON.parse(published[0]?.message ?? '{}').beat).toBe(sent.beat);
  });
});

describe('scheduled runs', () => {
  it('names a run after its scheduled event, identical on Lambda retries', () => {
    const event = {
      id: 'e-1',
      time: '2026-03-14T07:00:00Z',
      account: '123456789012',
      region: 'eu-west-1',
      'detail-type': 'Scheduled Event',
    };
    expect(scheduledRun(event, SENT)).toEqual({
      id: 'e-1',
      at: new Date('2026-03-14T07:00:00Z'),
      account: '123456789012',
      region: 'eu-west-1',
      scheduled: true,
    });
  });

  it("takes a manual run's time from the clock and its account from the function ARN", () => {
    const arn = 'arn:aws:lambda:eu-west-1:210987654321:function:klaxon-prod-heartbeat';
    expect(scheduledRun({}, SENT, arn)).toEqual({ at: SENT, account: '210987654321', scheduled: false });
    expect(scheduledRun('not an event', SENT)).toEqual({ at: SENT, scheduled: false });
  });

  it('refuses to build the deployed heartbeat without its topic and stage, naming both', () => {
    const build = () => deployedHeartbeat({}, createPowertools('klaxon-heartbeat-test'));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/KLAXON_ALARM_TOPIC_ARN: not set[\s\S]*KLAXON_STAGE: not set/);
  });
});
