import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SourcesFile } from '../../shared/sources/rules';
import { REPO_ROOT, repoText } from '../support/fixtures';

const run = promisify(execFile);

const PD_SECRET = 'pd-routing-key-that-must-never-leak-0001';
const SLACK_SECRET = 'https://hooks.slack.com/services/T0000/B0000/never-leak-0002';

type Resource = { Type: string; Properties: Record<string, unknown> };
let template: { Resources: Record<string, Resource>; Outputs: Record<string, unknown> };
let templateText: string;
let packageDir: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-package-'));
  const config = join(dir, 'klaxon.yml');
  writeFileSync(
    config,
    repoText('klaxon.yml').replace(
      'alarmTopics: []',
      'alarmTopics:\n    - arn: arn:aws:sns:us-west-2:111122223333:team-alarms\n      name: team-alarms',
    ),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SLS_TELEMETRY_DISABLED: '1',
    KLAXON_CONFIG: config,
    // Secrets present in the environment at package time must still not reach the template.
    KLAXON_SECRET_PAGERDUTY_ONCALL: PD_SECRET,
    KLAXON_SECRET_SLACK_ALERTS: SLACK_SECRET,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  await run(
    join(REPO_ROOT, 'node_modules/.bin/serverless'),
    ['package', '--stage', 'tpl', '--package', join(dir, 'out')],
    {
      cwd: REPO_ROOT,
      env,
      timeout: 120_000,
    },
  );
  packageDir = join(dir, 'out');
  templateText = readFileSync(join(dir, 'out/cloudformation-template-update-stack.json'), 'utf8');
  template = JSON.parse(templateText);
}, 150_000);

function resourcesOfType(type: string): Array<[string, Resource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

type Statement = { Effect: string; Action: unknown; Resource: unknown };

/** Every statement of a role's inline policies. */
function statementsOf(roleId: string): Statement[] {
  const role = template.Resources[roleId];
  expect(role?.Type, roleId).toBe('AWS::IAM::Role');
  const policies = role?.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>;
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

const actionsOf = (statement: Statement): string[] => [statement.Action].flat() as string[];

/** cfn-lint's exit code is a bit mask: 1 fatal, 2 error, 4 warning, 8 informational. */
async function cfnLint(path: string): Promise<{ code: number; output: string }> {
  return run('cfn-lint', [path], { timeout: 120_000 }).then(
    ({ stdout }) => ({ code: 0, output: stdout }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? '' }),
  );
}

describe('packaged CloudFormation template', () => {
  it('contains no secret value', () => {
    expect(templateText).not.toContain(PD_SECRET);
    expect(templateText).not.toContain(SLACK_SECRET);
    expect(templateText).not.toContain('hooks.slack.com');
  });

  it('lets the function read SSM parameters under its stage prefix only', () => {
    const statements = statementsOf('IamRoleLambdaExecution');
    const ssm = statements.filter((s) => JSON.stringify(s.Action).includes('ssm:'));
    expect(ssm).toHaveLength(1);
    expect(ssm[0]?.Action).toEqual(['ssm:GetParameter']);
    expect(JSON.stringify(ssm[0]?.Resource)).toContain(':parameter/klaxon/tpl/*');
    const fn = resourcesOfType('AWS::Lambda::Function')[0]?.[1];
    const variables = (fn?.Properties.Environment as { Variables: Record<string, string> }).Variables;
    expect(variables.KLAXON_SSM_PREFIX).toBe('/klaxon/tpl');
  });

  it('runs Node.js 22 on arm64 with tracing and a 30-day log retention', () => {
    const fn = resourcesOfType('AWS::Lambda::Function')[0]?.[1];
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
    });
    const [, logGroup] = resourcesOfType('AWS::Logs::LogGroup')[0] ?? [];
    expect(logGroup?.Properties.RetentionInDays).toBe(30);
  });

  it('wires all three intake paths and the configured topics', () => {
    const permissions = resourcesOfType('AWS::Lambda::Permission').map(([, r]) => r.Properties.Principal);
    expect(permissions).toContain('lambda.alarms.cloudwatch.amazonaws.com');
    expect(permissions).toContain('sns.amazonaws.com');
    expect(permissions).toContain('events.amazonaws.com');
    const { eventPatterns } = JSON.parse(repoText('deploy/sources.json')) as SourcesFile;
    const rule = resourcesOfType('AWS::Events::Rule')[0]?.[1];
    expect(eventPatterns.alarmStateChanges).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change', 'CloudWatch Alarm Contributor State Change'],
    });
    expect(rule?.Properties.EventPattern).toEqual(eventPatterns.alarmStateChanges);
    expect(JSON.stringify(rule?.Properties.Targets)).toContain('AlarmNotifierLambdaFunction');
    const topics = resourcesOfType('AWS::SNS::Subscription').map(([, r]) =>
      JSON.stringify(r.Properties.TopicArn),
    );
    expect(topics.some((t) => t.includes('arn:aws:sns:us-west-2:111122223333:team-alarms'))).toBe(true);
    expect(Object.keys(template.Outputs)).toEqual(
      expect.arrayContaining(['AlarmTopicArn', 'AlarmNotifierFunctionArn']),
    );
  });
});

