import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alarmNotifierComposition } from '../../shared/compositions/alarm-notifier';
import { operationalEventsComposition } from '../../shared/compositions/operational-events';
import { securityResponderComposition } from '../../shared/compositions/security-responder';
import { type EventComposition } from '../../shared/stages/composition';
import { describe, expect, it } from 'vitest';
import { INFORMATIONAL_SOURCES } from '../../shared/alert/alert';
import { REPO_ROOT, repoText } from '../support/fixtures';

interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: unknown;
}
interface Role {
  Type: string;
  Properties: {
    RoleName: { 'Fn::Sub': string };
    Policies: Array<{ PolicyDocument: { Statement: Statement[] } }>;
    ManagedPolicyArns?: unknown;
  };
}
type Context = Record<string, unknown>;

const require = createRequire(import.meta.url);
const roles = require('../../deploy/function-roles.cjs') as {
  FUNCTIONS: Array<{ name: string; folder: string; sources?: string[] }>;
  bundlesRemediation(fn: { name: string; sources?: string[] }, rules: unknown): boolean;
  functionOfEntry(entry: string): { name: string } | undefined;
  INFORMATIONAL_SOURCES: string[];
  EVENTBRIDGE_SOURCES: string[];
  readContext(settings: { stage: string; region?: string; tracing: boolean }, file?: string): Context;
  rolesFor(context: Context): Record<string, Role>;
  ownRoleNames(osls: { resolveVariable(name: string): Promise<string> }): Promise<string>;
};

const START = ['ssm:StartAutomationExecution', 'ssm:SendCommand'];
const statementsOf = (role: Role | undefined) => role?.Properties.Policies[0]?.PolicyDocument.Statement ?? [];
const actionsOf = (role: Role | undefined) => statementsOf(role).flatMap((s) => s.Action);
/** The documents a role may start, from its start statements' resources. */
function startable(role: Role | undefined): string[] {
  return statementsOf(role)
    .filter((s) => s.Action.some((a) => START.includes(a)))
    .flatMap(
      (s) => JSON.stringify(s.Resource).match(/(?:automation-definition|document)\/[A-Za-z0-9-]+/g) ?? [],
    )
    .map((r) => r.split('/')[1] ?? '')
    .sort();
}

function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'klaxon-roles-')), 'klaxon.yml');
  writeFileSync(file, yaml);
  return file;
}

const example = () =>
  roles.rolesFor(roles.readContext({ stage: 't', tracing: true }, join(REPO_ROOT, 'klaxon.yml')));

/** Four rules: each reaches only the functions whose sources it can match. */
const RULES = `remediations:
  - { name: restart, match: { alarmName: 'web-*' }, action: AWS-RestartEC2Instance, mode: auto }
  - { name: close-sg, match: { detection: sg-open }, action: AWS-DisablePublicAccessForSecurityGroup, mode: approve }
  - name: shell
    match: { source: guardduty }
    action: AWS-RunShellScript
    parameters: { InstanceId: '{{ labels.resource }}' }
    commands: ['true']
    mode: approve
  - { name: block-s3, match: { severity: critical }, action: AWS-DisableS3BucketPublicReadWrite, mode: auto }
  - { name: stop, match: {}, action: AWS-StopEC2Instance, mode: dry-run }
`;

