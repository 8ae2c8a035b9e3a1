/** The Slack app receiver and the click worker against a loopback Slack Web API and PagerDuty. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay } from '../../cli/replay';
import { loadConfig } from '../../shared/config/yaml';
import { ApprovalNotFoundError } from '../../shared/errors';
import { createReceiver } from '../../shared/receivers/factory';
import { postJson } from '../../shared/receivers/http';
import { interactivityTargets } from '../../shared/receivers/slack/app-config';
import { handleClick, type SlackWorkerDeps } from '../../shared/receivers/slack/interactivity';
import {
  BUTTON_IDS,
  slackRecordKey,
  type SlackMessageRecord,
} from '../../shared/receivers/slack/message-record';
import { LocalSecretResolver } from '../../shared/secrets/secrets';
import { MemoryStateStore } from '../../shared/state/memory';
import { manualClock, testAlert } from '../support/delivery-fakes';
import { type FakeJsm, startFakeJsm } from '../support/fake-jsm';
import { type FakePagerDuty, startFakePagerDuty } from '../support/fake-pagerduty';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api';

const TOKEN = 'xoxb-test-token';
let slack: FakeSlackApi;
let pagerDuty: FakePagerDuty;
let jsm: FakeJsm;

beforeAll(async () => {
  slack = await startFakeSlackApi({ token: TOKEN, channels: { C0ALERTS: true, C0OUTSIDE: false } });
  pagerDuty = await startFakePagerDuty();
  jsm = await startFakeJsm();
});
afterAll(() => Promise.all([slack.close(), pagerDuty.close(), jsm.close()]));

function setup(channel = 'C0ALERTS', token = TOKEN) {
  const store = new MemoryStateStore();
  const clock = manualClock();
  const receiver = createReceiver(
    'alerts',
    { type: 'slack', botToken: { env: 'SLACK_BOT' }, channel, apiUrl: slack.url, timeoutMs: 2000 },
    {
      secrets: new LocalSecretResolver({ SLACK_BOT: token }),
      post: postJson,
      clock,
      store,
      consoleSink: () => {},
    },
  );
  return { store, clock, receiver };
}

describe('Slack app receiver', () => {
  it('posts once per incident, threads a repeat, and edits the same message on resolve', async () => {
    const { receiver, store } = setup();
    const alert = testAlert(71);
    expect(await receiver.send(alert)).toMatchObject({ outcome: 'delivered' });
    const record = await store.loadRecord<SlackMessageRecord>(slackRecordKey('alerts', alert.fingerprint));
    expect(record).toMatchObject({ channel: 'C0ALERTS', status: 'firing' });
    const posted = slack.messages().find((m) => m.ts === record?.ts);
    expect(posted?.threadTs).toBeUndefined();
    const post = slack.requests.find((r) => r.answer.ts === record?.ts);
    expect(post?.headers.authorization).toBe(`Bearer ${TOKEN}`);

    expect(await receiver.send({ ...alert, transitionId: `${alert.transitionId}-repeat` })).toMatchObject({
      outcome: 'delivered',
    });
    expect(slack.thread(record?.ts ?? '').map((m) => m.text)).toEqual([
      expect.stringMatching(/^:bell: Still firing/),
    ]);

    const resolved = { ...alert, status: 'resolved' as const, startsAt: '2026-03-14T09:51:07.000Z' };
    expect(await receiver.send(resolved)).toMatchObject({ outcome: 'delivered' });
    expect(posted?.updates).toHaveLength(1);
    expect(JSON.stringify(posted?.blocks)).toContain('RESOLVED');
    expect(slack.thread(record?.ts ?? '').at(-1)?.text).toMatch(/Resolved after 10m/);
  });

  it('posts the resolve anew when the firing message was deleted', async () => {
    const { receiver, store } = setup();
    const alert = testAlert(72);
    await receiver.send(alert);
    const record = await store.loadRecord<SlackMessageRecord>(slackRecordKey('alerts', alert.fingerprint));
    slack.deleteMessage(record?.ts ?? '');
    const before = slack.messages().length;
    expect(await receiver.send({ ...alert, status: 'resolved' })).toMatchObject({ outcome: 'delivered' });
    expect(JSON.stringify(slack.messages()[before]?.blocks)).toContain('RESOLVED');
  });

  it('maps Slack error codes to permanent failures, and never shows the token', async () => {
    const cases: Array<[string, string, string]> = [
      ['C0NOWHERE', TOKEN, 'channel_not_found'],
      ['C0OUTSIDE', TOKEN, 'not_in_channel'],
      ['C0ALERTS', 'xoxb-revoked-token', 'invalid_auth'],
    ];
    for (const [channel, token, code] of cases) {
      const result = await setup(channel, token).receiver.send(testAlert(73));
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result.error).toContain(code);
      expect(result.error).not.toContain(token);
    }
    slack.script([{ error: 'msg_too_long' }]);
    expect(await setup().receiver.send(testAlert(74))).toMatchObject({
      outcome: 'failed',
      retryable: false,
      error: expect.stringContaining('msg_too_long'),
    });
  });

  it('retries ratelimited (429 + Retry-After) and Slack faults within the budget', async () => {
    const { receiver, clock } = setup();
    slack.script([{ status: 429, retryAfter: 3 }, { status: 503 }]);
    const started = clock.now();
    expect(await receiver.send(testAlert(75))).toMatchObject({ outcome: 'delivered', attempts: 3 });
    expect(clock.now() - started).toBeGreaterThanOrEqual(3_000);
    slack.script([{ status: 429, retryAfter: 30 }]);
    expect(await receiver.send(testAlert(76), 5_000)).toMatchObject({
      outcome: 'failed',
      retryable: true,
      retryAfterMs: 30_000,
    });
  });

  it('keeps Slack limits with a 300 KB summary', async () => {
    const result = await setup().receiver.send(
      testAlert(77, { annotations: { summary: 'z'.repeat(300_000), reason: 'r'.repeat(300_000) } }),
    );
    expect(result).toMatchObject({ outcome: 'delivered' });
  });
});

describe('the click worker', () => {
  async function posted(actions: SlackMessageRecord['actions']) {
    const store = new MemoryStateStore();
    const clock = manualClock();
    const receiver = createReceiver(
      'alerts',
      {
        type: 'slack',
        botToken: { env: 'SLACK_BOT' },
        channel: 'C0ALERTS',
        apiUrl: slack.url,
        signingSecret: { env: 'SIGNING' },
        actions: Object.fromEntries(actions.map((a) => [a, { allow: { users: ['U0ONCALL'] } }])),
      },
      {
        secrets: new LocalSecretResolver({ SLACK_BOT: TOKEN }),
        post: postJson,
        clock,
        store,
        consoleSink: () => {},
      },
    );
    const alert = testAlert(80, { labels: { ...testAlert(80).labels, source: 'guardduty' } });
    await receiver.send(alert);
    const record = (await store.loadRecord<SlackMessageRecord>(slackRecordKey('alerts', alert.fingerprint)))!;
    const deps: SlackWorkerDeps = {
      slackReceivers: new Map([
        [
          'alerts',
          {
            botToken: { env: 'SLACK_BOT' },
            channel: 'C0ALERTS',
            apiUrl: slack.url,
            actions: {
              acknowledge: { allow: { users: ['U0ONCALL'] }, jsm: ['ops'] },
              silence: { allow: { users: ['U0ONCALL'] } },
              resolve: { allow: { users: ['U0ONCALL'] }, pagerduty: ['oncall'] },
            },
          },
        ],
      ]),
      incidentReceivers: interactivityTargets({
        oncall: { type: 'pagerduty', routingKey: { env: 'PD' }, url: pagerDuty.url },
        ops: { type: 'jsm', apiKey: { env: 'JSM' }, apiUrl: jsm.jsmUrl },
        chat: { type: 'teams', webhookUrl: { env: 'TEAMS' } },
      }).incidentReceivers,
      store,
      secrets: new LocalSecretResolver({
        SLACK_BOT: TOKEN,
        PD: 'routing-key-0000000000000000000001',
        JSM: jsm.apiKey,
      }),
      post: postJson,
      clock,
    };
    const click = (actionId: string, user = { id: 'U0ONCALL', name: 'dana' }) => ({
      receiver: 'alerts',
      key: alert.fingerprint,
      actionId,
      user,
      channel: record.channel,
      ts: record.ts,
    });
    return { store, deps, click, record };
  }

  it('silences the incident by that Slack user, once, and shows it on the message', async () => {
    const { store, deps, click, record } = await posted(['silence']);
    expect(await handleClick(click(BUTTON_IDS.silence1h), deps)).toBe('done');
    expect(await handleClick(click(BUTTON_IDS.silence4h), deps)).toBe('duplicate');
    const silences = Object.values(
      await store.setMembers<{ createdBy: string; matchers: unknown; endsAt: number }>('silences'),
    );
    expect(silences).toHaveLength(1);
    expect(silences[0]).toMatchObject({
      createdBy: 'slack:dana (U0ONCALL)',
      matchers: { alarmName: 'alarm-80' },
    });
    const message = slack.messages().find((m) => m.ts === record.ts);
    expect(JSON.stringify(message?.blocks)).toMatch(/Silenced until .* by <@U0ONCALL>/);
  });

  it('resolves an incident that never resolves by itself, in PagerDuty and in the thread', async () => {
    const { deps, click, record } = await posted(['resolve']);
    expect(await handleClick(click(BUTTON_IDS.resolve), deps)).toBe('done');
    expect(pagerDuty.requests.at(-1)?.body).toMatchObject({
      event_action: 'resolve',
      dedup_key: record.fingerprint,
    });
    expect(slack.thread(record.ts).at(-1)?.text).toMatch(/Resolved by <@U0ONCALL>/);
  });

  it('acknowledges the JSM alert by its alias (the fingerprint) and shows who did on the message', async () => {
    const { deps, click, record } = await posted(['acknowledge']);
    jsm.alerts.set(record.fingerprint, {
      alias: record.fingerprint,
      status: 'open',
      acknowledged: false,
      count: 1,
      create: {},
    });
    expect(await handleClick(click(BUTTON_IDS.acknowledge), deps)).toBe('done');
    const request = jsm.requests.at(-1);
    expect(request?.action).toEqual({ kind: 'acknowledge', alias: record.fingerprint });
    expect(request?.query).toContain('identifierType=alias');
    expect(request?.headers.authorization).toBe(`GenieKey ${jsm.apiKey}`);
    expect(jsm.alerts.get(record.fingerprint)?.acknowledged).toBe(true);
    const message = slack.messages().find((m) => m.ts === record.ts);
    expect(JSON.stringify(message?.blocks)).toContain('Acknowledged by <@U0ONCALL>');
  });

  it('keeps a JSM acknowledge that failed retryable for the queue, never showing the key', async () => {
    const { deps, click } = await posted(['acknowledge']);
    jsm.script([{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }]);
    const error = await handleClick(click(BUTTON_IDS.acknowledge), {
      ...deps,
      clock: { now: () => 0, sleep: async () => {} },
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    jsm.script([]);
    expect(error?.message).toMatch(/JSM answered HTTP 503/);
    expect(error?.message).not.toContain(jsm.apiKey);
    expect(await handleClick(click(BUTTON_IDS.acknowledge), deps)).toBe('done');
  });

  it('refuses a user the action does not allow, a button of another message, and an unknown receiver', async () => {
    const { deps, click } = await posted(['silence']);
    expect(await handleClick(click(BUTTON_IDS.silence1h, { id: 'U0STRANGER', name: 'lee' }), deps)).toBe(
      'refused',
    );
    expect(slack.ephemerals.at(-1)).toMatchObject({ user: 'U0STRANGER' });
    expect(await handleClick({ ...click(BUTTON_IDS.silence1h), ts: '1.000001' }, deps)).toBe('stale');
    expect(await handleClick({ ...click(BUTTON_IDS.silence1h), receiver: 'other' }, deps)).toBe('stale');
    expect(await handleClick(click('klaxon:launch-missiles'), deps)).toBe('stale');
  });

  it('rejects a pending remediation through the remediator, so no later approval can start it', async () => {
    const { store, deps, click, record } = await posted(['remediation']);
    await store.saveRecord(
      slackRecordKey('alerts', record.fingerprint),
      { ...record, approvalId: 'rem-123' },
      0,
    );
    const calls: string[] = [];
    const remediator = {
      approve: async (id: string, by: string) => {
        calls.push(`approve ${id} ${by}`);
        return { outcome: 'started' };
      },
      reject: async (id: string, by: string) => {
        calls.push(`reject ${id} ${by}`);
        return { outcome: 'skipped', reason: `rejected by ${by}` };
      },
    };
    const app = deps.slackReceivers.get('alerts')!;
    const withRemediator = {
      ...deps,
      remediator,
      slackReceivers: new Map([
        ['alerts', { ...app, actions: { remediation: { allow: { users: ['U0ONCALL'] } } } }],
      ]),
    };
    expect(await handleClick(click(BUTTON_IDS.reject), withRemediator)).toBe('done');
    expect(await handleClick(click(BUTTON_IDS.approve), withRemediator)).toBe('duplicate');
    expect(calls).toEqual(['reject rem-123 slack:dana (U0ONCALL)']);
    const message = slack.messages().find((m) => m.ts === record.ts);
    expect(JSON.stringify(message?.blocks)).toMatch(/[Rr]ejected/);
  });

  it('answers an Approve on a remediation whose record is gone, and does not throw for the queue to retry', async () => {
    const { store, deps, click, record } = await posted(['remediation']);
    await store.saveRecord(
      slackRecordKey('alerts', record.fingerprint),
      { ...record, approvalId: 'rem-gone' },
      0,
    );
    const remediator = {
      approve: async (id: string) => Promise.reject(new ApprovalNotFoundError(id)),
      reject: async (id: string) => Promise.reject(new ApprovalNotFoundError(id)),
    };
    const app = deps.slackReceivers.get('alerts')!;
    const withRemediator = {
      ...deps,
      remediator,
      slackReceivers: new Map([
        ['alerts', { ...app, actions: { remediation: { allow: { users: ['U0ONCALL'] } } } }],
      ]),
    };
    expect(await handleClick(click(BUTTON_IDS.approve), withRemediator)).toBe('stale');
    expect(slack.ephemerals.at(-1)).toMatchObject({
      user: 'U0ONCALL',
      text: expect.stringMatching(/no longer on record.*nothing was done/),
    });
    // A redelivery of the same click does nothing more.
    expect(await handleClick(click(BUTTON_IDS.approve), withRemediator)).toBe('duplicate');
  });

  it('lets a click whose work failed be tried again, and does it once', async () => {
    const { deps, click } = await posted(['resolve']);
    pagerDuty.script([{ status: 400 }]);
    await expect(handleClick(click(BUTTON_IDS.resolve), deps)).rejects.toThrow(/PagerDuty answered HTTP 400/);
    expect(await handleClick(click(BUTTON_IDS.resolve), deps)).toBe('done');
    expect(await handleClick(click(BUTTON_IDS.resolve), deps)).toBe('duplicate');
  });
});

describe('replay --live with a Slack app receiver', () => {
  it('shows the whole incident: the post, its edit to resolved and the thread reply', async () => {
    const before = slack.messages('C0ALERTS').length;
    const config = loadConfig(`
receivers:
  alerts: { type: slack, botToken: { env: SLACK_BOT }, channel: C0ALERTS, apiUrl: "${slack.url}" }
route: { receiver: alerts }
`);
    const results = await replay({
      paths: [
        'events/cloudwatch-alarm/sns-metric-alarm-5xx.json',
        'events/cloudwatch-alarm/sns-metric-alarm-5xx-ok.json',
      ],
      config,
      live: true,
      json: true,
      outDir: 'out/replay',
      cwd: process.cwd(),
      stdout: () => {},
      stderr: () => {},
      env: { SLACK_BOT: TOKEN },
    });
    const outcomes = results.flatMap((r) => r.alerts.flatMap((a) => a.deliveries.map((d) => d.outcome)));
    expect(outcomes).toEqual(['delivered', 'delivered']);
    const posted = slack.messages('C0ALERTS').slice(before);
    // One top-level message, edited once to resolved, and one reply in its thread.
    const top = posted.filter((m) => !m.threadTs);
    expect(top).toHaveLength(1);
    const message = top[0]!;
    expect(message.updates).toHaveLength(1);
    expect(JSON.stringify(message.blocks)).toContain('RESOLVED');
    expect(slack.thread(message.ts).map((m) => m.text)).toEqual([
      expect.stringMatching(/^:large_green_circle: Resolved after \d+m: RESOLVED: api-prod-5xx/),
    ]);
  });
});