describe('informational sources in the template', () => {
  it('sends the generated informational pattern (deploy/sources.json) to the operational-events function through its own rule', () => {
    const { eventPatterns } = JSON.parse(repoText('deploy/sources.json')) as SourcesFile;
    const [, rule] =
      resourcesOfType('AWS::Events::Rule').find(([, r]) =>
        JSON.stringify(r.Properties.EventPattern).includes('aws.health'),
      ) ?? [];
    expect(rule?.Properties.EventPattern).toEqual(eventPatterns.informational);
    const [target] = rule?.Properties.Targets as Array<{ Arn: unknown }>;
    // Its own function: a burst of scaling events never throttles the alarm notifier.
    expect(JSON.stringify(target?.Arn)).toContain('OperationalEventsLambdaFunction');
    const concurrency =
      template.Resources.OperationalEventsLambdaFunction?.Properties.ReservedConcurrentExecutions;
    expect(concurrency).toBe(3);
  });

  it('lets Cost Anomaly Detection of this account publish to the alarm topic', () => {
    const [, policy] =
      resourcesOfType('AWS::SNS::TopicPolicy').find(([id]) => id === 'AlarmTopicPolicy') ?? [];
    const statements = (policy?.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> })
      .Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'costalerts.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: 'AlarmTopic' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    );
  });
});

