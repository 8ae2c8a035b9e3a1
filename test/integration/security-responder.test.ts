import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigYaml } from '../../shared/config/yaml';
import { createSecurityResponder, deployedDeps } from '../../functions/security-responder/handler';
import { readDecisionRecords } from '../../shared/noise/engine';
import { normalizeRecord } from '../../shared/sources/registry';
import { DynamoStateStore } from '../../shared/state/dynamodb';
import { useMotoEnv } from '../support/aws-env';
import {
  createCapturedTopic,
  createDeliveryQueues,
  createStateTable,
  snsEventFromQueue,
} from '../support/aws-resources';
import { captureOutput } from '../support/capture';
import { type FakePagerDuty, startFakePagerDuty } from '../support/fake-pagerduty';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack';
import { fixture } from '../support/fixtures';
import { type MotoServer, startMoto } from '../support/moto';
import { pagerDutyProblems } from '../support/pagerduty-schema';

let moto: MotoServer;
let pagerDuty: FakePagerDuty;
let slack: FakeSlack;
let restore: () => void;
let output: ReturnType<typeof captureOutput>;
let table = 0;

const OWN_ROLE = 'arn:aws:iam::123456789012:role/klaxon-prod-us-east-1-lambdaRole';

function config(intake = ''): string {
  return `${intake}
security:
  failedLogins: { threshold: 3, windowMinutes: 10 }
  allowlist:
    cidrs:
      - { cidr: 2001:db8:cafe::/48, reason: "office egress, reviewed by secops" }
receivers:
  oncall: { type: pagerduty, routingKey: { ssm: pd }, url: "${pagerDuty.url}" }
  alerts: { type: slack, webhookUrl: { ssm: slack }, ratePerSecond: 20 }
route:
  receiver: alerts
  routes:
    - { match: { severity: critical }, receiver: oncall, continue: true }
    - { match: { severity: [critical, error, warning, info] }, receiver: alerts }
`;
}

function responder(intake = '') {
  return createSecurityResponder((clock) => deployedDeps(parseConfigYaml(config(intake)), clock));
}

function withDetail<T>(path: string, change: (detail: Record<string, unknown>) => void, id?: string): T {
  const event = structuredClone(fixture(path)) as { id: string; detail: Record<string, unknown> };
  change(event.detail);
  if (id) event.id = id;
  return event as T;
}

beforeAll(async () => {
  moto = await startMoto();
  pagerDuty = await startFakePagerDuty();
  slack = await startFakeSlack();
  restore = useMotoEnv(moto.endpoint);
  const queues = await createDeliveryQueues('sec');
  const ssm = new SSMClient({});
  await ssm.send(
    new PutParameterCommand({ Name: '/klaxon/sec/pd', Value: 'sec-routing-key-0001', Type: 'SecureString' }),
  );
  await ssm.send(
    new PutParameterCommand({
      Name: '/klaxon/sec/slack',
      Value: slack.webhookUrl('sec'),
      Type: 'SecureString',
    }),
  );
  Object.assign(process.env, {
    KLAXON_SSM_PREFIX: '/klaxon/sec',
    KLAXON_RETRY_QUEUE_URL: queues.retryUrl,
    KLAXON_DEAD_LETTER_QUEUE_URL: queues.deadUrl,
    KLAXON_OWN_ROLE_ARNS: OWN_ROLE,
  });
});

beforeEach(async () => {
  const name = `sec-state-${++table}`;
  await createStateTable(name);
  process.env.KLAXON_STATE_TABLE = name;
  pagerDuty.reset();
  slack.reset();
  output = captureOutput();
  return () => output.restore();
});

afterAll(async () => {
  for (const name of [
    'KLAXON_SSM_PREFIX',
    'KLAXON_RETRY_QUEUE_URL',
    'KLAXON_DEAD_LETTER_QUEUE_URL',
    'KLAXON_STATE_TABLE',
    'KLAXON_OWN_ROLE_ARNS',
  ]) {
    delete process.env[name];
  }
  restore();
  await Promise.all([moto.stop(), pagerDuty.close(), slack.close()]);
});