describe('function roles (deploy/function-roles.cjs)', () => {
  it('gives every function of serverless.yml its own role, and nothing else a role', () => {
    const declared = [...repoText('serverless.yml').matchAll(/^ {2}(\w+):\n {4}handler:/gm)].map((m) => m[1]);
    expect(roles.FUNCTIONS.map((f) => f.name).sort()).toEqual([...declared].sort());
    for (const name of declared) {
      const id = `${(name ?? '')[0]?.toUpperCase()}${(name ?? '').slice(1)}Role`;
      expect(repoText('serverless.yml'), name).toContain(`role: !Sub '\${${id}.Arn}'`);
    }
    expect(Object.keys(example()).sort()).toEqual(
      declared.map((n) => `${(n ?? '')[0]?.toUpperCase()}${(n ?? '').slice(1)}Role`).sort(),
    );
  });

  it('lets each role write only its own log group, with X-Ray only when tracing is on', () => {
    for (const [id, role] of Object.entries(example())) {
      const group = id.replace(/Role$/, 'LogGroup');
      const logs = statementsOf(role).filter((s) => s.Action.some((a) => a.startsWith('logs:')));
      expect(JSON.stringify(logs.map((s) => s.Resource)), id).toBe(
        JSON.stringify([
          {
            'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:\${${group}}:*`,
          },
          {
            'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:\${${group}}:*:*`,
          },
        ]),
      );
      expect(actionsOf(role)).toContain('xray:PutTraceSegments');
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    const untraced = roles.rolesFor(
      roles.readContext({ stage: 't', tracing: false }, join(REPO_ROOT, 'klaxon.yml')),
    );
    for (const role of Object.values(untraced))
      expect(actionsOf(role).some((a) => a.startsWith('xray:'))).toBe(false);
  });

  it('keeps Scan to the digest, the alarm topic to the heartbeat, the doctor to the self-check, enrichment to the notifier', () => {
    const all = example();
    const holders = (test: (s: Statement) => boolean) =>
      Object.entries(all)
        .filter(([, role]) => statementsOf(role).some(test))
        .map(([id]) => id)
        .sort();
    expect(holders((s) => s.Action.includes('dynamodb:Scan'))).toEqual(['DigestRole']);
    expect(
      holders((s) => s.Action.includes('sns:Publish') && JSON.stringify(s.Resource).includes('AlarmTopic')),
    ).toEqual(['HeartbeatRole']);
    expect(holders((s) => s.Action.includes('cloudtrail:DescribeTrails'))).toEqual(['SelfCheckRole']);
    expect(holders((s) => s.Action.includes('s3:GetBucketTagging'))).toEqual(['SelfCheckRole']);
    expect(holders((s) => s.Action.includes('cloudwatch:GetMetricData'))).toEqual(['AlarmNotifierRole']);
    expect(holders((s) => s.Action.includes('sqs:ReceiveMessage'))).toEqual([
      'DeliveryRetrierRole',
      'SlackActionsRole',
    ]);
    expect(holders((s) => s.Action.includes('ssm:GetParameter'))).not.toContain('RemediatorRole');
    expect(holders((s) => s.Action.some((a) => a === '*' || a.endsWith(':*')))).toEqual([]);
    // Enrichment off in klaxon.yml: the notifier keeps only DescribeAlarms (the alarm-state check).
    const off = roles.rolesFor(
      roles.readContext({ stage: 't', tracing: true }, configFile('enrichment: { enabled: false }\n')),
    );
    expect(actionsOf(off.AlarmNotifierRole).filter((a) => a.startsWith('cloudwatch:'))).toEqual([
      'cloudwatch:DescribeAlarms',
    ]);
  });

  it('lets the approval endpoint only approve: the state items, its one secret, the approve rules', () => {
    const file = configFile(`remediation: { approval: { secret: { ssm: approval-key } } }\n${RULES}`);
    const role = roles.rolesFor(roles.readContext({ stage: 't', tracing: true }, file)).RemediatorRole;
    expect(statementsOf(role).map((s) => s.Sid)).toEqual([
      'LogStreams',
      'LogEvents',
      'Tracing',
      'ApprovalSecret',
      'ApprovalState',
      'StartAWSDisablePublicAccessForSecurityGroup',
      'RunbookAWSDisablePublicAccessForSecurityGroup1',
      'RunbookAWSDisablePublicAccessForSecurityGroup2',
      'StartAWSRunShellScript',
    ]);
    expect(JSON.stringify(statementsOf(role).find((s) => s.Sid === 'ApprovalSecret')?.Resource)).toContain(
      ':parameter/klaxon/t/approval-key"',
    );
    expect(actionsOf(role)).not.toContain('dynamodb:Scan');
    expect(actionsOf(role).some((a) => a.startsWith('sqs:') || a.startsWith('sns:'))).toBe(false);
    // Remediation items only: never a delivery claim, a storm group or a finding.
    const state = statementsOf(role).find((s) => s.Sid === 'ApprovalState') as Statement & {
      Condition?: Record<string, Record<string, string[]>>;
    };
    const keys = state.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? [];
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(/^(record|events|lease)#remediation/);
  });

  it('lets only functions whose sources can match an auto or approve rule start its document', () => {
    const context = roles.readContext({ stage: 't', tracing: true }, configFile(RULES));
    const all = roles.rolesFor(context);
    expect(startable(all.AlarmNotifierRole)).toEqual([
      'AWS-DisableS3BucketPublicReadWrite',
      'AWS-RestartEC2Instance',
    ]);
    expect(startable(all.OperationalEventsRole)).toEqual(['AWS-DisableS3BucketPublicReadWrite']);
    expect(startable(all.SecurityResponderRole)).toEqual([
      'AWS-DisablePublicAccessForSecurityGroup',
      'AWS-DisableS3BucketPublicReadWrite',
      'AWS-RunShellScript',
    ]);
    expect(startable(all.RemediatorRole)).toEqual([
      'AWS-DisablePublicAccessForSecurityGroup',
      'AWS-RunShellScript',
    ]);
    for (const id of ['DeliveryRetrierRole', 'DigestRole', 'HeartbeatRole', 'SelfCheckRole'])
      expect(startable(all[id]), id).toEqual([]);
    // The dry-run rule's document reaches no role.
    expect(JSON.stringify(all)).not.toContain('AWS-StopEC2Instance');
    // The responder reports the end of every enabled execution.
    expect(actionsOf(all.SecurityResponderRole)).toEqual(
      expect.arrayContaining(['ssm:GetAutomationExecution', 'ssm:GetCommandInvocation']),
    );
    expect(actionsOf(all.AlarmNotifierRole)).not.toContain('ssm:GetAutomationExecution');
    // An intake topic changes nothing: the notifier refuses EventBridge events relayed through SNS.
    const relayed = roles.rolesFor(
      roles.readContext(
        { stage: 't', tracing: true },
        configFile(`intake: { alarmTopics: [{ arn: 'arn:aws:sns:us-east-1:111122223333:team' }] }\n${RULES}`),
      ),
    );
    expect(startable(relayed.AlarmNotifierRole)).toEqual(startable(all.AlarmNotifierRole));
  });

  it("refuses, at package time, a stage whose role names would exceed IAM's 64 characters", () => {
    const file = join(REPO_ROOT, 'klaxon.yml');
    const build = (stage: string) => () =>
      roles.rolesFor(roles.readContext({ stage, region: 'ap-southeast-2', tracing: true }, file));
    // klaxon-<stage>-ap-southeast-2-operationalEventsRole: 44 characters besides the stage.
    expect(build('s'.repeat(20))).not.toThrow();
    expect(build('s'.repeat(21))).toThrow(/operationalEventsRole is longer than IAM's 64 characters/);
  });

  it("keeps its source lists in step with the sources' own and with what each function accepts", () => {
    expect(roles.INFORMATIONAL_SOURCES).toEqual([...INFORMATIONAL_SOURCES]);
    const accepted = (composition: EventComposition) =>
      composition.triggers === 'every'
        ? []
        : [...new Set(composition.triggers.flatMap((t) => t.sources))]
            .filter((source) => source !== 'heartbeat' && !source.startsWith('klaxon'))
            .sort();
    const sourcesOf = (name: string) =>
      [...(roles.FUNCTIONS.find((f) => f.name === name)?.sources ?? [])].sort();
    expect(sourcesOf('alarmNotifier')).toEqual(accepted(alarmNotifierComposition));
    expect(sourcesOf('operationalEvents')).toEqual(accepted(operationalEventsComposition));
    expect(sourcesOf('securityResponder')).toEqual(accepted(securityResponderComposition));
  });

  it('knows each function by the folder of its serverless.yml handler', () => {
    const handlers = [...repoText('serverless.yml').matchAll(/^ {2}(\w+):\n {4}handler: (\S+)\.handler$/gm)];
    expect(handlers.length).toBe(roles.FUNCTIONS.length);
    for (const [, name, handler] of handlers) {
      expect(roles.functionOfEntry(`${handler}.ts`)?.name, handler).toBe(name);
      expect(roles.functionOfEntry(join(REPO_ROOT, `${handler}.ts`))?.name, handler).toBe(name);
    }
    expect(roles.functionOfEntry('bench/children/throughput.ts')).toBeUndefined();
  });

  it('bundles the remediation code where a rule of any mode can match a source, and always to approve, verify or report', () => {
    const fn = (name: string) => {
      const found = roles.FUNCTIONS.find((f) => f.name === name);
      if (!found) throw new Error(`no function ${name}`);
      return found;
    };
    const bundled = (rules: unknown) =>
      roles.FUNCTIONS.filter((f) => roles.bundlesRemediation(f, rules))
        .map((f) => f.name)
        .sort();
    const always = [
      'deliveryRetrier',
      'digest',
      'heartbeat',
      'remediator',
      'securityResponder',
      'slackActions',
    ];
    expect(bundled([])).toEqual(always);
    expect(bundled(undefined)).toEqual(always);
    // The example's rules match alarms (alarmName) and CloudTrail detections, never informational events.
    expect(bundled([{ match: { alarmName: 'web-*' }, mode: 'dry-run' }])).toEqual(
      [...always, 'alarmNotifier'].sort(),
    );
    expect(bundled([{ match: { detection: 'x' } }])).toEqual(always);
    expect(bundled([{ match: { source: 'aws-health' }, mode: 'dry-run' }])).toEqual(
      [...always, 'operationalEvents'].sort(),
    );
    // A rule on any label but the source-only ones can match any source, Klaxon's own alerts excepted.
    expect(bundled([{ match: { env: 'prod' } }])).toEqual(
      [...always, 'alarmNotifier', 'operationalEvents'].sort(),
    );
    expect(roles.bundlesRemediation(fn('selfCheck'), [{ match: {} }])).toBe(false);
  });

  it('names every role it creates in KLAXON_OWN_ROLE_NAMES, as plain text invoke local can pass', async () => {
    const value = await roles.ownRoleNames({ resolveVariable: async () => 't' });
    expect(typeof value).toBe('string');
    const names = Object.values(example()).map((r) => r.Properties.RoleName['Fn::Sub']);
    expect(value.split(',')).toEqual(names.map((name) => name.replace('${AWS::Region}', '{region}')));
    expect(new Set(names).size).toBe(roles.FUNCTIONS.length);
  });
});
