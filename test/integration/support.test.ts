import { randomUUID } from 'node:crypto';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoStateStore } from '../../shared/state/dynamodb';
import { useMotoEnv } from '../support/aws-env';
import { createStateTable } from '../support/aws-resources';
import { type FakePagerDuty, startFakePagerDuty } from '../support/fake-pagerduty';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack';
import { startMoto } from '../support/moto';

const ROUTING_KEY = 'R0123456789abcdef0123456789abcdef';

function trigger(overrides: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) {
  return {
    routing_key: ROUTING_KEY,
    event_action: 'trigger',
    dedup_key: 'alarm/cpu-high',
    payload: { summary: 'CPU high on web-1', source: 'web-1', severity: 'critical', ...payload },
    ...overrides,
  };
}

async function post(url: string, body: unknown, init: RequestInit = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('fake PagerDuty', () => {
  let pd: FakePagerDuty;

  beforeAll(async () => {
    pd = await startFakePagerDuty();
  });
  afterEach(() => pd.reset());
  afterAll(async () => {
    await pd.close();
  });

  it('listens on loopback at /v2/enqueue', () => {
    expect(pd.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/enqueue$/);
  });

  it('accepts a trigger with 202 and echoes the dedup_key', async () => {
    const res = await post(pd.url, trigger());
    expect(res.status).toBe(202);
    expect(JSON.parse(res.text)).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'alarm/cpu-high',
    });
  });

  it('generates a dedup_key for a trigger without one', async () => {
    const res = await post(pd.url, trigger({ dedup_key: undefined }));
    expect(res.status).toBe(202);
    const key = (JSON.parse(res.text) as { dedup_key: string }).dedup_key;
    expect(key).toMatch(/\S+/);
    expect(pd.incident(ROUTING_KEY, key)?.status).toBe('open');
  });

  it.each([
    ['a body that is not JSON', '{"routing_key":'],
    ['a missing routing_key', trigger({ routing_key: undefined })],
    ['an unknown event_action', trigger({ event_action: 'escalate' })],
    ['a trigger without payload', trigger({ payload: undefined })],
    ['a trigger without summary', trigger({}, { summary: undefined })],
    ['a trigger without source', trigger({}, { source: undefined })],
    ['a trigger without severity', trigger({}, { severity: undefined })],
    ['an unknown severity', trigger({}, { severity: 'fatal' })],
    ['a summary over 1024 characters', trigger({}, { summary: 'x'.repeat(1025) })],
    ['a dedup_key over 255 characters', trigger({ dedup_key: 'k'.repeat(256) })],
    ['a body over 512 KB', trigger({}, { custom_details: { blob: 'x'.repeat(512 * 1024) } })],
    ['a resolve without dedup_key', { routing_key: ROUTING_KEY, event_action: 'resolve' }],
  ])('rejects %s with 400 invalid event', async (_name, body) => {
    const res = await post(pd.url, body);
    expect(res.status).toBe(400);
    const parsed = JSON.parse(res.text) as { status: string; message: string; errors: string[] };
    expect(parsed.status).toBe('invalid event');
    expect(parsed.message).toBe('Event object is invalid');
    expect(parsed.errors.length).toBeGreaterThan(0);
    expect(pd.requests).toHaveLength(1);
    expect(pd.incidents.size).toBe(0);
  });

  it('accepts limits exactly at the boundary', async () => {
    const res = await post(pd.url, trigger({ dedup_key: 'k'.repeat(255) }, { summary: 's'.repeat(1024) }));
    expect(res.status).toBe(202);
  });

  it('records every request with method, path, headers, parsed body and arrival time', async () => {
    const before = Date.now();
    await post(pd.url, trigger(), { headers: { 'content-type': 'application/json', 'x-test': 'yes' } });
    await post(pd.url, 'not json');
    expect(pd.requests).toHaveLength(2);
    const [ok, bad] = pd.requests;
    expect(ok).toMatchObject({
      method: 'POST',
      path: '/v2/enqueue',
      body: trigger(),
      response: { status: 202 },
    });
    expect(ok?.headers['x-test']).toBe('yes');
    expect(ok?.receivedAt).toBeGreaterThanOrEqual(before);
    expect(bad).toMatchObject({ rawBody: 'not json', body: undefined, response: { status: 400 } });
  });

  it('tracks incidents: acknowledge and resolve close the matching trigger only', async () => {
    await post(pd.url, trigger());
    await post(pd.url, trigger());
    expect(pd.incident(ROUTING_KEY, 'alarm/cpu-high')).toMatchObject({ status: 'open', triggerCount: 2 });

    const other = await post(pd.url, {
      routing_key: 'another-key',
      event_action: 'resolve',
      dedup_key: 'alarm/cpu-high',
    });
    expect(other.status).toBe(202);
    expect(pd.incident(ROUTING_KEY, 'alarm/cpu-high')?.status).toBe('open');

    await post(pd.url, {
      routing_key: ROUTING_KEY,
      event_action: 'acknowledge',
      dedup_key: 'alarm/cpu-high',
    });
    expect(pd.incident(ROUTING_KEY, 'alarm/cpu-high')).toMatchObject({ status: 'open', acknowledged: true });

    const resolved = await post(pd.url, {
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: 'alarm/cpu-high',
    });
    expect(JSON.parse(resolved.text)).toMatchObject({ status: 'success', dedup_key: 'alarm/cpu-high' });
    expect(pd.incident(ROUTING_KEY, 'alarm/cpu-high')).toMatchObject({
      status: 'resolved',
      history: ['trigger', 'trigger', 'acknowledge', 'resolve'],
    });
  });

  it('plays scripted 429, 5xx and 400 in order, without Retry-After, then answers normally', async () => {
    pd.script([{ status: 429 }, { status: 500 }, { status: 502 }, { status: 503 }, { status: 400 }]);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const res = await post(pd.url, trigger());
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get('retry-after')).toBeNull();
    }
    expect(statuses).toEqual([429, 500, 502, 503, 400, 202]);
    expect(pd.requests.map((r) => r.behaviour?.status)).toEqual([429, 500, 502, 503, 400, undefined]);
    expect(pd.incident(ROUTING_KEY, 'alarm/cpu-high')?.triggerCount).toBe(1);
  });

  it('hangs a scripted request, which a client observes as its own timeout', async () => {
    pd.script([{ hang: true }]);
    const started = Date.now();
    await expect(post(pd.url, trigger(), { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(pd.requests[0]?.response).toBeUndefined();
    expect((await post(pd.url, trigger())).status).toBe(202);
  });

  it('delays a scripted request and then answers normally', async () => {
    pd.script([{ delayMs: 200 }]);
    const started = Date.now();
    const res = await post(pd.url, trigger());
    expect(res.status).toBe(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });

  it('close() returns even while a request hangs', async () => {
    const local = await startFakePagerDuty();
    local.script([{ hang: true }]);
    const pending = post(local.url, trigger()).then(
      () => 'answered',
      () => 'dropped',
    );
    await expect.poll(() => local.requests.length).toBe(1);
    await local.close();
    expect(await pending).toBe('dropped');
  });

  it('optionally throttles a routing key beyond rateLimitPerMinute', async () => {
    const local = await startFakePagerDuty({ rateLimitPerMinute: 2 });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await post(local.url, trigger())).status);
      expect(statuses).toEqual([202, 202, 429]);
    } finally {
      await local.close();
    }
  });
});

