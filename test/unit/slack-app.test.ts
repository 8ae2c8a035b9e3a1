import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../shared/config/load';
import { MemoryStateStore } from '../../shared/state/memory';
import {
  MAX_INTERACTION_BYTES,
  parseInteraction,
  receiveInteraction,
  type SlackClick,
} from '../../shared/receivers/slack/interactivity';
import {
  BUTTON_IDS,
  composeMessage,
  type SlackMessageRecord,
} from '../../shared/receivers/slack/message-record';
import { renderSlackMessage } from '../../shared/receivers/slack/render';
import { slackSignature, verifySlackSignature } from '../../shared/receivers/slack/signature';
import { approvalIdOf, threadLine } from '../../shared/receivers/slack/app';
import { createReceiver } from '../../shared/receivers/factory';
import { LocalSecretResolver } from '../../shared/secrets/secrets';
import { manualClock, testAlert } from '../support/delivery-fakes';
import { clickBody } from '../support/slack-clicks';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW = Date.UTC(2026, 2, 14, 9, 50, 0);
const message = {
  channel: 'C0ALERTS',
  ts: '1773481267.000001',
  text: 'ALARM',
  blocks: [
    {
      type: 'actions',
      elements: [{ type: 'button', action_id: BUTTON_IDS.acknowledge, value: '{"r":"alerts","k":"arn:x"}' }],
    },
  ],
  updates: [],
};
const user = { id: 'U0ONCALL', name: 'dana' };

function headers(body: string, at = NOW, secret = SECRET) {
  const timestamp = String(Math.floor(at / 1000));
  return {
    'X-Slack-Request-Timestamp': timestamp,
    'X-Slack-Signature': slackSignature(secret, timestamp, body),
  };
}

function intake() {
  const queued: SlackClick[] = [];
  const deps = {
    store: new MemoryStateStore(),
    now: () => NOW,
    signingSecrets: async () => ['another-app-secret', SECRET],
    enqueue: async (click: SlackClick) => {
      queued.push(click);
    },
  };
  return { deps, queued };
}

describe('Slack request signatures', () => {
  const body = clickBody(message, BUTTON_IDS.acknowledge, user);

  it("matches Slack's documented example", () => {
    // The example of Slack's "Verifying requests from Slack" page.
    const example =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', '1531420618', example)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('accepts a request signed with any configured secret within five minutes', () => {
    const h = headers(body, NOW - 299_000);
    const lower = {
      'x-slack-request-timestamp': h['X-Slack-Request-Timestamp'],
      'x-slack-signature': h['X-Slack-Signature'],
    };
    expect(verifySlackSignature(lower, body, ['other', SECRET], NOW)).toMatchObject({ ok: true });
  });

  it('refuses forged, expired, future, malformed and body-swapped requests', () => {
    const check = (h: Record<string, string>, raw = body) =>
      verifySlackSignature(
        {
          'x-slack-request-timestamp': h['X-Slack-Request-Timestamp'],
          'x-slack-signature': h['X-Slack-Signature'],
        },
        raw,
        [SECRET],
        NOW,
      );
    expect(check(headers(body, NOW, 'a-forger-secret'))).toMatchObject({ ok: false });
    expect(check(headers(body, NOW - 301_000))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('window'),
    });
    expect(check(headers(body, NOW + 301_000))).toMatchObject({ ok: false });
    expect(check(headers(body), `${body}&x=1`)).toMatchObject({ ok: false });
    expect(check({ ...headers(body), 'X-Slack-Signature': 'v1=abc' })).toMatchObject({ ok: false });
    expect(check({ ...headers(body), 'X-Slack-Request-Timestamp': '1e9' })).toMatchObject({ ok: false });
    expect(verifySlackSignature({}, body, [SECRET], NOW)).toMatchObject({ ok: false });
    expect(verifySlackSignature({ ...lowerOf(headers(body)) }, body, [], NOW)).toMatchObject({ ok: false });
  });
});

