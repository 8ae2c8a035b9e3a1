/**
 * Remediation end to end: an `auto` Run Command rule through the real alarm notifier, with SSM Run
 * Command, the DynamoDB state table and the SQS retry queue on moto_server, and loopback PagerDuty
 * and Slack. The SSM status-change event is built from what SendCommand returned (moto reports
 * `Success` at once) and goes back through the same handler, as EventBridge would deliver it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListCommandsCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAlarmNotifier, deployedDeps } from '../../functions/alarm-notifier/handler';
import { createSecurityResponder } from '../../functions/security-responder/handler';
import { parseConfigYaml } from '../../shared/config/yaml';
import { RunCommandAdapter } from '../../shared/remediation/ssm';
import { DynamoStateStore } from '../../shared/state/dynamodb';
import { useMotoEnv } from '../support/aws-env';
import {
  createDeliveryQueues,
  createStateTable,
  createWebUnhealthyAlarm,
  setWebUnhealthyAlarmState,
} from '../support/aws-resources';
import { captureOutput } from '../support/capture';
import { type FakePagerDuty, startFakePagerDuty } from '../support/fake-pagerduty';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack';
import { fixture } from '../support/fixtures';
import { type MotoServer, startMoto } from '../support/moto';
import { pagerDutyProblems } from '../support/pagerduty-schema';

const ROUTING_KEY = 'remediation-routing-key-0000000001';
const ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-prod-unhealthy';
const INSTANCE = 'i-0a1b2c3d4e5f67890';

let moto: MotoServer;
let pagerDuty: FakePagerDuty;
let slack: FakeSlack;
let restoreEnv: () => void;
let tables = 0;

function configText(): string {
  return `
severity:
  - match: { alarmName: "web-*-unhealthy" }
    severity: critical
receivers:
  oncall: { type: pagerduty, routingKey: { ssm: pd }, url: "${pagerDuty.url}", timeoutMs: 2000 }
  alerts: { type: slack, webhookUrl: { ssm: slack }, timeoutMs: 2000 }
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
    mode: auto
    cooldown: 30m
`;
}

function notifier() {
  return createAlarmNotifier((clock) => deployedDeps(parseConfigYaml(configText()), clock));
}

/** The security responder: the function SSM status-change events reach (serverless.yml feedbackEvents). */
function responder() {
  return createSecurityResponder((clock) => deployedDeps(parseConfigYaml(configText()), clock));
}

