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

/** A topic of intake.eventBridgeOverSns in the template's configuration. */
const FORWARDING_TOPIC = 'arn:aws:sns:us-west-2:111122223333:security-forwarding';

/** The example's two dry-run rules, switched on for the template (the text before the mode, the new mode). */
const ENABLED_RULES: ReadonlyArray<readonly [string, string]> = [
  [
    "action: AWS-DisablePublicAccessForSecurityGroup\n    parameters: { GroupId: '{{ labels.resource }}' } # the group the CloudTrail call opened\n    mode: ",
    'approve',
  ],
  [
    "action: AWS-RestartEC2Instance\n    parameters: { InstanceId: '{{ labels.InstanceId }}' } # the alarm's InstanceId dimension\n    mode: ",
    'auto',
  ],
];

/** The example klaxon.yml with its remediation rules switched on and an approval secret. */
function enableRemediations(text: string): string {
  const enabled = ENABLED_RULES.reduce((acc, [before, mode]) => {
    if (!acc.includes(`${before}dry-run`)) throw new Error(`klaxon.yml no longer has: ${before}`);
    return acc.replace(`${before}dry-run`, `${before}${mode}`);
  }, text);
  return enabled.replace('  notify: [ops]', '  approval: { secret: { ssm: approval-key } }\n  notify: [ops]');
}

