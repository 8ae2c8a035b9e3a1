/**
 * Two-way Slack end to end: the deployed alarm notifier and Slack interactivity function on moto
 * (state table, SSM parameters, the click queue, Run Command), a loopback Slack Web API and a
 * loopback PagerDuty. One incident: the alarm posts a message; Acknowledge acknowledges in
 * PagerDuty and edits the message; Approve starts the remediation once, for an allowed user only;
 * the OK edits the same message to resolved and says so in its thread.
 */
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
  CreateQueueCommand,
} from '@aws-sdk/client-sqs';
import { ListCommandsCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createRequire } from 'node:module';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAlarmNotifier, deployedDeps } from '../../functions/alarm-notifier/handler';
import { createSlackInteractivityHandler } from '../../functions/slack-interactivity/handler';
import { parseConfigYaml } from '../../shared/config/yaml';
import { deployedSlackInteractivity } from '../../shared/deployed/slack-interactivity';
import { createPowertools } from '../../shared/observability/powertools';
import { BUTTON_IDS } from '../../shared/receivers/slack/message-record';
import { useMotoEnv } from '../support/aws-env';
import {
  createDeliveryQueues,
  createStateTable,
  createWebUnhealthyAlarm,
  setWebUnhealthyAlarmState,
} from '../support/aws-resources';
import { captureOutput } from '../support/capture';
import { type FakePagerDuty, startFakePagerDuty } from '../support/fake-pagerduty';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api';
import { fixture } from '../support/fixtures';
import { type MotoServer, startMoto } from '../support/moto';
import { clickBody, findButton, signedRequest } from '../support/slack-clicks';

const ROUTING_KEY = 'slack-e2e-routing-key-000000000001';
const BOT_TOKEN = 'xoxb-test-token';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-prod-unhealthy';
const ONCALL = { id: 'U0ONCALL', name: 'dana' };
const SECURITY = { id: 'U0SECURITY', name: 'sam' };
const STRANGER = { id: 'U0STRANGER', name: 'lee' };

let moto: MotoServer;
let pagerDuty: FakePagerDuty;
let slack: FakeSlackApi;
let restoreEnv: () => void;
let run = 0;

function configText(): string {
  return `
severity:
  - match: { alarmName: "web-*-unhealthy" }
    severity: critical
receivers:
  oncall: { type: pagerduty, routingKey: { ssm: pd }, url: "${pagerDuty.url}", timeoutMs: 2000 }
  alerts:
    type: slack
    botToken: { ssm: slack-bot }
    signingSecret: { ssm: slack-signing }
    channel: C0ALERTS
    apiUrl: "${slack.url}"
    timeoutMs: 2000
    actions:
      acknowledge: { allow: { users: [U0ONCALL] }, pagerduty: [oncall] }
      silence: { allow: { users: [U0ONCALL] } }
      remediation: { allow: { groups: [S0SECURITY] } }
route:
  receiver: alerts
  routes:
    - { name: page, match: { severity: critical }, receiver: oncall, continue: true }
    - { name: chat, match: { severity: critical }, receiver: alerts }
remediations:
  - name: restart-web-service
    match: { alarmName: "web-*-unhealthy" }
    action: AWS-RunShellScript
    parameters: { InstanceId: "{{ labels.InstanceId }}" }
    commands: ["systemctl restart nginx"]
    mode: approve
`;
}

const powertools = createPowertools('klaxon-slack-test');

const require = createRequire(import.meta.url);
const roles = require('../../deploy/function-roles.cjs') as {
  rolesFor(context: unknown): Record<
    string,
    {
      Properties: {
        Policies: Array<{
          PolicyDocument: {
            Statement: Array<{
              Action: string[];
              Condition?: { 'ForAllValues:StringLike'?: { 'dynamodb:LeadingKeys'?: string[] } };
            }>;
          };
        }>;
      };
    }
  >;
  readContext(settings: { stage: string; tracing: boolean }): unknown;
};

