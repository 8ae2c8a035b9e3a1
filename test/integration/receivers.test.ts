import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnsPublish } from '../../shared/aws/clients';
import { createReceiver, systemClock } from '../../shared/receivers/factory';
import { postJson } from '../../shared/receivers/http';
import { LocalSecretResolver } from '../../shared/secrets/secrets';
import { useMotoEnv } from '../support/aws-env';
import { testAlert } from '../support/delivery-fakes';
import { type MotoServer, startMoto } from '../support/moto';

let server: Server;
let base: string;
const received: Array<{ headers: IncomingHttpHeaders; body: unknown; url: string }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(text), url: request.url ?? '' });
      response.writeHead(request.url === '/gone' ? 410 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function webhook(path: string) {
  return createReceiver(
    'hooks',
    {
      type: 'webhook',
      url: { env: 'HOOK_URL' },
      secretHeader: { name: 'X-Klaxon-Token', value: { env: 'HOOK_TOKEN' } },
    },
    {
      secrets: new LocalSecretResolver({ HOOK_URL: `${base}${path}`, HOOK_TOKEN: 'token-123456' }),
      post: postJson,
      clock: systemClock,
      consoleSink: () => {},
    },
  );
}

describe('webhook receiver against a loopback server', () => {
  it('posts the alert as JSON with the secret header', async () => {
    const result = await webhook('/hook').send(testAlert(1));
    expect(result).toMatchObject({ outcome: 'delivered', status: 204 });
    const request = received.at(-1);
    expect(request?.headers['x-klaxon-token']).toBe('token-123456');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toMatchObject({
      version: '1',
      receiver: 'hooks',
      status: 'firing',
      fingerprint: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:alarm-1',
    });
  });

  it('posts a group as one body listing every alert', async () => {
    const hook = webhook('/hook');
    await hook.sendGroup?.({
      route: 'chat',
      labels: { region: 'us-east-1' },
      status: 'firing',
      alerts: [testAlert(1), testAlert(2)],
    });
    expect(received.at(-1)?.body).toMatchObject({
      group: { size: 2, labels: { region: 'us-east-1' } },
      alerts: [{}, {}],
    });
  });

  it('treats 410 as permanent and never echoes the URL or token', async () => {
    const result = await webhook('/gone').send(testAlert(1));
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, status: 410 });
    expect(result.error).not.toContain(base);
    expect(result.error).not.toContain('token-123456');
  });

  it('refuses plain HTTP to anything but loopback, before sending', async () => {
    const before = received.length;
    const receiver = createReceiver(
      'hooks',
      { type: 'webhook', url: { env: 'HOOK_URL' } },
      {
        secrets: new LocalSecretResolver({ HOOK_URL: 'http://hooks.example.com/x' }),
        post: postJson,
        clock: systemClock,
        consoleSink: () => {},
      },
    );
    const result = await receiver.send(testAlert(1));
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    expect(result.error).toBe(
      'webhook hooks: env:HOOK_URL must be an https URL (plain http only to loopback)',
    );
    expect(received.length).toBe(before);
  });
});

describe('sns receiver against moto', () => {
  let moto: MotoServer;
  let restore: () => void;

  beforeAll(async () => {
    moto = await startMoto();
    restore = useMotoEnv(moto.endpoint);
  });

  afterAll(async () => {
    restore();
    await moto.stop();
  });

  it('publishes a readable message with an ASCII subject under 100 characters', async () => {
    const sns = new SNSClient({});
    const sqs = new SQSClient({});
    const topic = await sns.send(new CreateTopicCommand({ Name: 'ops' }));
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'ops-mail' }));
    const arn = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await sns.send(
      new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: arn.Attributes?.QueueArn }),
    );
    const receiver = createReceiver(
      'ops',
      { type: 'sns' },
      {
        secrets: new LocalSecretResolver({}),
        post: postJson,
        clock: systemClock,
        publish: createSnsPublish(),
        opsTopicArn: topic.TopicArn,
        consoleSink: () => {},
      },
    );
    const alert = testAlert(1);
    const result = await receiver.send({
      ...alert,
      labels: { ...alert.labels, alarmName: `Sesión ${'x'.repeat(200)}` },
    });
    expect(result.outcome).toBe('delivered');
    const message = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, WaitTimeSeconds: 1 }),
    );
    const envelope = JSON.parse(message.Messages?.[0]?.Body ?? '{}') as { Subject: string; Message: string };
    expect(envelope.Subject.length).toBeLessThan(100);
    expect(envelope.Subject).toMatch(/^\[WARNING\] Sesi_n x+\.\.\.$/);
    // SNS refuses a subject with any character outside ASCII, the usual truncation marker included.
    expect(envelope.Subject).toMatch(/^[\x20-\x7e]+$/);
    expect(envelope.Message).toContain(
      'Fingerprint: arn:aws:cloudwatch:us-east-1:123456789012:alarm:alarm-1',
    );
  });

  it('fails permanently without a topic', async () => {
    const receiver = createReceiver(
      'ops',
      { type: 'sns' },
      { secrets: new LocalSecretResolver({}), post: postJson, clock: systemClock, consoleSink: () => {} },
    );
    expect(await receiver.send(testAlert(1))).toMatchObject({ outcome: 'failed', retryable: false });
  });
});
