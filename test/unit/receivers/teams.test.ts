import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/alert/alert';
import { loadConfig } from '../../../shared/config/yaml';
import { createReceiver } from '../../../shared/receivers/factory';
import type { PostJson } from '../../../shared/receivers/http';
import { isRetiredConnectorUrl, TEAMS_MIGRATION_HINT } from '../../../shared/receivers/teams/descriptor';
import {
  escapeTeamsMarkdown,
  renderTeamsAlert,
  renderTeamsGroup,
  renderTeamsText,
  TEAMS_LIMITS,
  teamsMessageBytes,
  type TeamsMessage,
} from '../../../shared/receivers/teams/render';
import { LocalSecretResolver } from '../../../shared/secrets/secrets';
import { manualClock, testAlert } from '../../support/delivery-fakes';
import { teamsMessageProblem } from '../../support/fake-teams';

const WORKFLOW_URL =
  'https://prod-00.westeurope.logic.azure.com:443/workflows/0123abcd/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s3cr3t-signature';
const RETIRED_URL = 'https://contoso.webhook.office.com/webhookb2/0000@0000/IncomingWebhook/abcd/0000';

function card(message: TeamsMessage) {
  const content = message.attachments[0]?.content;
  if (!content) throw new Error('no card');
  return content;
}

function rich(overrides: Partial<Alert> = {}): Alert {
  return testAlert(1, {
    severity: 'critical',
    labels: {
      source: 'cloudwatch-alarm',
      account: '123456789012',
      region: 'us-east-1',
      alarmName: 'api-5xx',
      state: 'ALARM',
      previousState: 'OK',
      team: 'payments',
    },
    annotations: {
      summary: 'API 5xx above 5%',
      reason: 'Threshold Crossed: 1 datapoint [7.0] was greater than the threshold (5.0).',
      runbookUrl: 'https://wiki.example.com/runbooks/api-5xx',
      consoleUrl: 'https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/api-5xx',
    },
    links: [
      { text: 'Dashboard', url: 'https://console.aws.amazon.com/cloudwatch/home#dashboards' },
      { text: 'Script', url: 'javascript:alert(1)' },
    ],
    ...overrides,
  });
}

function sender(url: string) {
  const posted: Array<{ url: string; body: unknown }> = [];
  const post: PostJson = async (target, body) => {
    posted.push({ url: target, body: JSON.parse(body) });
    return { status: 202, headers: new Headers(), body: '' };
  };
  const receiver = createReceiver(
    'channel',
    { type: 'teams', webhookUrl: { env: 'TEAMS_URL' } },
    {
      secrets: new LocalSecretResolver({ TEAMS_URL: url }),
      post,
      clock: manualClock(),
      consoleSink: () => {},
    },
  );
  return { receiver, posted };
}

describe('the Teams renderer', () => {
  it('renders a firing alert as a valid Adaptive Card: severity banner, facts, links as Action.OpenUrl', () => {
    const message = renderTeamsAlert(rich());
    expect(teamsMessageProblem(JSON.stringify(message))).toBeUndefined();
    const content = card(message);
    expect(content.version).toBe('1.4');
    expect(content.body[0]).toMatchObject({ type: 'Container', style: 'attention' });
    expect(JSON.stringify(content.body[0])).toContain('CRITICAL: api-5xx');
    const facts = content.body.find((e) => e.type === 'FactSet');
    expect(facts).toMatchObject({
      facts: expect.arrayContaining([
        { title: 'Account', value: '123456789012' },
        { title: 'State', value: 'OK → ALARM' },
      ]),
    });
    expect(content.actions?.map((a) => [a.type, a.title])).toEqual([
      ['Action.OpenUrl', 'Runbook'],
      ['Action.OpenUrl', 'Open in console'],
      ['Action.OpenUrl', 'Dashboard'],
    ]);
  });

  it('renders a resolve in the good style, without the description', () => {
    const message = renderTeamsAlert(
      rich({ status: 'resolved', annotations: { summary: 'OK', description: 'long story' } }),
    );
    expect(teamsMessageProblem(JSON.stringify(message))).toBeUndefined();
    expect(card(message).body[0]).toMatchObject({ style: 'good' });
    expect(JSON.stringify(message)).toContain('RESOLVED: api-5xx');
    expect(JSON.stringify(message)).not.toContain('long story');
  });

  it('keeps a 300 KB alert under the 28 KB message limit, links intact', () => {
    const huge = 'x'.repeat(300_000);
    const emoji = '🔥'.repeat(100_000);
    const message = renderTeamsAlert(
      rich({
        annotations: {
          summary: emoji,
          reason: huge,
          description: huge,
          context: huge,
          runbookUrl: 'https://wiki.example.com/r',
        },
      }),
    );
    expect(teamsMessageBytes(message)).toBeLessThanOrEqual(TEAMS_LIMITS.budgetBytes);
    expect(teamsMessageProblem(JSON.stringify(message))).toBeUndefined();
    expect(card(message).actions?.[0]).toMatchObject({ url: 'https://wiki.example.com/r' });
  });

  it('keeps a card of 3-byte characters in every field under the limit (the fields alone would exceed it)', () => {
    const cjk = '警'.repeat(300_000);
    const labels = {
      ...rich().labels,
      alarmName: cjk,
      team: cjk,
      service: cjk,
      state: cjk,
      previousState: cjk,
    };
    const message = renderTeamsAlert(
      rich({
        labels,
        annotations: {
          summary: cjk,
          reason: cjk,
          description: cjk,
          context: cjk,
          trend: cjk,
          triggeringAlarms: cjk,
        },
        metric: { dimensions: { Name: cjk }, metricName: cjk, threshold: 5 },
      }),
    );
    expect(teamsMessageBytes(message)).toBeLessThanOrEqual(TEAMS_LIMITS.budgetBytes);
    expect(teamsMessageProblem(JSON.stringify(message))).toBeUndefined();
  });

  it('keeps a message of huge labels and many long links under the limit', () => {
    const labels = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`l${i}`, 'v'.repeat(5000)]));
    const message = renderTeamsAlert(
      rich({
        labels: {
          source: 'cloudwatch-alarm',
          account: '123456789012',
          region: 'us-east-1',
          alarmName: 'n'.repeat(50_000),
          ...labels,
        },
        links: Array.from({ length: 50 }, (_, i) => ({
          text: 't'.repeat(500),
          url: `https://e.example.com/${i}/${'p'.repeat(2000)}`,
        })),
      }),
    );
    expect(teamsMessageBytes(message)).toBeLessThanOrEqual(TEAMS_LIMITS.budgetBytes);
    expect(teamsMessageProblem(JSON.stringify(message))).toBeUndefined();
    expect(card(message).actions?.length).toBeLessThanOrEqual(TEAMS_LIMITS.actions);
  });

  it('escapes Markdown so an alarm name cannot become a disguised link', () => {
    const message = renderTeamsAlert(
      rich({ labels: { ...rich().labels, alarmName: '[Reset your password](https://evil.example)' } }),
    );
    const text = JSON.stringify(message);
    expect(text).not.toContain('[Reset your password](');
    expect(escapeTeamsMarkdown('HTTPCode_Target_5XX [c](d) [e] (f) [g][1]')).toBe(
      'HTTPCode_Target_5XX [c]\u200b(d) [e]\u200b (f) [g]\u200b[1]',
    );
  });

  it('offers only https links and no buttons that call back', () => {
    const actions = card(renderTeamsAlert(rich())).actions ?? [];
    expect(actions.every((a) => a.type === 'Action.OpenUrl' && a.url.startsWith('https://'))).toBe(true);
  });

  it('renders a storm of 500 alerts as one valid card that lists 40 and counts the rest', () => {
    const alerts = Array.from({ length: 500 }, (_, i) =>
      testAlert(i, { severity: i === 7 ? 'critical' : 'warning' }),
    );
    const message = renderTeamsGroup({
      route: 'chat',
      labels: { region: 'us-east-1' },
      status: 'firing',
      alerts,
    });
    expect(teamsMessageProblem(JSON.stringify(message))).toBeUndefined();
    expect(teamsMessageBytes(message)).toBeLessThanOrEqual(TEAMS_LIMITS.budgetBytes);
    const text = JSON.stringify(message);
    expect(text).toContain('FIRING: 500 alerts');
    expect(text).toContain('…and 460 more');
    expect(card(message).body[0]).toMatchObject({ style: 'attention' });
  });

  it('renders the digest text as a valid card', () => {
    const message = renderTeamsText(`Digest\n\n${'line\n'.repeat(50_000)}`);
    expect(teamsMessageProblem(JSON.stringify(message))).toBeUndefined();
  });
});

