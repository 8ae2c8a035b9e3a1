import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { motoEnv, useMotoEnv } from '../support/aws-env';
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
  },
};

let restore: () => void;
let repo: string;
beforeAll(async () => {
  restore = useMotoEnv(inject('motoEndpoint'));
  await new CloudFormationClient({}).send(
    new CreateStackCommand({ StackName: `klaxon-${STAGE}`, TemplateBody: JSON.stringify(STACK) }),
  );
  repo = copyOfRepository();
});
afterAll(() => restore());

describe('serverless invoke local (docs/cli.md)', () => {
  it.each([
    ['alarmNotifier', 'events/cloudwatch-alarm/eventbridge-configuration-change.json'],
    ['operationalEvents', 'events/autoscaling/eventbridge-instance-terminate-lifecycle-action.json'],
    ['securityResponder', 'events/cloudtrail/eventbridge-cis-cloudwatch-11-nacl-changes-negative.json'],
  ])(
    'runs %s with %s against a deployed stage',
    async (fn, fixture) => {
      const { stdout } = await run(
        join(repo, 'node_modules/.bin/serverless'),
        ['invoke', 'local', '--stage', STAGE, '--region', 'us-east-1', '-f', fn, '-p', fixture],
        {
          cwd: repo,
          env: { ...process.env, ...motoEnv(inject('motoEndpoint')), SLS_TELEMETRY_DISABLED: '1' },
          timeout: 150_000,
        },
      );
      expect(stdout).toMatch(/"outcome": "ignored"/);
    },
    180_000,
  );
});
