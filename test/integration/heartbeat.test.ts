/**
 * The heartbeat end to end on real protocols: the heartbeat function publishes to an SNS topic on
 * moto_server, an SQS subscription captures what SNS delivers, and that notification, as Lambda
 * would receive it, goes through the alarm notifier (moto DynamoDB state table, SSM secret) to a
 * loopback dead man's switch.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAlarmNotifier, deployedDeps } from '../../functions/alarm-notifier/handler';
import { createHeartbeat } from '../../functions/heartbeat/handler';
import { parseConfigYaml } from '../../shared/config/yaml';
import { createPowertools } from '../../shared/observability/powertools';
import { deployedHeartbeat } from '../../shared/scheduled/heartbeat';
import { useMotoEnv } from '../support/aws-env';
import { createStateTable, snsEventFromQueue } from '../support/aws-resources';
import { captureOutput } from '../support/capture';
import { type MotoServer, startMoto } from '../support/moto';

const STAGE = 'hb';
const DEADMAN_TOKEN = 'deadman-check-uuid-that-is-a-secret-0001';

let moto: MotoServer;
let restoreEnv: () => void;
let switchServer: Server;
let switchUrl: string;
const pings: Array<{ path: string; body: Record<string, unknown> }> = [];
let topicArn: string;
let queueUrl: string;
let tables = 0;
let output: ReturnType<typeof captureOutput>;

const CONFIG = `
receivers:
  chat: { type: console }
  deadman: { type: webhook, url: { ssm: deadman } }
route:
  receiver: chat
heartbeat:
  receiver: deadman
`;

/** A dead man's switch on loopback: records every ping (healthchecks.io answers 200 "OK"). */
async function startSwitch(): Promise<void> {
  switchServer = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      pings.push({
        path: request.url ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
      });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    });
  });
  await new Promise<void>((resolve) => switchServer.listen(0, '127.0.0.1', resolve));
  switchUrl = `http://127.0.0.1:${(switchServer.address() as AddressInfo).port}/ping/${DEADMAN_TOKEN}`;
}

/** What SNS put on the subscribed queue, as the Lambda SNS event the notifier would receive. */
const deliveredSnsEvent = () => snsEventFromQueue(queueUrl);

beforeAll(async () => {
  moto = await startMoto();
  restoreEnv = useMotoEnv(moto.endpoint);
  await startSwitch();
  process.env.KLAXON_SSM_PREFIX = `/klaxon/${STAGE}`;
}, 60_000);

afterAll(async () => {
  delete process.env.KLAXON_SSM_PREFIX;
  delete process.env.KLAXON_STATE_TABLE;
  restoreEnv();
  await Promise.all([moto.stop(), new Promise((resolve) => switchServer.close(resolve))]);
});

beforeEach(async () => {
  pings.length = 0;
  await moto.reset();
  const sns = new SNSClient({});
  topicArn = (await sns.send(new CreateTopicCommand({ Name: `klaxon-${STAGE}-alarms` }))).TopicArn as string;
  const sqs = new SQSClient({});
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'captured' }))).QueueUrl as string;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }),
  );
  await new SSMClient({}).send(
    new PutParameterCommand({ Name: `/klaxon/${STAGE}/deadman`, Value: switchUrl, Type: 'SecureString' }),
  );
  const table = `hb-state-${++tables}`;
  await createStateTable(table);
  process.env.KLAXON_STATE_TABLE = table;
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  expect(output.text()).not.toContain(DEADMAN_TOKEN);
});

describe('heartbeat through SNS, the alarm notifier and the dispatcher', () => {
  it("reaches the dead man's switch exactly once, even when the same beat is delivered twice", async () => {
    const heartbeat = createHeartbeat(() =>
      deployedHeartbeat(
        { KLAXON_ALARM_TOPIC_ARN: topicArn, KLAXON_STAGE: STAGE },
        createPowertools('klaxon-heartbeat-test'),
      ),
    );
    const scheduled = {
      version: '0',
      id: '7bf73129-1428-4cd3-a780-95db273d1602',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      region: 'us-east-1',
      resources: [`arn:aws:events:us-east-1:123456789012:rule/klaxon-${STAGE}-heartbeat`],
      detail: {},
    };
    const sent = await heartbeat(scheduled);
    expect(sent.beat).toBe(scheduled.id);
    expect(output.text()).toContain('"HeartbeatsSent"');

    const event = await deliveredSnsEvent();
    const notifier = createAlarmNotifier((clock) => deployedDeps(parseConfigYaml(CONFIG), clock));
    const first = await notifier(event);
    expect(first).toMatchObject({ outcome: 'alerts', alerts: 1, delivered: 1 });
    expect(pings).toHaveLength(1);
    expect(pings[0]?.path).toBe(`/ping/${DEADMAN_TOKEN}`);
    expect(pings[0]?.body).toMatchObject({
      receiver: 'deadman',
      severity: 'info',
      status: 'firing',
      fingerprint: `klaxon:heartbeat:123456789012:us-east-1:${STAGE}`,
      transitionId: `klaxon:heartbeat:123456789012:us-east-1:${STAGE}:${scheduled.id}`,
      labels: { source: 'klaxon', kind: 'heartbeat', account: '123456789012', region: 'us-east-1' },
    });

    // SNS redelivers, or Lambda retries the invocation: the state table lets the beat through once.
    const again = await notifier(event);
    expect(again).toMatchObject({ outcome: 'alerts', delivered: 0, duplicates: 1 });
    // A retried heartbeat invocation publishes the same beat again: still one ping.
    await heartbeat(scheduled);
    await notifier(await deliveredSnsEvent());
    expect(pings).toHaveLength(1);
    // The console catch-all heard nothing: the heartbeat bypasses the route tree.
    expect(output.text()).not.toContain('console receiver');
  });

  it('ignores the beat with a reason when klaxon.yml configures no heartbeat', async () => {
    const heartbeat = createHeartbeat(() =>
      deployedHeartbeat(
        { KLAXON_ALARM_TOPIC_ARN: topicArn, KLAXON_STAGE: STAGE },
        createPowertools('klaxon-heartbeat-test'),
      ),
    );
    await heartbeat({});
    const unconfigured = CONFIG.replace(/heartbeat:\n {2}receiver: deadman\n/, '');
    const notifier = createAlarmNotifier((clock) => deployedDeps(parseConfigYaml(unconfigured), clock));
    const result = await notifier(await deliveredSnsEvent());
    expect(result).toMatchObject({ outcome: 'ignored', alerts: 0 });
    expect(pings).toEqual([]);
    expect(output.text()).toContain('configures no heartbeat');
  });
});
