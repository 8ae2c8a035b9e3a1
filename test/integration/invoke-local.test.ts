import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { motoEnv, useMotoEnv } from '../support/aws-env';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack';
import { REPO_ROOT } from '../support/fixtures';

const run = promisify(execFile);
const STAGE = 'invk';

/** The committed files in a folder of their own, so this build never shares `.esbuild` with another test's. */
function copyOfRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-invoke-'));
  const files = execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(dir, file));
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** The stack's resources that functions name in their environment through `Ref`. */
const STACK = {
  Resources: {
    StateTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: `klaxon-${STAGE}-state`,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      },
    },
    DeliveryRetryQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: `klaxon-${STAGE}-delivery-retry` },
    },
    DeliveryDeadLetterQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: `klaxon-${STAGE}-delivery-dlq` },
    },
    OpsTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: `klaxon-${STAGE}-ops` } },
    AlarmTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: `klaxon-${STAGE}-alarms` } },
    SlackActionsQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: `klaxon-${STAGE}-slack-actions` },
    },
  },
};

/** The functions serverless.yml declares (every `  name:` followed by `    handler:`). */
const DECLARED = [
  ...readFileSync(join(REPO_ROOT, 'serverless.yml'), 'utf8').matchAll(/^ {2}(\w+):\n {4}handler:/gm),
].map((m) => m[1] as string);

/**
 * One fixture (or more) for every function, and what its local run answers. A function added to
 * serverless.yml without a row here fails this test: docs/development.md lists the same commands.
 */
const INVOCATIONS: Record<string, Array<[fixture: string, answer: RegExp]>> = {
  alarmNotifier: [['events/cloudwatch-alarm/eventbridge-configuration-change.json', /"outcome": "ignored"/]],
  operationalEvents: [
    ['events/autoscaling/eventbridge-instance-terminate-lifecycle-action.json', /"outcome": "ignored"/],
  ],
  securityResponder: [
    ['events/cloudtrail/eventbridge-cis-cloudwatch-11-nacl-changes-negative.json', /"outcome": "ignored"/],
  ],
  // klaxon.yml sets no approval secret: the endpoint refuses every link, and says why.
  remediator: [['events/function-url/remediator-approval-get.json', /"statusCode": 503[^]*not configured/]],
  slackActions: [
    ['events/sqs/slack-actions-click.json', /"batchItemFailures": \[\]/],
    ['events/function-url/slack-actions-interaction.json', /"statusCode": 401/],
  ],
  deliveryRetrier: [['events/sqs/delivery-retry-deliver-job.json', /"batchItemFailures": \[\]/]],
  digest: [['events/scheduled/eventbridge-digest-schedule.json', /"outcome": "posted"/]],
  heartbeat: [['events/scheduled/eventbridge-heartbeat-schedule.json', /"beat": "5b1a8e0c-[^]*-alarms"/]],
  selfCheck: [
    ['events/scheduled/eventbridge-self-check-schedule.json', /"outcome": "checked"[^]*"failed": 0/],
  ],
};

let restore: () => void;
let repo: string;
let slack: FakeSlack;
beforeAll(async () => {
  restore = useMotoEnv(inject('motoEndpoint'));
  await new CloudFormationClient({}).send(
    new CreateStackCommand({ StackName: `klaxon-${STAGE}`, TemplateBody: JSON.stringify(STACK) }),
  );
  // The receivers' secrets, as an operator stores them: Slack posts go to a loopback fake.
  slack = await startFakeSlack();
  const ssm = new SSMClient({});
  for (const [name, value] of [
    ['slack-alerts', slack.webhookUrl('alerts')],
    ['pagerduty-oncall', 'R0UTINGKEY0EXAMPLE000000000000000'],
  ]) {
    await ssm.send(
      new PutParameterCommand({ Name: `/klaxon/${STAGE}/${name}`, Value: value, Type: 'SecureString' }),
    );
  }
  repo = copyOfRepository();
});
afterAll(async () => {
  restore();
  await slack.close();
});

describe('serverless invoke local (docs/development.md)', () => {
  it('has a fixture for every function serverless.yml declares, and none for a function it does not', () => {
    expect(DECLARED.length).toBeGreaterThanOrEqual(9);
    expect(Object.keys(INVOCATIONS).sort()).toEqual([...DECLARED].sort());
  });

  it.each(
    DECLARED.flatMap((fn) =>
      (INVOCATIONS[fn] ?? [['(no fixture)', /$^/]]).map(([f, a]) => [fn, f, a] as const),
    ),
  )(
    'runs %s with %s against a deployed stage',
    async (fn, fixture, answer) => {
      const { stdout } = await run(
        join(repo, 'node_modules/.bin/serverless'),
        ['invoke', 'local', '--stage', STAGE, '--region', 'us-east-1', '-f', fn, '-p', fixture],
        {
          cwd: repo,
          env: { ...process.env, ...motoEnv(inject('motoEndpoint')), SLS_TELEMETRY_DISABLED: '1' },
          timeout: 150_000,
        },
      );
      expect(stdout, `${fn} printed: ${stdout.slice(-1500)}`).toMatch(answer);
    },
    180_000,
  );
});