/** The slackActions role's LeadingKeys patterns (IAM StringLike) as expressions. */
function slackRoleKeyPatterns(): RegExp[] {
  const statements =
    roles.rolesFor(roles.readContext({ stage: 't', tracing: true })).SlackActionsRole?.Properties.Policies[0]
      ?.PolicyDocument.Statement ?? [];
  const dynamo = statements.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
  expect(dynamo).toHaveLength(1);
  const patterns = dynamo[0]?.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? [];
  return patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .split('')
          .map((c) => (c === '*' ? '.*' : c.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
          .join('')}$`,
      ),
  );
}

/** Records the partition key of every DynamoDB call made while `during` runs. */
async function keysTouched<T>(keys: string[], during: () => Promise<T>): Promise<T> {
  const spy = vi.spyOn(DynamoDBClient.prototype, 'send');
  try {
    return await during();
  } finally {
    for (const [command] of spy.mock.calls) {
      const input = (command as { input?: { Key?: { pk?: { S?: string } }; Item?: { pk?: { S?: string } } } })
        .input;
      const pk = input?.Key?.pk?.S ?? input?.Item?.pk?.S;
      if (pk) keys.push(pk);
    }
    spy.mockRestore();
  }
}

function notifier() {
  return createAlarmNotifier((clock) => deployedDeps(parseConfigYaml(configText()), clock));
}

/** The Slack function, every state-table key it touches added to `slackKeys` (checked against its role). */
function interactivity() {
  const handler = createSlackInteractivityHandler(() =>
    deployedSlackInteractivity(parseConfigYaml(configText()), process.env, powertools),
  );
  return (event: Parameters<typeof handler>[0]) => keysTouched(slackKeys, () => handler(event));
}

let slackKeys: string[] = [];

/** The same alarm going back to OK a few minutes later, as CloudWatch would publish it. */
function okEvent(): unknown {
  const event = structuredClone(fixture('cloudwatch-alarm/sns-web-unhealthy-instance.json')) as {
    Records: Array<{ Sns: { Message: string; MessageId: string; Subject: string } }>;
  };
  const sns = event.Records[0]!.Sns;
  const message = JSON.parse(sns.Message) as Record<string, unknown>;
  Object.assign(message, {
    NewStateValue: 'OK',
    OldStateValue: 'ALARM',
    NewStateReason:
      'Threshold Crossed: 2 datapoints [0.0, 0.0] were not greater than or equal to the threshold (1.0).',
    StateChangeTime: '2026-03-14T10:02:40.118+0000',
  });
  sns.Message = JSON.stringify(message);
  sns.MessageId = '5b1c0f4e-7d3a-4f0e-9a51-0c2d7e6b8a90';
  sns.Subject = 'OK: "web-prod-unhealthy" in US East (N. Virginia)';
  return event;
}

async function drainClicks(handler: ReturnType<typeof interactivity>): Promise<SQSBatchResponse[]> {
  const sqs = new SQSClient({});
  const url = process.env.KLAXON_SLACK_ACTIONS_QUEUE_URL!;
  const answers: SQSBatchResponse[] = [];
  for (;;) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    const message = got.Messages?.[0];
    if (!message) return answers;
    const event = {
      Records: [{ messageId: message.MessageId, body: message.Body, eventSource: 'aws:sqs' }],
    } as unknown as SQSEvent;
    answers.push((await handler(event)) as SQSBatchResponse);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
  }
}

async function commands() {
  return (await new SSMClient({}).send(new ListCommandsCommand({}))).Commands ?? [];
}

beforeAll(async () => {
  moto = await startMoto();
  pagerDuty = await startFakePagerDuty();
  slack = await startFakeSlackApi({ token: BOT_TOKEN, userGroups: { S0SECURITY: [SECURITY.id] } });
  restoreEnv = useMotoEnv(moto.endpoint);
}, 60_000);

afterAll(async () => {
  for (const name of [
    'KLAXON_OWN_ROLE_ARNS',
    'KLAXON_SSM_PREFIX',
    'KLAXON_STATE_TABLE',
    'KLAXON_RETRY_QUEUE_URL',
    'KLAXON_DEAD_LETTER_QUEUE_URL',
    'KLAXON_SLACK_ACTIONS_QUEUE_URL',
  ]) {
    delete process.env[name];
  }
  restoreEnv();
  await Promise.all([moto.stop(), pagerDuty.close(), slack.close()]);
});

beforeEach(async () => {
  slackKeys = [];
  await moto.reset();
  pagerDuty.reset();
  const ssm = new SSMClient({});
  for (const [name, value] of [
    ['pd', ROUTING_KEY],
    ['slack-bot', BOT_TOKEN],
    ['slack-signing', SIGNING_SECRET],
  ] as const) {
    await ssm.send(
      new PutParameterCommand({ Name: `/klaxon/slk/${name}`, Value: value, Type: 'SecureString' }),
    );
  }
  const table = `slk-state-${++run}`;
  await createStateTable(table);
  const queues = await createDeliveryQueues(`slk-${run}`);
  const clicks = await new SQSClient({}).send(
    new CreateQueueCommand({ QueueName: `slk-${run}-slack-actions` }),
  );
  // The real alarm, in ALARM on the instance the event names, in the stack's own account.
  await createWebUnhealthyAlarm('i-0a1b2c3d4e5f67890', 'ALARM');
  Object.assign(process.env, {
    KLAXON_OWN_ROLE_ARNS: 'arn:aws:iam::123456789012:role/klaxon-slk-us-east-1-alarmNotifierRole',
    KLAXON_SSM_PREFIX: '/klaxon/slk',
    KLAXON_STATE_TABLE: table,
    KLAXON_RETRY_QUEUE_URL: queues.retryUrl,
    KLAXON_DEAD_LETTER_QUEUE_URL: queues.deadUrl,
    KLAXON_SLACK_ACTIONS_QUEUE_URL: clicks.QueueUrl,
  });
});

describe('one incident in Slack, end to end', () => {
  it('posts, acknowledges, approves once for an allowed user only, and resolves the same message', async () => {
    const output = captureOutput();
    try {
      const alarms = notifier();
      const slackFn = interactivity();
      const before = slack.messages('C0ALERTS').length;

      // The alarm: one page, one Slack message with the buttons.
      const fired = await alarms(fixture('cloudwatch-alarm/sns-web-unhealthy-instance.json'));
      expect(fired).toMatchObject({ outcome: 'alerts', delivered: 2, failed: 0 });
      const posted = slack.messages('C0ALERTS').slice(before);
      expect(posted).toHaveLength(1);
      const message = posted[0]!;
      expect(message.text).toContain('web-prod-unhealthy');
      for (const id of [BUTTON_IDS.acknowledge, BUTTON_IDS.silence1h, BUTTON_IDS.approve, BUTTON_IDS.reject])
        expect(findButton(message, id), id).toBeDefined();
      expect(findButton(message, BUTTON_IDS.resolve)).toBeUndefined(); // an alarm resolves itself
      expect(pagerDuty.incident(ROUTING_KEY, ARN)).toMatchObject({ status: 'open', acknowledged: false });

      // Acknowledge, clicked twice: both requests are answered at once, the work is done once.
      // Slack waits 3 s for an answer; the first one includes building the function (SSM, DynamoDB, SQS).
      const coldStart = performance.now();
      const ack1 = (await slackFn(
        signedRequest(clickBody(message, BUTTON_IDS.acknowledge, ONCALL), SIGNING_SECRET),
      )) as APIGatewayProxyStructuredResultV2;
      const answeredMs = performance.now() - coldStart;
      process.stderr.write(`cold intake answered in ${answeredMs.toFixed(0)} ms\n`);
      expect(answeredMs).toBeLessThan(3_000);
      const ack2 = (await slackFn(
        signedRequest(clickBody(message, BUTTON_IDS.acknowledge, ONCALL), SIGNING_SECRET, {
          timestampSeconds: Math.floor(Date.now() / 1000) + 1,
        }),
      )) as APIGatewayProxyStructuredResultV2;
      expect([ack1.statusCode, ack2.statusCode]).toEqual([200, 200]);
      expect(
        pagerDuty.requests.filter(
          (r) => (r.body as { event_action?: string }).event_action === 'acknowledge',
        ),
      ).toHaveLength(0);
      const acked = await drainClicks(slackFn);
      expect(acked.flatMap((a) => a.batchItemFailures)).toEqual([]);
      const acks = pagerDuty.requests.filter(
        (r) => (r.body as { event_action?: string }).event_action === 'acknowledge',
      );
      expect(acks).toHaveLength(1);
      expect(acks[0]?.body).toEqual({
        routing_key: ROUTING_KEY,
        event_action: 'acknowledge',
        dedup_key: ARN,
      });
      expect(pagerDuty.incident(ROUTING_KEY, ARN)?.acknowledged).toBe(true);
      expect(JSON.stringify(message.blocks)).toContain('Acknowledged by <@U0ONCALL>');
      expect(findButton(message, BUTTON_IDS.acknowledge)).toBeUndefined();
      expect(slack.ephemerals.at(-1)).toMatchObject({
        user: ONCALL.id,
        text: expect.stringContaining('Already done'),
      });

      // Approve by someone outside the security group: refused in private, nothing started.
      await slackFn(signedRequest(clickBody(message, BUTTON_IDS.approve, STRANGER), SIGNING_SECRET));
      await drainClicks(slackFn);
      expect(slack.ephemerals.at(-1)).toMatchObject({
        user: STRANGER.id,
        text: expect.stringContaining('may not'),
      });
      expect(await commands()).toHaveLength(0);

      // Approve by the security group, twice: Run Command starts once, the message says who approved.
      await slackFn(signedRequest(clickBody(message, BUTTON_IDS.approve, SECURITY), SIGNING_SECRET));
      await slackFn(
        signedRequest(clickBody(message, BUTTON_IDS.approve, SECURITY), SIGNING_SECRET, {
          timestampSeconds: Math.floor(Date.now() / 1000) - 2,
        }),
      );
      await drainClicks(slackFn);
      const started = await commands();
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: ['i-0a1b2c3d4e5f67890'],
      });
      expect(JSON.stringify(message.blocks)).toContain('Remediation approved by <@U0SECURITY>');
      expect(findButton(message, BUTTON_IDS.approve)).toBeUndefined();

      // The alarm goes back to OK: the same message turns resolved, and its thread says so.
      const updatesBefore = message.updates.length;
      await setWebUnhealthyAlarmState('OK');
      const resolved = await alarms(okEvent());
      expect(resolved).toMatchObject({ outcome: 'alerts', failed: 0 });
      expect(
        slack
          .messages('C0ALERTS')
          .filter((m) => !m.threadTs)
          .slice(before),
      ).toHaveLength(1);
      expect(message.updates.length).toBe(updatesBefore + 1);
      expect(JSON.stringify(message.blocks)).toContain('RESOLVED');
      expect(JSON.stringify(message.blocks)).toContain('Resolved <!date^');
      expect(JSON.stringify(message.blocks)).toContain('Acknowledged by <@U0ONCALL>');
      expect(findButton(message, BUTTON_IDS.silence1h)).toBeUndefined();
      const thread = slack.thread(message.ts);
      expect(thread.at(-1)?.text).toMatch(/^:large_green_circle: Resolved after 17m/);
      expect(pagerDuty.incident(ROUTING_KEY, ARN)?.status).toBe('resolved');

      // Every state-table key the Slack function used is one its role allows (dynamodb:LeadingKeys).
      const patterns = slackRoleKeyPatterns();
      expect(slackKeys.length).toBeGreaterThan(0);
      expect(slackKeys.filter((key) => !patterns.some((p) => p.test(key)))).toEqual([]);
      for (const prefix of [
        'record#slack#',
        'record#slack-request#',
        'record#slack-click#',
        'record#remediation#',
      ])
        expect(
          slackKeys.some((key) => key.startsWith(prefix)),
          prefix,
        ).toBe(true);
    } finally {
      output.restore();
    }
  }, 60_000);
});