let template: { Resources: Record<string, Resource>; Outputs: Record<string, unknown> };
let templateText: string;
let packageDir: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-package-'));
  const config = join(dir, 'klaxon.yml');
  writeFileSync(
    config,
    // Two live remediation rules, so the roles carry start permissions: the security-group rule
    // (a CloudTrail detection) asks for approval, the restart (a CloudWatch alarm) runs at once.
    enableRemediations(repoText('klaxon.yml')).replace(
      'alarmTopics: []',
      'alarmTopics:\n    - arn: arn:aws:sns:us-west-2:111122223333:team-alarms\n      name: team-alarms\n' +
        `  eventBridgeOverSns:\n    - { topicArn: '${FORWARDING_TOPIC}', accounts: ['111122223333'] }`,
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

  it('lets the functions read SSM parameters under their stage prefix only', () => {
    const roles = resourcesOfType('AWS::IAM::Role').map(([id]) => id);
    const reads = roles
      .flatMap((id) => statementsOf(id))
      .filter((s) => actionsOf(s).includes('ssm:GetParameter'));
    expect(reads.length).toBeGreaterThan(0);
    for (const statement of reads) {
      expect(statement.Action).toEqual(['ssm:GetParameter']);
      expect(JSON.stringify(statement.Resource)).toContain(':parameter/klaxon/tpl/');
    }
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

describe('intake contract in the template (docs/threat-model.md)', () => {
  type Statement = Record<string, unknown>;
  const alarmTopicStatements = (): Statement[] => {
    const [, policy] =
      resourcesOfType('AWS::SNS::TopicPolicy').find(([id]) => id === 'AlarmTopicPolicy') ?? [];
    return (policy?.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  };

  it('denies sns:Publish on the alarm topic to every IAM principal but the heartbeat role (an explicit Deny)', () => {
    const statements = alarmTopicStatements();
    expect(statements).toContainEqual({
      Sid: 'DenyEveryOtherPublisher',
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:Publish',
      Resource: { Ref: 'AlarmTopic' },
      Condition: {
        BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
        ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': ['HeartbeatRole', 'Arn'] } },
      },
    });
    // The only Allows: CloudWatch and Cost Anomaly Detection of this account.
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows.map((s) => s.Principal)).toEqual([
      { Service: 'cloudwatch.amazonaws.com' },
      { Service: 'costalerts.amazonaws.com' },
    ]);
    for (const allow of allows) {
      expect(allow.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    }
  });

  it('filters every EventBridge rule on AWS sources (aws.*), generated or not', () => {
    const rules = resourcesOfType('AWS::Events::Rule');
    expect(rules.length).toBeGreaterThan(40);
    const unfiltered = rules
      .filter(([, rule]) => rule.Properties.EventPattern !== undefined)
      .filter(([, rule]) => {
        const source = (rule.Properties.EventPattern as { source?: unknown[] }).source;
        return (
          !Array.isArray(source) ||
          source.length === 0 ||
          !source.every((s) =>
            typeof s === 'string' ? s.startsWith('aws.') : JSON.stringify(s) === '{"prefix":"aws."}',
          )
        );
      })
      .map(([id]) => id);
    expect(unfiltered).toEqual([]);
  });

  it('subscribes only the security responder to the topics of intake.eventBridgeOverSns', () => {
    const subscriptions = resourcesOfType('AWS::SNS::Subscription').filter(
      ([, r]) => r.Properties.TopicArn === FORWARDING_TOPIC,
    );
    expect(subscriptions).toHaveLength(1);
    expect(JSON.stringify(subscriptions[0]?.[1].Properties.Endpoint)).toContain(
      'SecurityResponderLambdaFunction',
    );
    const [, permission] =
      resourcesOfType('AWS::Lambda::Permission').find(
        ([, r]) => r.Properties.SourceArn === FORWARDING_TOPIC,
      ) ?? [];
    expect(permission?.Properties.Principal).toBe('sns.amazonaws.com');
    expect(JSON.stringify(permission?.Properties.FunctionName)).toContain('SecurityResponderLambdaFunction');
  });

  it('admits on the central bus only the member template forwarding roles of the organization', () => {
    const [, policy] = resourcesOfType('AWS::Events::EventBusPolicy')[0] ?? [];
    const statement = policy?.Properties.Statement as { Condition: Record<string, unknown> };
    expect(statement.Condition).toEqual({
      StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } },
      ArnLike: {
        'aws:PrincipalArn': { 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/klaxon-forwarding-*' },
      },
    });
    const member = JSON.parse(repoText('deploy/member-forwarding.json')) as {
      Resources: { ForwardingRole: { Properties: { RoleName: unknown } } };
    };
    expect(member.Resources.ForwardingRole.Properties.RoleName).toEqual({
      'Fn::Sub': 'klaxon-forwarding-${AWS::Region}',
    });
  });

  it('puts the approval endpoint behind AuthType NONE (the signed link) unless approval.auth is iam', () => {
    // Two function URLs: the approval endpoint and the Slack app's, which Slack's request signature
    // authenticates (Slack cannot sign with SigV4).
    const urls = resourcesOfType('AWS::Lambda::Url').map(([id, url]) => [id, url.Properties.AuthType]);
    expect(urls.sort()).toEqual([
      ['RemediatorLambdaFunctionUrl', 'NONE'],
      ['SlackActionsLambdaFunctionUrl', 'NONE'],
    ]);
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
      // The generated pattern, with `source: aws.*` added where it has no source filter.
      expect(deployed?.EventPattern).toEqual({
        source: [{ prefix: 'aws.' }],
        ...(rule.eventBridge.pattern as Record<string, unknown>),
      });
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
    const roles = resourcesOfType('AWS::IAM::Role');
    expect(roles).toHaveLength(resourcesOfType('AWS::Lambda::Function').length);
    const names = roles.map(([, role]) =>
      (role.Properties.RoleName as { 'Fn::Sub': string })['Fn::Sub'].replace('${AWS::Region}', '{region}'),
    );
    for (const [, fn] of resourcesOfType('AWS::Lambda::Function')) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      // Plain text, so `serverless invoke local` can pass it; the runtime builds the ARNs.
      expect(variables.KLAXON_OWN_ROLE_NAMES).toBe(names.join(','));
      expect(variables.KLAXON_OPS_TOPIC_ARN).toEqual({ Ref: 'OpsTopic' });
      // invoke local resolves only Ref and Fn::ImportValue: no other CloudFormation function.
      for (const value of Object.values(variables)) {
        if (typeof value === 'object' && value !== null) expect(Object.keys(value)).toEqual(['Ref']);
      }
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

describe('least-privilege roles, one per function', () => {
  const START = ['ssm:StartAutomationExecution', 'ssm:SendCommand'];
  const roleOf = (functionId: string) => functionId.replace(/LambdaFunction$/, 'Role');
  const functionIds = () => resourcesOfType('AWS::Lambda::Function').map(([id]) => id);
  /** Role ids holding a statement that passes the test. */
  const holders = (test: (s: Statement) => boolean) =>
    resourcesOfType('AWS::IAM::Role')
      .filter(([id]) => statementsOf(id).some(test))
      .map(([id]) => id)
      .sort();
  /** The documents a role may start. */
  const startable = (roleId: string) =>
    statementsOf(roleId)
      .filter((s) => actionsOf(s).some((a) => START.includes(a)))
      .flatMap(
        (s) => JSON.stringify(s.Resource).match(/(?:automation-definition|document)\/[A-Za-z0-9-]+/g) ?? [],
      )
      .map((r) => r.split('/')[1])
      .sort();

  it('runs every function on its own role, assumable by Lambda only, with inline policies only', () => {
    expect(functionIds()).toHaveLength(9);
    for (const id of functionIds()) {
      expect(template.Resources[id]?.Properties.Role, id).toEqual({ 'Fn::Sub': `\${${roleOf(id)}.Arn}` });
      const role = template.Resources[roleOf(id)]?.Properties;
      expect(role?.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      });
      expect(role?.ManagedPolicyArns).toBeUndefined();
    }
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    expect(holders((s) => actionsOf(s).some((a) => a === '*' || a.endsWith(':*')))).toEqual([]);
  });

  it("lets each role write its own function's log group only, and send traces (tracing is on)", () => {
    for (const id of functionIds()) {
      const group = id.replace(/LambdaFunction$/, 'LogGroup');
      const logs = statementsOf(roleOf(id)).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
      expect(
        logs.map((s) => JSON.stringify(s.Resource)),
        id,
      ).toEqual([
        expect.stringContaining(`log-group:\${${group}}:*"`),
        expect.stringContaining(`log-group:\${${group}}:*:*"`),
      ]);
      expect(statementsOf(roleOf(id)).flatMap(actionsOf)).toContain('xray:PutTraceSegments');
    }
  });

  it('gives Scan to the digest alone, and sns:Publish on the alarm topic to the heartbeat alone', () => {
    expect(holders((s) => actionsOf(s).includes('dynamodb:Scan'))).toEqual(['DigestRole']);
    expect(
      holders(
        (s) => actionsOf(s).includes('sns:Publish') && JSON.stringify(s.Resource).includes('AlarmTopic'),
      ),
    ).toEqual(['HeartbeatRole']);
    expect(holders((s) => actionsOf(s).includes('sqs:ReceiveMessage'))).toEqual([
      'DeliveryRetrierRole',
      'SlackActionsRole',
    ]);
    // Bucket tags (the doctor), never object data, and only for the self-check.
    expect(
      holders((s) => actionsOf(s).some((a) => a.startsWith('s3:') && a !== 's3:ListAllMyBuckets')),
    ).toEqual(['SelfCheckRole']);
  });

  it('lets the approval endpoint only approve: its record, its secret, the approve-mode document', () => {
    const statements = statementsOf('RemediatorRole');
    const actions = statements.flatMap(actionsOf);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((a) => a.startsWith('sqs:') || a.startsWith('sns:'))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    // On remediation items only (test/integration/approval-role.test.ts checks the keys).
    const state = statements.find((s) => actionsOf(s).includes('dynamodb:GetItem')) as Statement & {
      Condition?: unknown;
    };
    expect(JSON.stringify(state.Condition)).toContain('"dynamodb:LeadingKeys":["record#remediation#*"');
    const secrets = statements.filter((s) => actionsOf(s).includes('ssm:GetParameter'));
    expect(secrets.map((s) => JSON.stringify(s.Resource))).toEqual([
      expect.stringContaining(':parameter/klaxon/tpl/approval-key"'),
    ]);
    // The approve rule's document, not the auto rule's.
    expect(startable('RemediatorRole')).toEqual(['AWS-DisablePublicAccessForSecurityGroup']);
  });

  it('lets only the roles of functions whose sources can match an auto or approve rule start documents', () => {
    expect(holders((s) => actionsOf(s).some((a) => START.includes(a)))).toEqual([
      'AlarmNotifierRole',
      'RemediatorRole',
      'SecurityResponderRole',
      'SlackActionsRole',
    ]);
    // Slack's Approve button starts what an approval link would, nothing more.
    expect(startable('SlackActionsRole')).toEqual(startable('RemediatorRole'));
    // The detection rule: the responder (CloudTrail) and the approval endpoint; the notifier refuses
    // CloudTrail events even through its intake topic (team-alarms). The alarm rule: the notifier only.
    expect(startable('SecurityResponderRole')).toEqual(['AWS-DisablePublicAccessForSecurityGroup']);
    expect(startable('AlarmNotifierRole')).toEqual(['AWS-RestartEC2Instance']);
    // The responder reports the end of executions: it reads their status.
    expect(holders((s) => actionsOf(s).includes('ssm:GetAutomationExecution'))).toEqual([
      'SecurityResponderRole',
    ]);
  });

  it("scopes each remediation statement to its own action's resource types", () => {
    const catalog = JSON.parse(repoText('shared/remediation/actions.json')) as {
      actions: Array<{
        name: string;
        iam: { permissions: Array<{ actions: string[]; resources: string[] }> };
      }>;
    };
    const declared = new Map(
      catalog.actions.flatMap((a) =>
        a.iam.permissions.map((p) => [p.actions.join(','), p.resources] as const),
      ),
    );
    const runbook = resourcesOfType('AWS::IAM::Role').flatMap(([id]) =>
      (statementsOf(id) as Array<Statement & { Sid?: string }>).filter((s) => s.Sid?.startsWith('Runbook')),
    );
    expect(runbook.length).toBeGreaterThan(0);
    for (const statement of runbook) {
      const resources = [statement.Resource]
        .flat()
        .map((r) => (typeof r === 'string' ? r : (r as { 'Fn::Sub': string })['Fn::Sub']));
      expect(resources, actionsOf(statement).join(',')).toEqual(declared.get(actionsOf(statement).join(',')));
    }
    expect(templateText).not.toContain('s3:::*/*');
  });

  it('lets every function with an on-failure destination send to it, and the retrier read its queue', () => {
    for (const [, config] of resourcesOfType('AWS::Lambda::EventInvokeConfig')) {
      const fn = JSON.stringify(config.Properties.FunctionName).match(/"(\w+LambdaFunction)"/)?.[1] ?? '';
      const destination = (config.Properties.DestinationConfig as { OnFailure?: { Destination: unknown } })
        ?.OnFailure?.Destination;
      if (!destination) continue;
      expect(statementsOf(roleOf(fn)), fn).toContainEqual(
        expect.objectContaining({
          Action: ['sqs:SendMessage'],
          Resource: { 'Fn::GetAtt': ['AlarmNotifierDeadLetterQueue', 'Arn'] },
        }),
      );
    }
    const [, mapping] =
      resourcesOfType('AWS::Lambda::EventSourceMapping').find(([, m]) =>
        JSON.stringify(m.Properties.FunctionName).includes('DeliveryRetrierLambdaFunction'),
      ) ?? [];
    expect(JSON.stringify(mapping?.Properties.FunctionName)).toContain('DeliveryRetrierLambdaFunction');
    expect(statementsOf('DeliveryRetrierRole')).toContainEqual(
      expect.objectContaining({
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        Resource: { 'Fn::GetAtt': ['DeliveryRetryQueue', 'Arn'] },
      }),
    );
  });

  it('passes cfn-lint (no errors)', async () => {
    const { code, output } = await cfnLint(join(packageDir, 'cloudformation-template-update-stack.json'));
    expect(code & 3, output).toBe(0);
  }, 130_000);
});