describe('security responder rules in the template', () => {
  const generated = JSON.parse(repoText('deploy/security-rules.json')) as {
    rules: Array<{ id: string; state: string; eventBridge: { pattern: unknown } }>;
  };

  it('deploys every generated rule with its state and pattern, targeting the responder with a dead-letter queue', () => {
    const rules = resourcesOfType('AWS::Events::Rule').map(([, r]) => r.Properties);
    for (const rule of generated.rules) {
      const deployed = rules.find(
        (r) => String(r.Name).endsWith(`-sec-${rule.id}`) || String(r.Name).includes(rule.id.slice(0, 30)),
      );
      expect(deployed, rule.id).toBeDefined();
      expect(deployed?.State).toBe(rule.state);
      expect(deployed?.EventPattern).toEqual(rule.eventBridge.pattern);
      expect(deployed?.Targets).toMatchObject([
        {
          Arn: { 'Fn::GetAtt': ['SecurityResponderLambdaFunction', 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['AlarmNotifierDeadLetterQueue', 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        },
      ]);
      expect(String(deployed?.Name).length).toBeLessThanOrEqual(64);
    }
    expect(generated.rules.some((r) => r.state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS')).toBe(
      true,
    );
  });

  it("tells every function the stack's own roles, so detections never fire on Klaxon itself", () => {
    const roles = resourcesOfType('AWS::IAM::Role').map(([id]) => id);
    expect(roles.sort()).toEqual(['DigestRole', 'HeartbeatRole', 'IamRoleLambdaExecution']);
    for (const [, fn] of resourcesOfType('AWS::Lambda::Function')) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.KLAXON_OWN_ROLE_ARNS).toEqual({
        'Fn::Join': [
          ',',
          [
            { 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] },
            { 'Fn::GetAtt': ['HeartbeatRole', 'Arn'] },
            { 'Fn::GetAtt': ['DigestRole', 'Arn'] },
          ],
        ],
      });
    }
  });
});

describe('packaged bundles', () => {
  it.each(['alarmNotifier', 'securityResponder'])(
    '%s loads with only environment credentials, carries klaxon.yml as data and no YAML parser',
    async (fn) => {
      const unpacked = join(packageDir, `${fn}-unpacked`);
      await run('python3', ['-m', 'zipfile', '-e', join(packageDir, `${fn}.zip`), unpacked]);
      const handlerDir = fn === 'alarmNotifier' ? 'alarm-notifier' : 'security-responder';
      const bundle = join(unpacked, 'functions', handlerDir, 'handler.js');
      expect(readFileSync(bundle, 'utf8')).not.toContain('YAMLParseError');
      const { stdout } = await run(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(bundle)}).handler({ Records: [] }).then((r) => console.log('RESULT ' + JSON.stringify(r)))`,
        ],
        {
          env: {
            PATH: process.env.PATH,
            AWS_ACCESS_KEY_ID: 'x',
            AWS_SECRET_ACCESS_KEY: 'y',
            AWS_REGION: 'us-east-1',
            POWERTOOLS_TRACE_ENABLED: 'false',
          },
          timeout: 30_000,
        },
      );
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      expect(JSON.parse(line?.slice(7) ?? '{}')).toMatchObject({ outcome: 'ignored', alerts: 0 });
    },
  );
});

describe('asynchronous paths', () => {
  it('give every EventBridge target a dead-letter queue and an explicit retry policy', () => {
    const targets = resourcesOfType('AWS::Events::Rule').flatMap(
      ([, rule]) => rule.Properties.Targets as Array<Record<string, unknown>>,
    );
    expect(targets.length).toBeGreaterThan(40);
    for (const target of targets) {
      expect(target.DeadLetterConfig, JSON.stringify(target.Arn)).toBeDefined();
      expect(target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    }
  });

  it('give every asynchronously invoked function explicit retries, a maximum age and an on-failure destination', () => {
    const configs = resourcesOfType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties);
    const functions = configs.map((c) => JSON.stringify(c.FunctionName));
    expect(functions.some((f) => f.includes('AlarmNotifier'))).toBe(true);
    expect(functions.some((f) => f.includes('SecurityResponder'))).toBe(true);
    for (const config of configs) {
      expect(config).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
      expect(config.DestinationConfig).toMatchObject({ OnFailure: { Destination: expect.anything() } });
    }
  });

  it('send retry-queue messages that keep failing to the delivery dead-letter queue', () => {
    const [, queue] = resourcesOfType('AWS::SQS::Queue').find(([id]) => id === 'DeliveryRetryQueue') ?? [];
    expect(queue?.Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: 5 });
  });
});

describe('the digest function in the template', () => {
  it('is scheduled from klaxon.yml, may Scan the state table (its own role), and its failures reach the degraded alarm', () => {
    const [, rule] =
      resourcesOfType('AWS::Events::Rule').find(([, r]) =>
        JSON.stringify(r.Properties.Targets).includes('DigestLambdaFunction'),
      ) ?? [];
    expect(rule?.Properties.ScheduleExpression).toBe('cron(0 8 * * ? *)');
    const [, fn] =
      resourcesOfType('AWS::Lambda::Function').find(([id]) => id === 'DigestLambdaFunction') ?? [];
    expect(fn?.Properties).toMatchObject({ Timeout: 300, MemorySize: 512 });
    expect(JSON.stringify(statementsOf('DigestRole'))).toContain('"dynamodb:Scan"');
    const [, alarm] =
      resourcesOfType('AWS::CloudWatch::Alarm').find(([id]) => id === 'DigestErrorAlarm') ?? [];
    expect(alarm?.Properties).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda' });
    const [, degraded] =
      resourcesOfType('AWS::CloudWatch::CompositeAlarm').find(([id]) => id === 'KlaxonDegradedAlarm') ?? [];
    expect(JSON.stringify(degraded?.Properties.AlarmRule)).toContain('DigestErrorAlarm');
  });
});

describe('delivery claims in the template', () => {
  it('outlive one invocation of every function (a duplicate event never takes over a live claim)', () => {
    const functions = resourcesOfType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id)).toEqual(
      expect.arrayContaining([
        'DigestLambdaFunction',
        'SelfCheckLambdaFunction',
        'DeliveryRetrierLambdaFunction',
      ]),
    );
    for (const [id, fn] of functions) {
      const variables = (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      const leaseMs = Number(variables?.KLAXON_CLAIM_LEASE_MS ?? 45_000);
      expect(leaseMs, id).toBeGreaterThan(Number(fn.Properties.Timeout ?? 30) * 1000);
    }
  });
});

describe('least-privilege roles', () => {
  const sub = (text: string) => ({ 'Fn::Sub': text });
  const logs = (group: string): Statement[] => [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream'],
      Resource: sub(
        `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:\${${group}}:*`,
      ),
    },
    {
      Effect: 'Allow',
      Action: ['logs:PutLogEvents'],
      Resource: sub(
        `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:\${${group}}:*:*`,
      ),
    },
  ];
  const xray: Statement = {
    Effect: 'Allow',
    Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    Resource: '*',
  };
  // The on-failure destination of the function's async invocations: osls grants it only to its own role.
  const destination: Statement = {
    Effect: 'Allow',
    Action: ['sqs:SendMessage'],
    Resource: { 'Fn::GetAtt': ['AlarmNotifierDeadLetterQueue', 'Arn'] },
  };

  it('keeps dynamodb:Scan and sns:Publish on the alarm topic out of the shared role', () => {
    const shared = statementsOf('IamRoleLambdaExecution');
    expect(shared.flatMap(actionsOf)).not.toContain('dynamodb:Scan');
    const publish = shared.filter((s) => actionsOf(s).includes('sns:Publish'));
    expect(publish.length).toBeGreaterThan(0); // the ops topic and sns receivers
    for (const statement of publish) expect(JSON.stringify(statement.Resource)).not.toContain('AlarmTopic');
    expect(shared.filter((s) => s.Effect === 'Allow' && actionsOf(s).includes('*'))).toEqual([]);
    // The self-check stays on the shared role, with the doctor's read-only calls.
    expect(shared.flatMap(actionsOf)).toEqual(
      expect.arrayContaining([
        'cloudtrail:DescribeTrails',
        'events:ListRules',
        'sns:GetTopicAttributes',
        's3:ListAllMyBuckets',
        's3:GetBucketTagging',
      ]),
    );
    // Bucket tags only, never object data.
    expect(shared.flatMap(actionsOf).filter((a) => a.startsWith('s3:'))).toEqual([
      's3:ListAllMyBuckets',
      's3:GetBucketTagging',
    ]);
  });

  it('runs every other function, the remediator and self-check included, on the shared role', () => {
    for (const [id, fn] of resourcesOfType('AWS::Lambda::Function')) {
      if (id === 'HeartbeatLambdaFunction' || id === 'DigestLambdaFunction') continue;
      expect(fn.Properties.Role, id).toEqual({ 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] });
    }
  });

  it('gives the heartbeat its own role: its logs, X-Ray, sns:Publish on the alarm topic, its destination', () => {
    expect(template.Resources.HeartbeatLambdaFunction?.Properties.Role).toEqual(sub('${HeartbeatRole.Arn}'));
    expect(statementsOf('HeartbeatRole')).toEqual([
      ...logs('HeartbeatLogGroup'),
      xray,
      { Effect: 'Allow', Action: ['sns:Publish'], Resource: { Ref: 'AlarmTopic' } },
      destination,
    ]);
  });

  it('gives the digest its own role: its logs, X-Ray, Scan/GetItem/PutItem on the state table, its secrets', () => {
    expect(template.Resources.DigestLambdaFunction?.Properties.Role).toEqual(sub('${DigestRole.Arn}'));
    expect(statementsOf('DigestRole')).toEqual([
      ...logs('DigestLogGroup'),
      xray,
      {
        Effect: 'Allow',
        Action: ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: { 'Fn::GetAtt': ['StateTable', 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: ['ssm:GetParameter'],
        Resource: sub('arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/klaxon/tpl/*'),
      },
      destination,
    ]);
  });

  it('lets only Lambda assume the two roles, with inline policies only', () => {
    for (const id of ['HeartbeatRole', 'DigestRole']) {
      const role = template.Resources[id]?.Properties;
      expect(role?.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      });
      expect(role?.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('passes cfn-lint (no errors)', async () => {
    const { code, output } = await cfnLint(join(packageDir, 'cloudformation-template-update-stack.json'));
    expect(code & 3, output).toBe(0);
  }, 130_000);
});