describe('fake Slack', () => {
  let slack: FakeSlack;

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterEach(() => slack.reset());
  afterAll(async () => {
    await slack.close();
  });

  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

  it('builds webhook URLs on loopback', () => {
    expect(slack.webhookUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/services\/T000\/B000\/default$/);
    expect(slack.webhookUrl('ops')).toMatch(/\/services\/T000\/B000\/ops$/);
  });

  it('answers 200 ok in plain text for text and for valid blocks', async () => {
    const text = await post(slack.webhookUrl(), { text: 'hello' });
    expect(text).toMatchObject({ status: 200, text: 'ok' });
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    const blocks = await post(slack.webhookUrl(), {
      text: 'fallback',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150) } },
        { type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3000) }, block_id: 'b'.repeat(255) },
        {
          type: 'section',
          fields: Array.from({ length: 10 }, (_, i) => ({
            type: 'mrkdwn',
            text: 'f'.repeat(i === 0 ? 2000 : 1),
          })),
        },
        { type: 'divider' },
        { type: 'context', elements: Array.from({ length: 10 }, () => ({ type: 'mrkdwn', text: 'c' })) },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              text: { type: 'plain_text', text: 'b'.repeat(75) },
              url: `https://x/${'u'.repeat(2990)}`,
            },
          ],
        },
      ],
    });
    expect(blocks).toMatchObject({ status: 200, text: 'ok' });
    expect(slack.messages()).toHaveLength(2);
  });

  it('accepts a form body with a payload field', async () => {
    const res = await post(
      slack.webhookUrl(),
      `payload=${encodeURIComponent(JSON.stringify({ text: 'hi' }))}`,
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
    );
    expect(res).toMatchObject({ status: 200, text: 'ok' });
  });

  it('answers 400 invalid_payload for non-JSON and no_text for an empty message', async () => {
    expect(await post(slack.webhookUrl(), 'not json')).toMatchObject({
      status: 400,
      text: 'invalid_payload',
    });
    expect(await post(slack.webhookUrl(), { username: 'bot' })).toMatchObject({
      status: 400,
      text: 'no_text',
    });
    expect(await post(slack.webhookUrl(), { text: '', blocks: [] })).toMatchObject({
      status: 400,
      text: 'no_text',
    });
  });

  const button = (text: string, url = 'https://example.com') => ({
    type: 'button',
    text: { type: 'plain_text', text },
    url,
  });

  it.each([
    ['more than 50 blocks', Array.from({ length: 51 }, () => ({ type: 'divider' }))],
    ['header text over 150', [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }]],
    ['section text over 3000', [section('s'.repeat(3001))]],
    [
      'more than 10 fields',
      [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }],
    ],
    ['a field over 2000', [{ type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2001) }] }]],
    ['button text over 75', [{ type: 'actions', elements: [button('b'.repeat(76))] }]],
    [
      'button url over 3000',
      [{ type: 'actions', elements: [button('ok', `https://x/${'u'.repeat(2991)}`)] }],
    ],
    [
      'more than 25 actions elements',
      [{ type: 'actions', elements: Array.from({ length: 26 }, () => button('b')) }],
    ],
    [
      'more than 10 context elements',
      [{ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) }],
    ],
    ['block_id over 255', [{ ...section('s'), block_id: 'b'.repeat(256) }]],
    ['an unknown block type', [{ type: 'carousel' }]],
    ['a header with mrkdwn text', [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }]],
  ])('answers 400 invalid_blocks for %s', async (_name, blocks) => {
    expect(await post(slack.webhookUrl(), { text: 'fallback', blocks })).toMatchObject({
      status: 400,
      text: 'invalid_blocks',
    });
  });

  it('answers msg_blocks_too_long when the blocks text totals more than 13,200 characters', async () => {
    const fits = Array.from({ length: 4 }, () => section('s'.repeat(3000)));
    expect(await post(slack.webhookUrl(), { blocks: [...fits, section('s'.repeat(1200))] })).toMatchObject({
      status: 200,
    });
    expect(await post(slack.webhookUrl(), { blocks: [...fits, section('s'.repeat(1201))] })).toMatchObject({
      status: 400,
      text: 'msg_blocks_too_long',
    });
  });

  it('answers 404 no_service for a revoked webhook only', async () => {
    slack.revoke('old');
    expect(await post(slack.webhookUrl('old'), { text: 'x' })).toMatchObject({
      status: 404,
      text: 'no_service',
    });
    expect(await post(slack.webhookUrl('new'), { text: 'x' })).toMatchObject({ status: 200, text: 'ok' });
    slack.restore('old');
    expect(await post(slack.webhookUrl('old'), { text: 'x' })).toMatchObject({ status: 200 });
  });

  it('plays a scripted 429 with Retry-After, then 5xx, then answers normally', async () => {
    slack.script([{ status: 429, retryAfter: 1 }, { status: 500 }, { status: 503 }]);
    const throttled = await post(slack.webhookUrl(), { text: 'x' });
    expect(throttled).toMatchObject({ status: 429, text: 'rate_limited' });
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect((await post(slack.webhookUrl(), { text: 'x' })).status).toBe(500);
    expect((await post(slack.webhookUrl(), { text: 'x' })).status).toBe(503);
    expect((await post(slack.webhookUrl(), { text: 'x' })).status).toBe(200);
  });

  it('scopes a script to one webhook when named', async () => {
    slack.script([{ status: 410, body: 'channel_is_archived' }], 'archived');
    expect((await post(slack.webhookUrl('other'), { text: 'x' })).status).toBe(200);
    expect(await post(slack.webhookUrl('archived'), { text: 'x' })).toMatchObject({
      status: 410,
      text: 'channel_is_archived',
    });
  });

  it('hangs and delays scripted requests', async () => {
    slack.script([{ hang: true }, { delayMs: 150 }]);
    await expect(
      post(slack.webhookUrl(), { text: 'x' }, { signal: AbortSignal.timeout(200) }),
    ).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    const started = Date.now();
    expect(await post(slack.webhookUrl(), { text: 'x' })).toMatchObject({ status: 200, text: 'ok' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(130);
  });

  it('rate-limits one webhook beyond rateLimitPerSecond with Retry-After, and records arrival times', async () => {
    const local = await startFakeSlack({ rateLimitPerSecond: 2 });
    try {
      const results = await Promise.all(
        Array.from({ length: 4 }, () => post(local.webhookUrl('busy'), { text: 'burst' })),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 429, 429]);
      expect(results.find((r) => r.status === 429)?.headers.get('retry-after')).toBe('1');
      // Another webhook has its own budget.
      expect((await post(local.webhookUrl('quiet'), { text: 'x' })).status).toBe(200);
      expect(local.maxPerWindow('busy')).toBe(2);
      expect(local.maxPerWindow('busy', { acceptedOnly: false })).toBe(4);
      expect(
        local.requestsFor('busy').every((r) => typeof r.arrivedMs === 'number' && r.receivedAt > 0),
      ).toBe(true);
    } finally {
      await local.close();
    }
  });
});