describe('the Teams receiver', () => {
  it('posts the card to the Workflows URL', async () => {
    const { receiver, posted } = sender(WORKFLOW_URL);
    expect(await receiver.send(rich())).toMatchObject({ outcome: 'delivered', status: 202 });
    expect(posted[0]?.url).toBe(WORKFLOW_URL);
    expect(teamsMessageProblem(JSON.stringify(posted[0]?.body))).toBeUndefined();
  });

  it('refuses a retired connector URL held in a secret, with the migration steps and without the URL', async () => {
    const { receiver, posted } = sender(RETIRED_URL);
    const result = await receiver.send(rich());
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 0 });
    expect(result.error).toContain('Workflows');
    expect(result.error).toContain('env:TEAMS_URL');
    expect(result.error).not.toContain('contoso');
    expect(posted).toHaveLength(0);
  });

  it('refuses plain http except to loopback', async () => {
    const result = await sender('http://prod-00.westeurope.logic.azure.com/workflows/x').receiver.send(
      rich(),
    );
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
  });

  it('previews the exact card without contacting anyone', () => {
    expect(sender(WORKFLOW_URL).receiver.preview(rich())).toEqual(renderTeamsAlert(rich()));
  });

  it.each([
    ['https://contoso.webhook.office.com/webhookb2/x', true],
    ['https://outlook.office.com/webhook/x', true],
    ['https://outlook.office365.com/webhook/x', true],
    ['https://prod-00.westeurope.logic.azure.com/workflows/x', false],
    ['https://default0a.environment.api.powerplatform.com/powerautomate/x', false],
    ['https://webhook.office.com.evil.example/x', false],
  ])('knows %s is a retired connector: %s', (url, retired) => {
    expect(isRetiredConnectorUrl(url)).toBe(retired);
  });
});

describe('validating a teams receiver', () => {
  const yaml = (value: string) => `
receivers:
  chat: { type: teams, webhookUrl: ${value} }
route: { receiver: chat }
`;

  it('refuses a retired connector URL written inline with the migration steps', () => {
    expect(() => loadConfig(yaml(`"${RETIRED_URL}"`))).toThrow(TEAMS_MIGRATION_HINT);
  });

  it('refuses a Workflows URL written inline: its signature is a credential', () => {
    expect(() => loadConfig(yaml(`"${WORKFLOW_URL}"`))).toThrow(
      'receivers.chat.webhookUrl: a secret reference',
    );
  });

  it('accepts a reference and still names a bad one precisely', () => {
    expect(loadConfig(yaml('{ ssm: teams/ops }')).receivers.chat).toMatchObject({ type: 'teams' });
    expect(() => loadConfig(yaml('{ ssm: /abs }'))).toThrow('receivers.chat.webhookUrl.ssm: an SSM name');
  });
});
