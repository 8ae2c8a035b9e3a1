import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/alert/alert';
import { loadConfig } from '../../../shared/config/yaml';
import { createReceiver } from '../../../shared/receivers/factory';
import type { PostJson } from '../../../shared/receivers/http';
import {
  JSM_LIMITS,
  jsmAlias,
  renderJsmRequest,
  type JsmCreateAlert,
} from '../../../shared/receivers/jsm/render';
import { isPagingReceiver } from '../../../shared/routing/decide';
import { LocalSecretResolver } from '../../../shared/secrets/secrets';
import { manualClock, testAlert } from '../../support/delivery-fakes';
import { jsmCreateErrors } from '../../support/fake-jsm';

const KEY = 'a1b2c3d4-0000-4000-8000-123456789012';

function alert(overrides: Partial<Alert> = {}): Alert {
  return testAlert(1, {
    severity: 'critical',
    annotations: {
      summary: 'API 5xx above 5%',
      reason: 'Threshold Crossed',
      runbookUrl: 'https://wiki.example.com/runbooks/api-5xx',
      consoleUrl: 'https://console.aws.amazon.com/cloudwatch/home#alarmsV2:alarm/alarm-1',
    },
    ...overrides,
  });
}

function receiver(answers: Array<{ status: number; headers?: Record<string, string>; body?: string }>) {
  const posted: Array<{ url: string; body: unknown; headers?: Record<string, string> }> = [];
  const clock = manualClock();
  const post: PostJson = async (url, body, options) => {
    posted.push({ url, body: JSON.parse(body), headers: options.headers });
    const answer = answers.shift() ?? { status: 202 };
    return {
      status: answer.status,
      headers: new Headers(answer.headers),
      body: answer.body ?? '{"result":"Request will be processed"}',
    };
  };
  const built = createReceiver(
    'oncall',
    { type: 'jsm', apiKey: { env: 'JSM_KEY' } },
    { secrets: new LocalSecretResolver({ JSM_KEY: KEY }), post, clock, consoleSink: () => {} },
  );
  return { receiver: built, posted, clock };
}

