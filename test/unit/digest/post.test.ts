import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/yaml';
import { Dispatcher } from '../../../shared/delivery/dispatcher';
import { buildDigest } from '../../../shared/digest/digest';
import { prepareDigest } from '../../../shared/digest/render';
import { type DigestDeps, runDigest } from '../../../shared/digest/run';
import { DigestDeliveryError } from '../../../shared/errors';
import type { PipelineObserver } from '../../../shared/observability/observer';
import { silentObserver } from '../../../shared/observability/observer';
import { createReceivers, type ReceiverDeps } from '../../../shared/receivers/factory';
import type { HttpResponse } from '../../../shared/receivers/http';
import { LocalSecretResolver } from '../../../shared/secrets/secrets';
import { MemoryStateStore } from '../../../shared/state/memory';
import type { StateStore } from '../../../shared/state/store';
import { manualClock } from '../../support/delivery-fakes';
import { MIN, record, T0 } from './support';

const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/digest-secret-0001';
const HOOK_URL = 'https://hooks.example.com/digest-secret-0002';

const CONFIG = `
receivers:
  chat: { type: slack, webhookUrl: { env: SLACK } }
  hook: { type: webhook, url: { env: HOOK } }
  log: { type: console }
  pager: { type: pagerduty, routingKey: { env: PD } }
route: { receiver: chat }
decisionRecords: { keep: 3 }
digest: { receiver: chat, periodHours: 24, quickResolveMinutes: 10, top: 5 }
`;

function setup(answers: number[] = [], configText = CONFIG) {
  const config = loadConfig(configText);
  const clock = manualClock(T0);
  const sent: Array<{ url: string; body: unknown }> = [];
  const lines: string[] = [];
  const post = async (url: string, body: string): Promise<HttpResponse> => {
    sent.push({ url, body: JSON.parse(body) });
    const status = answers.shift() ?? 200;
    return { status, headers: new Headers(), body: status === 200 ? 'ok' : 'no_service' };
  };
  const deps: ReceiverDeps = {
    secrets: new LocalSecretResolver({ SLACK: SLACK_URL, HOOK: HOOK_URL, PD: 'pd-key' }),
    post,
    clock,
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10, budgetMs: 1000 },
    consoleSink: () => {},
    consoleText: (text, receiver) => lines.push(`${receiver}: ${text}`),
  };
  const receivers = createReceivers(config.receivers, deps);
  const store: StateStore = new MemoryStateStore();
  const counted: Array<{ name: string; dimensions: unknown }> = [];
  const notes: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const observer: PipelineObserver = {
    ...silentObserver,
    count: (name, dimensions) => counted.push({ name, dimensions }),
    note: (level, message, fields) => notes.push({ level, message, fields }),
  };
  const dispatcher = new Dispatcher({
    config,
    receivers,
    store,
    clock,
    observer,
    remainingMs: () => 50_000,
    leaseMs: 45_000,
  });
  const digestDeps: DigestDeps = { config, store, dispatcher, observer, now: () => new Date(clock.now()) };
  return { config, clock, sent, lines, store, dispatcher, counted, notes, digestDeps };
}

const digest = buildDigest([record({ at: T0 - MIN, name: 'a<b>' })], [], {
  from: new Date(T0 - 24 * 60 * MIN),
  to: new Date(T0),
  quickResolveMinutes: 10,
  top: 5,
});