describe('moto', () => {
  let restore: () => void;

  beforeAll(() => {
    restore = useMotoEnv(inject('motoEndpoint'));
  });
  afterAll(() => restore());
  // The global moto is shared with test files running in other workers: never reset it here; use
  // names of this run only (a private server below proves reset).

  it('provides the endpoint of a running moto through inject()', () => {
    expect(inject('motoEndpoint')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.AWS_ENDPOINT_URL).toBe(inject('motoEndpoint'));
  });

  it('serves SSM PutParameter/GetParameter through AWS_ENDPOINT_URL', async () => {
    const ssm = new SSMClient({});
    const name = `/klaxon/test/secret-${randomUUID()}`;
    await ssm.send(new PutParameterCommand({ Name: name, Value: 's3cr3t', Type: 'SecureString' }));
    const got = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    expect(got.Parameter?.Value).toBe('s3cr3t');
    ssm.destroy();
  });

  it('starts another server on demand, resets it and stops it', async () => {
    const moto = await startMoto();
    try {
      const ssm = new SSMClient({ endpoint: moto.endpoint });
      await ssm.send(new PutParameterCommand({ Name: '/p', Value: 'v', Type: 'String' }));
      await moto.reset();
      await expect(ssm.send(new GetParameterCommand({ Name: '/p' }))).rejects.toBeInstanceOf(
        ParameterNotFound,
      );
      ssm.destroy();
    } finally {
      await moto.stop();
    }
    await expect(fetch(`${moto.endpoint}/moto-api/`)).rejects.toThrow();
  });

  it('makes each DynamoDB write atomic, as DynamoDB does: no concurrent list_append is lost', async () => {
    const tableName = 'atomic-writes';
    await createStateTable(tableName);
    const dynamo = new DynamoDBClient({});
    const store = new DynamoStateStore(dynamo, tableName);
    const writers = 40;
    let lost = 0;
    // Six rounds of 40 concurrent writers is enough to lose writes if moto were not atomic, and stays
    // well inside the time limit on a loaded machine (fifteen rounds took over 20 s at load 14).
    for (let round = 0; round < 6; round++) {
      await Promise.all(
        Array.from({ length: writers }, (_, i) =>
          store.addToGroup(`round-${round}`, { transitionId: `t${i}`, alert: { round, i } }, Date.now(), {
            listLimit: 100,
            leaseMs: 45_000,
          }),
        ),
      );
      lost += writers - ((await store.closeGroup(`round-${round}`, 100))?.members.length ?? 0);
    }
    dynamo.destroy();
    expect(lost).toBe(0);
  }, 60_000);

  it('explains how to install moto_server when it is missing', async () => {
    await expect(startMoto({ command: 'moto_server_does_not_exist' })).rejects.toThrow(
      /moto_server not found: it is preinstalled on the dev\/CI machines with Python; install moto\[server\]/,
    );
  });
});

describe('useMotoEnv', () => {
  it('restores previous values and unsets variables that were not set', () => {
    const saved = { region: process.env.AWS_REGION, endpoint: process.env.AWS_ENDPOINT_URL };
    process.env.AWS_REGION = 'eu-west-1';
    delete process.env.AWS_ENDPOINT_URL;
    const restore = useMotoEnv('http://127.0.0.1:1');
    expect(process.env).toMatchObject({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_MAX_ATTEMPTS: '1',
      POWERTOOLS_TRACE_ENABLED: 'false',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    restore();
    expect(process.env.AWS_REGION).toBe('eu-west-1');
    expect(process.env.AWS_ENDPOINT_URL).toBeUndefined();
    if (saved.region === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = saved.region;
    if (saved.endpoint !== undefined) process.env.AWS_ENDPOINT_URL = saved.endpoint;
  });
});
