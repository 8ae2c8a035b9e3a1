/**
 * `klaxon replay --live` of a firing and an OK alarm against loopback fakes of a Teams Workflows
 * webhook and the JSM alert API, and an SNS topic in moto for email.
 */
import { randomUUID } from 'node:crypto';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { replay } from '../../cli/replay';
import { LiveDeliveryError } from '../../shared/replay/live';
import { loadConfig } from '../../shared/config/yaml';
import { useMotoEnv } from '../support/aws-env';
import { type FakeJsm, startFakeJsm } from '../support/fake-jsm';
import { type FakeTeams, startFakeTeams, teamsMessageProblem } from '../support/fake-teams';

const FIRING = 'events/cloudwatch-alarm/sns-metric-alarm-5xx.json';
const OK = 'events/cloudwatch-alarm/sns-metric-alarm-5xx-ok.json';

let teams: FakeTeams;
let jsm: FakeJsm;
let restore: () => void;
let topicArn: string;
let queueUrl: string;

beforeAll(async () => {
  restore = useMotoEnv(inject('motoEndpoint'));
  [teams, jsm] = await Promise.all([startFakeTeams(), startFakeJsm()]);
  const sns = new SNSClient({});
  const sqs = new SQSClient({});
  const name = `oncall-email-${randomUUID().slice(0, 8)}`;
  topicArn = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn ?? '';
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? '';
  const queueArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  await sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'oncall@example.com' }),
  );
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
});

afterAll(async () => {
  restore();
  await Promise.all([teams.close(), jsm.close()]);
});

function config() {
  return loadConfig(`
receivers:
  channel: { type: teams, webhookUrl: { env: TEAMS_URL } }
  oncall: { type: jsm, apiKey: { env: JSM_KEY }, apiUrl: "${jsm.jsmUrl}" }
  mail: { type: email, topicArn: ${topicArn}, subjectPrefix: "[prod] " }
route:
  receiver: channel
  routes:
    - { match: { source: cloudwatch-alarm }, receiver: oncall, continue: true }
    - { match: { source: cloudwatch-alarm }, receiver: mail, continue: true }
    - { match: { source: cloudwatch-alarm }, receiver: channel }
`);
}

async function replayLive(file: string) {
  const lines: string[] = [];
  const [result] = await replay({
    paths: [file],
    config: config(),
    live: true,
    json: true,
    outDir: 'out/replay',
    cwd: process.cwd(),
    stdout: (text) => lines.push(text),
    stderr: () => {},
    env: { TEAMS_URL: teams.webhookUrl(), JSM_KEY: jsm.apiKey },
  });
  return result;
}

/** What moto's SNS published to the topic: subject and the per-protocol message. */
async function published(): Promise<Array<{ subject: string; messages: Record<string, string> }>> {
  const response = await fetch(`${inject('motoEndpoint')}/moto-api/data.json`);
  const data = (await response.json()) as {
    sns: { Topic: Array<{ arn: string; sent_notifications: Array<[string, string, string]> }> };
  };
  const topic = data.sns.Topic.find((t) => t.arn === topicArn);
  return (topic?.sent_notifications ?? []).map(([, message, subject]) => ({
    subject,
    messages: JSON.parse(message) as Record<string, string>,
  }));
}