/** The EventBridge event SSM sends when a command ends, built from the command moto ran. */
function commandStatusEvent(command: {
  CommandId?: string;
  DocumentName?: string;
  Status?: string;
}): unknown {
  return {
    version: '0',
    id: '9f7e5d3c-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
    'detail-type': 'EC2 Command Status-change Notification',
    source: 'aws.ssm',
    account: '123456789012',
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${INSTANCE}`],
    detail: {
      'command-id': command.CommandId,
      'document-name': command.DocumentName,
      'expire-after': new Date(Date.now() + 3_600_000).toISOString(),
      parameters: { commands: ['systemctl restart nginx'] },
      'requested-date-time': new Date().toISOString(),
      status: command.Status,
    },
  };
}

async function commands() {
  return (await new SSMClient({}).send(new ListCommandsCommand({}))).Commands ?? [];
}

beforeAll(async () => {
  moto = await startMoto();
  pagerDuty = await startFakePagerDuty();
  slack = await startFakeSlack();
  restoreEnv = useMotoEnv(moto.endpoint);
}, 60_000);

afterAll(async () => {
  for (const name of [
    'KLAXON_OWN_ROLE_ARNS',
    'KLAXON_SSM_PREFIX',
    'KLAXON_STATE_TABLE',
    'KLAXON_RETRY_QUEUE_URL',
    'KLAXON_DEAD_LETTER_QUEUE_URL',
  ]) {
    delete process.env[name];
  }
  restoreEnv();
  await Promise.all([moto.stop(), pagerDuty.close(), slack.close()]);
});

beforeEach(async () => {
  await moto.reset();
  pagerDuty.reset();
  slack.reset();
  const ssm = new SSMClient({});
  for (const [name, value] of [
    ['pd', ROUTING_KEY],
    ['slack', slack.webhookUrl('alerts')],
  ] as const) {
    await ssm.send(
      new PutParameterCommand({ Name: `/klaxon/rem/${name}`, Value: value, Type: 'SecureString' }),
    );
  }
  const table = `rem-state-${++tables}`;
  await createStateTable(table);
  const queues = await createDeliveryQueues(`rem-${tables}`);
  // The real alarm, in ALARM on the instance the event names: the alarm-state check asks CloudWatch.
  await createWebUnhealthyAlarm(INSTANCE, 'ALARM');
  Object.assign(process.env, {
    // The stack's own account, as serverless.yml tells every function (its role ARNs).
    KLAXON_OWN_ROLE_ARNS: 'arn:aws:iam::123456789012:role/klaxon-rem-us-east-1-alarmNotifierRole',
    KLAXON_SSM_PREFIX: '/klaxon/rem',
    KLAXON_STATE_TABLE: table,
    KLAXON_RETRY_QUEUE_URL: queues.retryUrl,
    KLAXON_DEAD_LETTER_QUEUE_URL: queues.deadUrl,
  });
});

describe('an auto remediation, end to end', () => {
  it('starts Run Command once, reports its status to the same receivers, and a redelivery starts nothing', async () => {
    const output = captureOutput();
    try {
      const handler = notifier();
      const feedback = responder();
      const first = await handler(fixture('cloudwatch-alarm/sns-web-unhealthy-instance.json'));
      expect(first).toMatchObject({ outcome: 'alerts', delivered: 2, failed: 0 });

      const started = await commands();
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [INSTANCE],
        Parameters: { commands: ['systemctl restart nginx'] },
        MaxConcurrency: '1',
        MaxErrors: '0',
      });
      // The page says what Klaxon did.
      const trigger = pagerDuty.requests[0]?.body as {
        dedup_key: string;
        payload: { custom_details: unknown };
      };
      expect(trigger.dedup_key).toBe(ARN);
      expect(JSON.stringify(trigger.payload.custom_details)).toContain(
        `started AWS-RunShellScript (InstanceId=${INSTANCE}): execution ${started[0]?.CommandId}`,
      );

      // SSM reports the end of the command through EventBridge: the same receivers hear about it.
      const status = await feedback(commandStatusEvent(started[0] ?? {}));
      expect(status).toMatchObject({ outcome: 'alerts', delivered: 2, failed: 0 });
      expect(pagerDuty.requests).toHaveLength(2);
      const update = pagerDuty.requests[1]?.body as {
        event_action: string;
        dedup_key: string;
        payload: { severity: string; summary: string };
      };
      expect(pagerDutyProblems(update)).toEqual([]);
      expect(update).toMatchObject({
        event_action: 'trigger',
        dedup_key: ARN,
        payload: { severity: 'critical' },
      });
      expect(update.payload.summary).toMatch(
        /^Remediation AWS-RunShellScript succeeded for web-prod-unhealthy/,
      );
      expect(pagerDuty.incidents.size).toBe(1);
      expect(JSON.stringify(slack.messages('alerts')[1])).toContain(
        'Remediation AWS-RunShellScript succeeded',
      );

      // The same alarm delivered again (SNS retry): no second command, no second page or message.
      const again = await handler(fixture('cloudwatch-alarm/sns-web-unhealthy-instance.json'));
      expect(again).toMatchObject({ delivered: 0, duplicates: 2 });
      expect(await commands()).toHaveLength(1);
      expect(pagerDuty.requests).toHaveLength(2);

      // The status event delivered twice is reported once.
      const statusAgain = await feedback(commandStatusEvent(started[0] ?? {}));
      expect(statusAgain).toMatchObject({ delivered: 0, duplicates: 2 });

      // Every decision is in the structured log.
      const decided = output
        .lines()
        .filter((line) => line.includes('"remediation decided"'))
        .map(
          (line) => (JSON.parse(line) as { remediation: { outcome: string; reason?: string } }).remediation,
        );
      expect(decided.map((d) => d.outcome)).toEqual(['started', 'skipped']);
      expect(decided[1]?.reason).toMatch(/^duplicate/);
    } finally {
      output.restore();
    }
  });

  it('starts nothing when CloudWatch says the alarm is OK now (a forged or stale ALARM)', async () => {
    await setWebUnhealthyAlarmState('OK');
    const output = captureOutput();
    try {
      const result = await notifier()(fixture('cloudwatch-alarm/sns-web-unhealthy-instance.json'));
      expect(result).toMatchObject({ outcome: 'alerts' });
      expect(await commands()).toEqual([]);
      const decided = output
        .lines()
        .filter((line) => line.includes('"remediation decided"'))
        .map((line) => (JSON.parse(line) as { remediation: { reason?: string } }).remediation);
      expect(decided[0]?.reason).toMatch(/CloudWatch says the alarm is OK now, not ALARM/);
    } finally {
      output.restore();
    }
  });

  it('reads a command invocation back through the Run Command adapter', async () => {
    const adapter = new RunCommandAdapter(new SSMClient({}));
    const id = await adapter.send({
      document: 'AWS-RunShellScript',
      instanceIds: [INSTANCE],
      parameters: { commands: ['uptime'] },
      comment: 'klaxon test',
    });
    expect(await adapter.invocation(id, INSTANCE)).toMatchObject({ status: 'Success' });
  });
});

describe('DynamoStateStore remediation records and leases against moto', () => {
  const t0 = Date.UTC(2026, 2, 14, 10, 0, 0);

  it('writes a record once with ifAbsent and reads it back', async () => {
    const store = new DynamoStateStore(new DynamoDBClient({}), process.env.KLAXON_STATE_TABLE ?? '');
    expect(await store.loadRecord('remediation#a')).toBeUndefined();
    expect(await store.saveRecord('remediation#a', { outcome: 'starting' }, t0, { ifAbsent: true })).toBe(
      true,
    );
    expect(await store.saveRecord('remediation#a', { outcome: 'other' }, t0, { ifAbsent: true })).toBe(false);
    expect(await store.loadRecord('remediation#a')).toEqual({ outcome: 'starting' });
    expect(await store.saveRecord('remediation#a', { outcome: 'started' }, t0)).toBe(true);
    expect(await store.loadRecord('remediation#a')).toEqual({ outcome: 'started' });
  });

  it('grants a lease to one owner until it expires or is released', async () => {
    const store = new DynamoStateStore(new DynamoDBClient({}), process.env.KLAXON_STATE_TABLE ?? '');
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((owner) => store.acquireLease('cooldown#x', owner, t0 + 60_000, t0)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const owner = ['a', 'b', 'c', 'd'][results.indexOf(true)] ?? '';
    expect(await store.acquireLease('cooldown#x', owner, t0 + 90_000, t0 + 1)).toBe(true);
    expect(await store.acquireLease('cooldown#x', 'z', t0 + 90_000, t0 + 2)).toBe(false);
    await store.releaseLease('cooldown#x', 'z');
    expect(await store.acquireLease('cooldown#x', 'z', t0 + 90_000, t0 + 3)).toBe(false);
    await store.releaseLease('cooldown#x', owner);
    expect(await store.acquireLease('cooldown#x', 'z', t0 + 90_000, t0 + 4)).toBe(true);
    expect(await store.acquireLease('cooldown#x', 'y', t0 + 200_000, t0 + 90_000)).toBe(true);
  });
});