describe('posting a prepared message', () => {
  it('gives each receiver type its own form: Block Kit to Slack, JSON to a webhook, text to the console', async () => {
    const { dispatcher, sent, lines } = setup();
    const message = prepareDigest(digest, 'x');
    expect((await dispatcher.post('chat', message)).outcome).toBe('delivered');
    expect((await dispatcher.post('hook', message)).outcome).toBe('delivered');
    expect((await dispatcher.post('log', message)).outcome).toBe('delivered');
    expect(sent).toEqual([
      { url: SLACK_URL, body: message.slack },
      { url: HOOK_URL, body: message.json },
    ]);
    expect(lines).toEqual([`log: ${message.text}`]);
  });

  it('refuses receivers that cannot post one (a pager), without trying', async () => {
    const { dispatcher, sent } = setup();
    const result = await dispatcher.post('pager', prepareDigest(digest, 'pager'));
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    expect(result.error).toContain('cannot post a prepared message');
    expect((await dispatcher.post('nobody', prepareDigest(digest, 'x'))).error).toContain('not built');
    expect(sent).toEqual([]);
  });

  it('takes a send slot like every Slack message (about one a second)', async () => {
    const { dispatcher, clock } = setup();
    const started = clock.now();
    await dispatcher.post('chat', prepareDigest(digest, 'chat'));
    await dispatcher.post('chat', prepareDigest(digest, 'chat'));
    expect(clock.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('with a key, posts once; a failed post gives its claim back, so the retried invocation posts it', async () => {
    const { dispatcher, sent, clock, store } = setup([404]);
    const message = prepareDigest(digest, 'chat');
    const failed = await dispatcher.post('chat', message, 'digest#e1|chat');
    expect(failed).toMatchObject({ outcome: 'failed', status: 404, retryable: false });
    expect(failed.error).not.toContain(SLACK_URL);
    // The retried invocation (deployed: a minute later, well within the lease) is not skipped.
    clock.advance(1000);
    expect((await dispatcher.post('chat', message, 'digest#e1|chat')).outcome).toBe('delivered');
    expect((await dispatcher.post('chat', message, 'digest#e1|chat')).outcome).toBe('duplicate');
    expect(sent).toHaveLength(2);
    // A claim another invocation holds (still posting) is left alone.
    await store.claimDelivery('digest#e2|chat', clock.now(), 330_000);
    expect((await dispatcher.post('chat', message, 'digest#e2|chat')).outcome).toBe('duplicate');
    expect(sent).toHaveLength(2);
  });
});

describe('runDigest', () => {
  it('reads the records from the store, posts the digest of the period and counts it', async () => {
    const { digestDeps, store, sent, counted } = setup();
    await store.putSetMember('decisions#arn:a', '1', record({ at: T0 - 2 * MIN, name: 'api-5xx' }), T0);
    await store.putSetMember(
      'decisions#arn:a',
      '2',
      record({ at: T0 - MIN, name: 'api-5xx', mode: 'preview' }),
      T0,
    );
    await store.putSetMember('decisions#arn:b', '1', { not: 'a record' }, T0);
    await store.saveRecord(
      'remediation#t1',
      {
        rule: 'r',
        action: 'AWS-RestartEC2Instance',
        outcome: 'started',
        result: 'succeeded',
        decidedAt: T0 - MIN,
      },
      T0,
    );
    const run = await runDigest(digestDeps);
    expect(run.outcome).toBe('posted');
    expect(run.digest?.alerts.firing).toBe(1);
    expect(run.digest?.remediations).toEqual([expect.objectContaining({ started: 1, succeeded: 1 })]);
    expect(JSON.stringify(sent[0]?.body)).toContain('1  api-5xx');
    expect(counted).toContainEqual({ name: 'DigestsPosted', dimensions: { receiverType: 'slack' } });
  });

  it('leaves out rows that are not JSON or not records, logs how many and which, and still posts', async () => {
    const { digestDeps, sent, notes } = setup();
    const store: Pick<StateStore, 'scan'> = {
      scan: async (_prefixes, onPage) => {
        await onPage({
          sets: {
            'decisions#arn:a': {
              '1': record({ at: T0 - 2 * MIN, name: 'api-5xx' }),
              '2': { not: 'a record' },
            },
          },
          records: {},
          unreadable: ['decisions#arn:a 3'],
        });
        await onPage({ sets: {}, records: {}, unreadable: ['remediation#t9'] });
      },
    };
    const run = await runDigest({ ...digestDeps, store });
    expect(run.outcome).toBe('posted');
    expect(run.digest?.alerts.firing).toBe(1);
    expect(sent).toHaveLength(1);
    expect(notes).toContainEqual({
      level: 'warn',
      message: 'state table rows the digest could not read were left out',
      fields: {
        unreadable: 3,
        examples: ['decisions#arn:a 3', 'decisions#arn:a 2', 'remediation#t9'],
      },
    });
  });

  it('ends the period at the given time and posts an empty one', async () => {
    const { digestDeps, sent } = setup();
    const run = await runDigest(digestDeps, { at: new Date('2020-01-01T08:00:00Z') });
    expect(run.digest).toMatchObject({
      empty: true,
      from: '2019-12-31T08:00:00.000Z',
      to: '2020-01-01T08:00:00.000Z',
    });
    expect(JSON.stringify(sent[0]?.body)).toContain('Nothing to report');
  });

  it('logs and throws DigestDeliveryError when the post fails, naming the receiver and not its URL', async () => {
    const { digestDeps, notes, counted } = setup([500, 500, 500]);
    const failure = await runDigest(digestDeps, { key: 'e2' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DigestDeliveryError);
    expect((failure as Error).message).toContain('posted to chat: Slack answered HTTP 500');
    expect((failure as Error).message).not.toContain(SLACK_URL);
    expect(notes).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'digest could not be posted',
        fields: expect.objectContaining({ attempts: 3 }),
      }),
    );
    expect(JSON.stringify(notes)).not.toContain(SLACK_URL);
    expect(counted.map((c) => c.name)).not.toContain('DigestsPosted');
  });

  it('does nothing when no digest is configured', async () => {
    const { digestDeps, sent } = setup([], CONFIG.replace(/^digest:.*$/m, ''));
    expect((await runDigest(digestDeps)).outcome).toBe('disabled');
    expect(sent).toEqual([]);
  });
});