describe('replay --live of a firing and an OK alarm', () => {
  it('gives a valid Adaptive Card each time, one JSM create and one close by the same alias, a readable email', async () => {
    const firing = await replayLive(FIRING);
    const ok = await replayLive(OK);
    const deliveries = [firing, ok].flatMap((r) => r?.alerts.flatMap((a) => a.deliveries) ?? []);
    expect(deliveries.map((d) => [d.receiver, d.outcome])).toEqual([
      ['oncall', 'delivered'],
      ['mail', 'delivered'],
      ['channel', 'delivered'],
      ['oncall', 'delivered'],
      ['mail', 'delivered'],
      ['channel', 'delivered'],
    ]);

    // Teams: two posts, each a valid Adaptive Card message, firing then resolved.
    expect(teams.requests.map((r) => [r.status, r.run?.status])).toEqual([
      [202, 'Succeeded'],
      [202, 'Succeeded'],
    ]);
    for (const request of teams.requests) expect(teamsMessageProblem(request.rawBody)).toBeUndefined();
    expect(teams.requests[0]?.rawBody).toMatch(/"(WARNING|CRITICAL|ERROR): /);
    expect(teams.requests[1]?.rawBody).toContain('RESOLVED');

    // JSM: one create and one close with the same alias; the alert ends closed.
    const actions = jsm.requests.map((r) => r.action);
    expect(actions.map((a) => a?.kind)).toEqual(['create', 'close']);
    expect(actions[0]?.alias).toBe(actions[1]?.alias);
    expect(actions[0]?.alias).toMatch(/^arn:aws:cloudwatch:/);
    expect(jsm.alerts.get(actions[0]?.alias ?? '')).toMatchObject({ status: 'closed', count: 1 });
    expect(jsm.requests[0]?.headers.authorization).toBe(`GenieKey ${jsm.apiKey}`);

    // Email: a readable subject and body per publish; other protocols get the JSON document.
    const mails = await published();
    expect(mails).toHaveLength(2);
    for (const mail of mails) {
      expect(mail.subject.length).toBeLessThan(100);
      expect(mail.subject).toMatch(/^\[prod\] \[(WARNING|CRITICAL|ERROR|RESOLVED)\] [\x20-\x7e]+$/);
      expect(mail.messages.email).toMatch(/^(FIRING \([a-z]+\)|RESOLVED): /);
      expect(mail.messages.email).toContain('Account:');
      expect(mail.messages.email).toContain('Console: https://');
      expect(() => JSON.parse(mail.messages.email ?? '') as unknown).toThrow();
    }
    const sqs = new SQSClient({});
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    const documents = (received.Messages ?? []).map(
      (m) =>
        JSON.parse((JSON.parse(m.Body ?? '{}') as { Message: string }).Message) as {
          version: string;
          status: string;
        },
    );
    expect(documents.map((d) => [d.version, d.status]).sort()).toEqual([
      ['1', 'firing'],
      ['1', 'resolved'],
    ]);
  });

  it('retries a Teams 429 after its Retry-After and a JSM 503, delivering once each', async () => {
    teams.requests.length = 0;
    jsm.requests.length = 0;
    teams.script([{ status: 429, retryAfter: 1 }]);
    jsm.script([{ status: 503 }]);
    const result = await replayLive(FIRING);
    const deliveries = result?.alerts.flatMap((a) => a.deliveries) ?? [];
    expect(
      deliveries.filter((d) => d.receiver !== 'mail').map((d) => [d.receiver, d.outcome, d.attempts]),
    ).toEqual([
      ['oncall', 'delivered', 2],
      ['channel', 'delivered', 2],
    ]);
    expect(teams.requests.map((r) => r.status)).toEqual([429, 202]);
    expect(jsm.requests.map((r) => r.status)).toEqual([503, 202]);
  });
});

describe('the fakes answer as the services document, and the receivers read them', () => {
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('Teams: a wrong sig is 401, an unknown flow 404; a bad card is accepted (202) and its run fails', async () => {
    const good = teams.webhookUrl();
    expect((await post(good.replace(/sig=[^&]+/, 'sig=forged'), {})).status).toBe(401);
    expect((await post(teams.webhookUrl('deleted-flow'), {})).status).toBe(404);
    teams.requests.length = 0;
    const submit = {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            type: 'AdaptiveCard',
            version: '1.4',
            body: [{ type: 'TextBlock', text: 'x' }],
            actions: [{ type: 'Action.Submit', title: 'Ack' }],
          },
        },
      ],
    };
    expect((await post(good, submit)).status).toBe(202);
    expect((await post(good, { text: 'x'.repeat(30_000) })).status).toBe(202);
    expect(teams.requests.map((r) => r.run)).toEqual([
      { status: 'Failed', error: 'Action.Submit cannot be received by a Workflows flow' },
      { status: 'Failed', error: 'RequestEntityTooLarge: message over 28 KB' },
    ]);
  });

  it('JSM: a wrong key is 401, a 131-character message 422 with field errors, an unknown alias closes asynchronously', async () => {
    const create = `${jsm.jsmUrl}/v2/alerts`;
    expect((await post(create, { message: 'm' }, { authorization: 'GenieKey wrong' })).status).toBe(401);
    const auth = { authorization: `GenieKey ${jsm.apiKey}` };
    const tooLong = await post(create, { message: 'm'.repeat(131) }, auth);
    expect(tooLong.status).toBe(422);
    expect(await tooLong.json()).toMatchObject({ errors: { message: expect.stringContaining('130') } });
    const close = await post(`${jsm.opsgenieUrl}/v2/alerts/unknown/close?identifierType=alias`, {}, auth);
    expect(close.status).toBe(202);
    expect(await close.json()).toMatchObject({
      result: 'Request will be processed',
      requestId: expect.any(String),
    });
  });

  it('a revoked JSM key is a permanent failure that never shows the key', async () => {
    // A live replay whose deliveries failed for good fails, and carries what it did.
    const error = await replay({
      paths: [FIRING],
      config: config(),
      live: true,
      json: true,
      outDir: 'out/replay',
      cwd: process.cwd(),
      stdout: () => {},
      stderr: () => {},
      env: { TEAMS_URL: teams.webhookUrl('deleted-flow'), JSM_KEY: 'revoked-key-123456' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LiveDeliveryError);
    expect((error as Error).message).not.toContain('revoked-key-123456');
    const [result] = (error as LiveDeliveryError).results;
    const failed = (result?.alerts.flatMap((a) => a.deliveries) ?? []).filter((d) => d.outcome === 'failed');
    expect(failed.map((d) => [d.receiver, d.status, d.retryable])).toEqual([
      ['oncall', 401, false],
      ['channel', 404, false],
    ]);
    expect(JSON.stringify(failed)).not.toContain('revoked-key-123456');
    expect(JSON.stringify(failed)).not.toContain('sig=');
  });
});