describe('security responder against moto and loopback PagerDuty/Slack', () => {
  it('pages a root sign-in, with the detection, principal and CloudTrail link', async () => {
    const result = await responder()(
      fixture('cloudtrail/eventbridge-cis-cloudwatch-1-root-usage-positive.json'),
    );
    expect(result).toMatchObject({ outcome: 'alerts', delivered: 2 });
    const [page] = pagerDuty.requests;
    expect(pagerDutyProblems(page?.body)).toEqual([]);
    expect(page?.body).toMatchObject({
      event_action: 'trigger',
      payload: {
        severity: 'critical',
        custom_details: { labels: { detection: 'cis-cloudwatch-1-root-usage', source: 'cloudtrail' } },
      },
    });
    expect(JSON.stringify(page?.body)).toContain('cloudtrailv2/home');
  });

  it('pages a security group opened to the world on an admin port, and not a /32', async () => {
    const handler = responder();
    await handler(fixture('cloudtrail/eventbridge-sg-open-to-world-admin-port-negative.json'));
    expect(pagerDuty.requests).toHaveLength(0);
    await handler(fixture('cloudtrail/eventbridge-sg-open-to-world-admin-port-positive.json'));
    expect(pagerDuty.requests).toHaveLength(1);
  });

  it('never raises a detection on calls made by its own role', async () => {
    const event = withDetail('cloudtrail/eventbridge-sg-open-to-world-admin-port-positive.json', (detail) => {
      detail.userIdentity = {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLEKLAXON0001:klaxon',
        arn: 'arn:aws:sts::123456789012:assumed-role/klaxon-prod-us-east-1-lambdaRole/klaxon-prod-securityResponder',
        accountId: '123456789012',
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            arn: OWN_ROLE,
            accountId: '123456789012',
            userName: 'klaxon-prod-us-east-1-lambdaRole',
          },
        },
      };
    });
    const result = await responder()(event);
    expect(result.outcome).toBe('ignored');
    expect(pagerDuty.requests).toHaveLength(0);
    expect(slack.requests).toHaveLength(0);
  });

  it('records an allowlisted source address but does not notify', async () => {
    const event = withDetail('cloudtrail/eventbridge-sg-open-to-world-admin-port-positive.json', (detail) => {
      detail.sourceIPAddress = '2001:db8:cafe::7';
    });
    const result = await responder()(event);
    expect(result).toMatchObject({ outcome: 'alerts', delivered: 0 });
    expect(output.text()).toContain('allowlisted cidr 2001:db8:cafe::/48: office egress, reviewed by secops');
  });

  it('alerts once when failed console sign-ins cross the threshold (counted in the state table)', async () => {
    const handler = responder();
    for (let i = 0; i < 5; i++) {
      const event = withDetail(
        'cloudtrail/eventbridge-cis-cloudwatch-6-console-auth-failures-positive.json',
        (detail) => {
          detail.eventID = `12ea9d00-3b37-4a99-a325-ca662d7be1${String(i).padStart(2, '0')}`;
          detail.eventTime = `2026-03-14T09:1${i}:03Z`;
        },
        `f00dcafe-0000-4000-8000-00000000000${i}`,
      );
      await handler(event);
    }
    const escalated = slack
      .messages('sec')
      .filter((m) => JSON.stringify(m).includes('failed console sign-ins'));
    expect(escalated).toHaveLength(1);
    expect(JSON.stringify(escalated[0])).toContain('3 failed console sign-ins for');
  });

  it('does not notify a finding update with unchanged severity, and resolves an archived finding where it went', async () => {
    const handler = responder();
    await handler(fixture('guardduty/eventbridge-finding-new.json'));
    await handler(fixture('guardduty/eventbridge-finding-updated.json'));
    await handler(fixture('guardduty/eventbridge-finding-archived.json'));
    const messages = slack.messages('sec').map((m) => JSON.stringify(m));
    expect(messages).toHaveLength(2);
    expect(messages[1]).toContain('RESOLVED');
    expect(output.text()).toContain('finding update with unchanged status (firing) and severity (error)');
  });
});

describe('EventBridge events inside SNS messages, published through SNS in moto', () => {
  /** Publishes an EventBridge event as the message of a new topic and returns what the subscription got. */
  async function throughSns(topic: string, event: unknown): Promise<{ topicArn: string; event: unknown }> {
    const { topicArn, queueUrl } = await createCapturedTopic(topic);
    await new SNSClient({}).send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(event) }));
    return { topicArn, event: await snsEventFromQueue(queueUrl) };
  }
  const optIn = (topicArn: string) =>
    `intake:\n  eventBridgeOverSns:\n    - { topicArn: ${topicArn}, accounts: ['123456789012'] }\n`;
  const finding = () => fixture('guardduty/eventbridge-finding-critical-credential-exfiltration.json');

  it('pages a GuardDuty finding from an opted-in topic, marked as such in its provenance', async () => {
    const { topicArn, event } = await throughSns('security-forwarding-ok', finding());
    const result = await responder(optIn(topicArn))(event);
    expect(result).toMatchObject({ outcome: 'alerts' });
    expect(pagerDuty.requests).toHaveLength(1);
    expect(pagerDuty.requests[0]?.body).toMatchObject({ payload: { severity: 'critical' } });
    // The decision record in the state table says how it came, and that it never remediates.
    const direct = normalizeRecord({
      kind: 'eventbridge',
      index: 0,
      event: finding() as Record<string, unknown>,
    });
    const fingerprint = direct.kind === 'alerts' ? (direct.drafts[0]?.fingerprint ?? '') : '';
    const store = new DynamoStateStore(new DynamoDBClient({}), process.env.KLAXON_STATE_TABLE ?? '');
    const [record] = await readDecisionRecords(store, fingerprint);
    expect(record?.arrived.provenance).toMatch(
      new RegExp(
        `^sns ${topicArn} \\(EventBridge event, opted in by intake\\.eventBridgeOverSns\\); remediation: no `,
      ),
    );
  });

  it('ignores the same finding from a topic not listed, and an SSM status event from a listed one', async () => {
    const unlisted = await throughSns('security-forwarding-unlisted', finding());
    const listed = await createCapturedTopic('security-forwarding-listed');
    expect(await responder(optIn(listed.topicArn))(unlisted.event)).toMatchObject({ outcome: 'ignored' });
    await new SNSClient({}).send(
      new PublishCommand({
        TopicArn: listed.topicArn,
        Message: JSON.stringify(fixture('ssm/eventbridge-automation-execution-success.json')),
      }),
    );
    const status = await responder(optIn(listed.topicArn))(await snsEventFromQueue(listed.queueUrl));
    expect(status).toMatchObject({ outcome: 'ignored' });
    expect(pagerDuty.requests).toHaveLength(0);
    expect(slack.requests).toHaveLength(0);
    expect(output.text()).toMatch(/only topics listed in intake\.eventBridgeOverSns/);
    expect(output.text()).toMatch(
      /remediation status is accepted only from the stack's own EventBridge rules/,
    );
  });
});