function lowerOf(h: Record<string, string>) {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

describe('the interactivity intake', () => {
  const body = clickBody(message, BUTTON_IDS.acknowledge, user);

  it('queues a signed click and answers 200 at once', async () => {
    const { deps, queued } = intake();
    expect(await receiveInteraction({ headers: headers(body), rawBody: body }, deps)).toEqual({
      status: 200,
      body: '',
    });
    expect(queued).toEqual([
      {
        receiver: 'alerts',
        key: 'arn:x',
        actionId: BUTTON_IDS.acknowledge,
        user,
        channel: 'C0ALERTS',
        ts: message.ts,
      },
    ]);
  });

  it('answers 401 to forged, expired and replayed requests and queues nothing', async () => {
    const { deps, queued } = intake();
    expect(
      await receiveInteraction({ headers: headers(body, NOW, 'forged'), rawBody: body }, deps),
    ).toMatchObject({
      status: 401,
    });
    expect(
      await receiveInteraction({ headers: headers(body, NOW - 6 * 60_000), rawBody: body }, deps),
    ).toMatchObject({ status: 401 });
    const signed = { headers: headers(body), rawBody: body };
    expect(await receiveInteraction(signed, deps)).toMatchObject({ status: 200 });
    expect(await receiveInteraction(signed, deps)).toEqual({ status: 401, body: 'replayed request' });
    expect(queued).toHaveLength(1);
  });

  it('refuses an oversized body before verifying it, and an unreadable payload after', async () => {
    const { deps, queued } = intake();
    const huge = `payload=${'a'.repeat(MAX_INTERACTION_BYTES)}`;
    expect(await receiveInteraction({ headers: headers(huge), rawBody: huge }, deps)).toMatchObject({
      status: 413,
    });
    const junk = 'payload=%7Bnot-json';
    expect(await receiveInteraction({ headers: headers(junk), rawBody: junk }, deps)).toMatchObject({
      status: 400,
    });
    expect(queued).toEqual([]);
  });

  it("ignores buttons that are not Klaxon's, forged values and other payload types", () => {
    const other = JSON.parse(new URLSearchParams(body).get('payload') ?? '{}') as {
      actions: Array<{ action_id: string; value: string }>;
      type: string;
    };
    const encode = (p: unknown) => new URLSearchParams({ payload: JSON.stringify(p) }).toString();
    expect(parseInteraction(encode({ ...other, type: 'view_submission' }))).toEqual([]);
    expect(parseInteraction(encode({ ...other, actions: [{ action_id: 'runbook', value: '{}' }] }))).toEqual(
      [],
    );
    expect(
      parseInteraction(
        encode({ ...other, actions: [{ action_id: BUTTON_IDS.acknowledge, value: '{"r":1}' }] }),
      ),
    ).toEqual([]);
    expect(
      parseInteraction(
        encode({
          ...other,
          actions: [{ action_id: BUTTON_IDS.acknowledge, value: `{"r":"a","k":"${'x'.repeat(300_000)}"}` }],
        }),
      ),
    ).toBeUndefined();
  });
});

describe('Slack app messages', () => {
  function record(overrides: Partial<SlackMessageRecord> = {}): SlackMessageRecord {
    const alert = testAlert(1, {
      annotations: { summary: 'x'.repeat(300_000), description: 'y'.repeat(300_000) },
    });
    return {
      receiver: 'alerts',
      fingerprint: alert.fingerprint,
      channel: 'C0ALERTS',
      ts: '1.2',
      status: 'firing',
      firedAt: NOW,
      base: renderSlackMessage(alert),
      silenceMatchers: {},
      actions: ['acknowledge', 'silence', 'remediation', 'resolve'],
      approvalId: '0f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0',
      ...overrides,
    };
  }

  it('keeps Block Kit limits with 300 KB fields and every button', () => {
    const shown = composeMessage(record());
    expect(shown.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(shown).length).toBeLessThan(13_200);
    const actions = shown.blocks.filter((b) => b.type === 'actions').at(-1) as { elements: unknown[] };
    expect(actions.elements).toHaveLength(7);
  });

  it('offers no buttons once resolved, and none already used', () => {
    expect(
      composeMessage(record({ status: 'resolved', resolvedAt: NOW + 60_000 })).blocks.some(
        (b) => b.type === 'actions' && JSON.stringify(b).includes('klaxon:'),
      ),
    ).toBe(false);
    const acked = composeMessage(record({ acknowledged: { userId: 'U0ONCALL', name: 'dana', at: NOW } }));
    expect(JSON.stringify(acked)).not.toContain(BUTTON_IDS.acknowledge);
    expect(JSON.stringify(acked)).toContain('Acknowledged by <@U0ONCALL>');
  });

  it('never lets a display name inject mrkdwn or mentions', () => {
    const shown = composeMessage(
      record({ acknowledged: { userId: 'not-an-id', name: '<!channel> *boss*', at: NOW } }),
    );
    expect(JSON.stringify(shown)).not.toContain('<!channel>');
  });

  it('reads the approval id from the remediation notice', () => {
    const alert = testAlert(1, {
      annotations: {
        summary: 's',
        remediation:
          'Remediation (rule r, approve): awaiting approval to start X: run `klaxon approve 0f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0 --stage prod`',
      },
    });
    expect(approvalIdOf(alert)).toBe('0f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0');
    expect(approvalIdOf(testAlert(1))).toBeUndefined();
  });
});

describe('slack receiver configuration', () => {
  const base = { route: { receiver: 'alerts' } };
  const problems = (alerts: unknown) => {
    try {
      validateConfig({ ...base, receivers: { alerts } }, 'test');
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('takes the webhook form and the app form', () => {
    expect(problems({ type: 'slack', webhookUrl: { ssm: 'slack' } })).toBe('');
    expect(
      problems({
        type: 'slack',
        botToken: { ssm: 'slack-bot' },
        channel: 'C0ALERTS',
        signingSecret: { ssm: 'slack-signing' },
        actions: {
          acknowledge: { allow: { users: ['U0ONCALL'] } },
          remediation: { allow: { groups: ['S0SEC'] } },
        },
      }),
    ).toBe('');
  });

  it('refuses mixed, incomplete and unsafe app configurations with a message that says why', () => {
    expect(
      problems({ type: 'slack', webhookUrl: { ssm: 'a' }, botToken: { ssm: 'b' }, channel: 'C0A' }),
    ).toMatch(/not both/);
    expect(problems({ type: 'slack', botToken: { ssm: 'b' } })).toMatch(/needs a channel id/);
    expect(problems({ type: 'slack', botToken: { ssm: 'b' }, channel: '#alerts' })).toMatch(
      /channel id such as/,
    );
    expect(
      problems({
        type: 'slack',
        botToken: { ssm: 'b' },
        channel: 'C0A',
        actions: { silence: { allow: { users: ['U0A'] } } },
      }),
    ).toMatch(/signing secret/);
    expect(
      problems({
        type: 'slack',
        botToken: { ssm: 'b' },
        channel: 'C0A',
        signingSecret: { ssm: 's' },
        actions: { silence: { allow: {} } },
      }),
    ).toMatch(/at least one user or user group/);
    expect(problems({ type: 'slack', webhookUrl: { ssm: 'a' }, channel: 'C0A' })).toMatch(/needs botToken/);
  });

  describe('what its buttons name', () => {
    const app = (actions: unknown) => ({
      type: 'slack',
      botToken: { ssm: 'b' },
      channel: 'C0A',
      signingSecret: { ssm: 's' },
      actions,
    });
    const load = (actions: unknown, extra: Record<string, unknown> = {}) =>
      validateConfig(
        {
          ...base,
          receivers: {
            alerts: app(actions),
            oncall: { type: 'pagerduty', routingKey: { ssm: 'pd' } },
            ops: { type: 'jsm', apiKey: { ssm: 'jsm' } },
            chat: { type: 'teams', webhookUrl: { ssm: 't' } },
          },
          ...extra,
        },
        'test',
      );
    const refusal = (actions: unknown) => {
      try {
        load(actions);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    const allow = { users: ['U0ONCALL'] };

    it('accepts PagerDuty and JSM receivers that exist', () => {
      expect(
        refusal({
          acknowledge: { allow, pagerduty: ['oncall'], jsm: ['ops'] },
          resolve: { allow, jsm: ['ops'] },
        }),
      ).toBe('');
    });

    it('refuses a receiver that does not exist, with the path of its key', () => {
      const message = refusal({ acknowledge: { allow, jsm: ['ops', 'opps'] } });
      expect(message).toContain('receivers.alerts.actions.acknowledge.jsm[1]');
      expect(message).toMatch(/unknown receiver "opps" \(defined: alerts, oncall, ops, chat\)/);
    });

    it('refuses a receiver of another type than its list names', () => {
      const message = refusal({
        resolve: { allow, pagerduty: ['ops'] },
        acknowledge: { allow, jsm: ['chat'] },
      });
      expect(message).toContain('receivers.alerts.actions.resolve.pagerduty[0]');
      expect(message).toMatch(/"ops" is a jsm receiver; this list names pagerduty receivers/);
      expect(message).toContain('receivers.alerts.actions.acknowledge.jsm[0]');
      expect(message).toMatch(/"chat" is a teams receiver/);
    });

    it('warns when remediation buttons have no rule that waits for approval', () => {
      const config = load({ remediation: { allow } });
      expect(config.warnings).toContainEqual({
        path: 'receivers.alerts.actions.remediation',
        message: expect.stringMatching(/no remediation rule has mode: approve/),
      });
    });
  });
});

describe('thread replies', () => {
  it('say what a later transition of the incident is', () => {
    const alert = testAlert(1, { annotations: { summary: 'web down' } });
    expect(threadLine({ ...alert, annotations: { summary: 's', repeat: 'still firing after 1h' } })).toMatch(
      /^:bell: Still firing, warning/,
    );
    expect(threadLine({ ...alert, annotations: { summary: 's', flapping: '7 changes' } })).toMatch(
      /^:repeat: Flapping/,
    );
    expect(threadLine({ ...alert, labels: { ...alert.labels, executionId: 'abc' } })).toMatch(
      /^:wrench: Remediation/,
    );
    expect(
      threadLine({
        ...alert,
        severity: 'critical',
        labels: { ...alert.labels, kind: 'remediation-escalation' },
      }),
    ).toMatch(/^:rotating_light: Escalated, critical/);
    expect(
      threadLine({ ...alert, annotations: { summary: '<!here> x'.repeat(100_000) } }).length,
    ).toBeLessThanOrEqual(3000);
    expect(threadLine({ ...alert, annotations: { summary: '<!here>' } })).not.toContain('<!here>');
  });
});

describe('Slack app previews (klaxon replay)', () => {
  it('show the post, the later edit and thread reply, and never the token', () => {
    const receiver = createReceiver(
      'alerts',
      { type: 'slack', botToken: { ssm: 'slack-bot' }, channel: 'C0ALERTS' },
      {
        secrets: new LocalSecretResolver({}),
        post: async () => {
          throw new Error('a preview never posts');
        },
        clock: manualClock(),
        consoleSink: () => {},
      },
    );
    const firing = receiver.preview(testAlert(5)) as {
      method: string;
      token: string;
      body: { channel: string };
    };
    expect(firing).toMatchObject({ method: 'chat.postMessage', body: { channel: 'C0ALERTS' } });
    expect(firing.token).toContain('slack-bot');
    const resolved = receiver.preview({ ...testAlert(5), status: 'resolved' });
    expect(resolved).toMatchObject({
      whenPosted: {
        update: expect.stringContaining('chat.update'),
        threadReply: expect.stringContaining('Resolved'),
      },
    });
  });
});