describe('the JSM renderer', () => {
  it('creates an alert whose alias is the fingerprint, with priority from severity', () => {
    const request = renderJsmRequest(alert());
    expect(request.path).toBe('/v2/alerts');
    const body = request.body as JsmCreateAlert;
    expect(body).toMatchObject({
      alias: alert().fingerprint,
      priority: 'P1',
      message: '[CRITICAL] alarm-1',
      source: 'Klaxon',
      details: { account: '123456789012', fingerprint: alert().fingerprint },
    });
    expect(body.description).toContain('Runbook: https://wiki.example.com/runbooks/api-5xx');
    expect(jsmCreateErrors(body)).toBeUndefined();
  });

  it.each([
    ['critical', 'P1'],
    ['error', 'P2'],
    ['warning', 'P3'],
    ['info', 'P5'],
  ] as const)('maps %s to %s, unless the receiver overrides it', (severity, priority) => {
    expect((renderJsmRequest(alert({ severity })).body as JsmCreateAlert).priority).toBe(priority);
    const overridden = renderJsmRequest(alert({ severity }), { priorities: { [severity]: 'P4' } });
    expect((overridden.body as JsmCreateAlert).priority).toBe('P4');
  });

  it('closes by alias when resolved, the alias escaped in the path', () => {
    const fingerprint = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api 5xx/prod?x=1#y';
    const resolved = renderJsmRequest(alert({ status: 'resolved', fingerprint }));
    expect(resolved.path).toBe(`/v2/alerts/${encodeURIComponent(fingerprint)}/close?identifierType=alias`);
    expect(resolved.path).not.toContain(' ');
    expect(resolved.body).toMatchObject({ source: 'Klaxon', user: 'Klaxon' });
  });

  it('hashes an alias over 512 characters, the same way for the create and the close', () => {
    const fingerprint = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${'n'.repeat(600)}`;
    const create = renderJsmRequest(alert({ fingerprint })).body as JsmCreateAlert;
    expect(create.alias).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(renderJsmRequest(alert({ fingerprint, status: 'resolved' })).path).toContain(
      encodeURIComponent(create.alias),
    );
    expect(jsmAlias(fingerprint)).toBe(create.alias);
  });

  it('keeps every field within the documented limits for 300 KB inputs, the links first in the description', () => {
    const huge = 'x'.repeat(300_000);
    const body = renderJsmRequest(
      alert({
        labels: {
          source: 'cloudwatch-alarm',
          account: '123456789012',
          region: 'us-east-1',
          alarmName: huge,
          team: huge,
          service: huge,
        },
        annotations: {
          summary: huge,
          reason: huge,
          description: huge,
          runbookUrl: 'https://wiki.example.com/r',
        },
      }),
      { tags: Array.from({ length: 10 }, (_, i) => `tag-${i}`) },
    ).body as JsmCreateAlert;
    expect(jsmCreateErrors(body)).toBeUndefined();
    expect(body.message.length).toBeLessThanOrEqual(JSM_LIMITS.message);
    expect(body.description.length).toBeLessThanOrEqual(JSM_LIMITS.description);
    expect(body.description).toContain('Runbook: https://wiki.example.com/r');
    expect(body.tags.length).toBeLessThanOrEqual(JSM_LIMITS.tags);
    const detailsSize = Object.entries(body.details).reduce((n, [k, v]) => n + k.length + v.length, 0);
    expect(detailsSize).toBeLessThanOrEqual(JSM_LIMITS.details);
  });
});

describe('the JSM receiver', () => {
  it('sends GenieKey auth to the JSM Operations API by default, and previews without the key', async () => {
    const { receiver: jsm, posted } = receiver([]);
    expect(await jsm.send(alert())).toMatchObject({ outcome: 'delivered', status: 202 });
    expect(posted[0]?.url).toBe('https://api.atlassian.com/jsm/ops/integration/v2/alerts');
    expect(posted[0]?.headers).toEqual({ authorization: `GenieKey ${KEY}` });
    const preview = JSON.stringify(jsm.preview(alert()));
    expect(preview).not.toContain(KEY);
    expect(preview).toContain('GenieKey <secret env:JSM_KEY>');
  });

  it('waits out a 429 Retry-After and delivers', async () => {
    const {
      receiver: jsm,
      posted,
      clock,
    } = receiver([
      {
        status: 429,
        headers: { 'retry-after': '2' },
        body: '{"message":"You are making too many requests!"}',
      },
    ]);
    const before = clock.now();
    const result = await jsm.send(alert());
    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
    expect(posted).toHaveLength(2);
    expect(clock.now() - before).toBeGreaterThanOrEqual(2000);
  });

  it('gives up on a 401 at once and never repeats the key', async () => {
    const { receiver: jsm, posted } = receiver([
      { status: 401, body: `{"message":"Could not authenticate ${KEY}"}` },
    ]);
    const result = await jsm.send(alert());
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, status: 401 });
    expect(result.error).not.toContain(KEY);
    expect(posted).toHaveLength(1);
  });

  it('pages: it takes no groups and no digest', () => {
    const { receiver: jsm } = receiver([]);
    expect(jsm.sendGroup).toBeUndefined();
    expect(jsm.sendPrepared).toBeUndefined();
  });
});

describe('validating a jsm receiver', () => {
  const yaml = (extra: string) => `
receivers:
  oncall: { type: jsm, apiKey: { ssm: jsm/key }${extra} }
route: { receiver: oncall }
`;

  it.each([
    'https://api.atlassian.com/jsm/ops/integration',
    'https://api.opsgenie.com',
    'https://api.eu.opsgenie.com',
    'http://127.0.0.1:8080/jsm/ops/integration',
  ])('accepts apiUrl %s', (url) => {
    expect(loadConfig(yaml(`, apiUrl: "${url}"`)).receivers.oncall).toMatchObject({ apiUrl: url });
  });

  it.each([
    'https://api.opsgenie.com.evil.example',
    'http://api.opsgenie.com',
    'https://api.atlassian.com/jsm/ops/integration/v2/alerts',
  ])('refuses apiUrl %s: the key goes nowhere else', (url) => {
    expect(() => loadConfig(yaml(`, apiUrl: "${url}"`))).toThrow(
      'receivers.oncall.apiUrl: one of https://api.atlassian.com',
    );
  });

  it('counts as a pager for routing', () => {
    const config = loadConfig(yaml(''));
    expect(isPagingReceiver(config, 'oncall')).toBe(true);
  });
});
