/**
 * The scheduled self-check end to end: the deployed self-check function (doctor over the AWS SDK,
 * state table, SSM secrets, all on moto_server) alerts a loopback Slack about a broken setup, then
 * resolves every alert once the setup is fixed.
 */
import {
  CloudTrailClient,
  CreateTrailCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient, PutRuleCommand, type RuleState } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSelfCheck, deployedDeps } from '../../functions/self-check/handler';
import { parseConfigYaml } from '../../shared/config/yaml';
import { alarmRulePrefix, securityRuleName } from '../../shared/onboarding/doctor';
import { buildSecurityRules } from '../../shared/security/rules';
import { useMotoEnv } from '../support/aws-env';
import { createStateTable } from '../support/aws-resources';
import { captureOutput } from '../support/capture';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack';
import { type MotoServer, startMoto } from '../support/moto';

const STAGE = 'sc';
const ROUTING_KEY = 'self-check-routing-key-never-logged-01';

let moto: MotoServer;
let slack: FakeSlack;
let restoreEnv: () => void;
let output: ReturnType<typeof captureOutput>;

function config(): string {
  return `
receivers:
  alerts: { type: slack, webhookUrl: { ssm: slack-alerts } }
  oncall: { type: pagerduty, routingKey: { ssm: pagerduty-oncall } }
route:
  receiver: alerts
selfCheck: {}
`;
}

async function putSecret(name: string, value: string): Promise<void> {
  await new SSMClient({}).send(
    new PutParameterCommand({ Name: `/klaxon/${STAGE}/${name}`, Value: value, Type: 'SecureString' }),
  );
}

/** Everything the doctor checks, healthy: trail, rules, topic, the secret the broken setup lacked. */
async function fixSetup(): Promise<void> {
  expect((await fetch(`${moto.endpoint}/klaxon-self-check-trail`, { method: 'PUT' })).ok).toBe(true);
  const cloudtrail = new CloudTrailClient({});
  await cloudtrail.send(
    new CreateTrailCommand({
      Name: 'org-trail',
      S3BucketName: 'klaxon-self-check-trail',
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
      KmsKeyId: 'alias/cloudtrail',
    }),
  );
  await cloudtrail.send(new StartLoggingCommand({ Name: 'org-trail' }));
  await cloudtrail.send(
    new PutEventSelectorsCommand({
      TrailName: 'org-trail',
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
    }),
  );
  const events = new EventBridgeClient({});
  const rules = [
    { name: `${alarmRulePrefix(STAGE)}2`, state: 'ENABLED' as RuleState },
    ...buildSecurityRules().rules.map((r) => ({
      name: securityRuleName(STAGE, r.id),
      state: r.state as RuleState,
    })),
  ];
  for (const rule of rules) {
    await events.send(
      new PutRuleCommand({
        Name: rule.name,
        State: rule.state,
        EventPattern: JSON.stringify({ source: ['aws.cloudwatch'] }),
      }),
    );
  }
  const sns = new SNSClient({});
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `klaxon-${STAGE}-alarms` }));
  await sns.send(
    new SetTopicAttributesCommand({
      TopicArn,
      AttributeName: 'Policy',
      AttributeValue: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: TopicArn,
          },
        ],
      }),
    }),
  );
  await putSecret('pagerduty-oncall', ROUTING_KEY);
}

function scheduled(day: number) {
  return {
    version: '0',
    id: `self-check-run-${day}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date(Date.now() - (2 - day) * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    region: 'us-east-1',
    resources: [`arn:aws:events:us-east-1:123456789012:rule/klaxon-${STAGE}-selfCheck`],
    detail: {},
  };
}

/** Each Slack message as text, with the finding it names. */
function slackTexts(): string[] {
  return slack.messages('alerts').map((m) => JSON.stringify(m));
}

beforeAll(async () => {
  moto = await startMoto();
  slack = await startFakeSlack({ rateLimitPerSecond: 1 });
  restoreEnv = useMotoEnv(moto.endpoint);
}, 60_000);

afterAll(async () => {
  for (const name of ['KLAXON_SSM_PREFIX', 'KLAXON_STATE_TABLE', 'KLAXON_STAGE']) delete process.env[name];
  restoreEnv();
  await Promise.all([moto.stop(), slack.close()]);
});

beforeEach(async () => {
  slack.reset();
  await moto.reset();
  await createStateTable(`klaxon-${STAGE}-state`);
  Object.assign(process.env, {
    KLAXON_SSM_PREFIX: `/klaxon/${STAGE}`,
    KLAXON_STATE_TABLE: `klaxon-${STAGE}-state`,
    KLAXON_STAGE: STAGE,
  });
  await putSecret('slack-alerts', slack.webhookUrl('alerts'));
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  expect(output.text()).not.toContain(ROUTING_KEY);
  expect(output.text()).not.toContain('/services/T000/B000/alerts');
});

describe('self-check against moto_server', () => {
  it('alerts Slack on a broken setup, once, and resolves every alert after the fix', async () => {
    const selfCheck = createSelfCheck((clock) => deployedDeps(parseConfigYaml(config()), clock));

    const broken = await selfCheck(scheduled(0));
    expect(broken).toMatchObject({ outcome: 'checked', reported: 5, raised: 5, resolved: 0, failed: 0 });
    const firing = slackTexts();
    expect(firing).toHaveLength(5);
    for (const finding of [
      'no CloudTrail trail',
      `rule ${alarmRulePrefix(STAGE)}&lt;n&gt; (alarm state changes to Klaxon) is missing`,
      'security rules missing in us-east-1',
      `topic klaxon-${STAGE}-alarms not found in us-east-1`,
      'secret pagerduty-oncall (receivers.oncall.routingKey) is missing',
    ]) {
      expect(
        firing.filter((text) => text.includes(finding)),
        finding,
      ).toHaveLength(1);
    }
    expect(slack.maxPerWindow('alerts')).toBeLessThanOrEqual(1);
    expect(output.text()).toContain('"SelfCheckFindings"');

    // The next day, still broken: nothing new is sent (reminders are the route's repeatInterval).
    const persisting = await selfCheck(scheduled(1));
    expect(persisting).toMatchObject({ reported: 5, raised: 0, resolved: 0 });
    expect(slackTexts()).toHaveLength(5);

    await fixSetup();
    const fixed = await selfCheck(scheduled(2));
    expect(fixed).toMatchObject({ outcome: 'checked', reported: 0, raised: 0, resolved: 5, failed: 0 });
    const resolved = slackTexts().slice(5);
    expect(resolved).toHaveLength(5);
    for (const text of resolved) expect(text).toMatch(/resolved|RESOLVED|Resolved/);
    expect(resolved.filter((text) => text.includes('no CloudTrail trail'))).toHaveLength(1);
  }, 90_000);
});
