import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileMatcher } from '../../../shared/routing/matcher';
import { ACTIONS } from '../../../shared/remediation/catalog';
import { REPO_ROOT } from '../../support/fixtures';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string[];
  Resource: unknown;
  Condition?: unknown;
}
interface Rule {
  name: string;
  action: string;
  mode: string;
  match: Record<string, unknown>;
  parameters: Record<string, string>;
}

const require = createRequire(import.meta.url);
const iam = require('../../../deploy/remediation-iam.cjs') as {
  approvalUrl(): unknown;
  readRemediations(file?: string): { rules: Rule[]; documents: string[]; automationAssumeRole?: string };
  ruleCanMatch(match: Record<string, unknown>, source: string): boolean;
  statementsForRules(rules: Rule[], options?: { automationAssumeRole?: string }): Statement[];
  statementsForDocuments(documents: string[], options?: { automationAssumeRole?: string }): Statement[];
  statusStatements(documents: string[]): Statement[];
};
const catalog = require('../../../shared/remediation/actions.json') as {
  actions: Array<{
    name: string;
    kind: string;
    iam: { permissions: Array<{ actions: string[]; resources: string[] }> };
  }>;
};

const START_ACTIONS = ['ssm:StartAutomationExecution', 'ssm:SendCommand'];

/** A resource as text: the Fn::Sub string, or the literal. */
function resourcesOf(statement: Statement): string[] {
  const list = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
  return list.map((r) =>
    typeof r === 'string' ? r : ((r as { 'Fn::Sub': string })['Fn::Sub'] ?? JSON.stringify(r)),
  );
}

/** The documents the statements let a role start; fails on any start permission that is not document-scoped. */
function startableDocuments(statements: Statement[]): string[] {
  const documents: string[] = [];
  for (const statement of statements) {
    if (statement.Action.some((a) => a === '*' || a.endsWith(':*')))
      throw new Error(`wildcard in ${statement.Sid}`);
    if (!statement.Action.some((a) => START_ACTIONS.includes(a))) continue;
    for (const resource of resourcesOf(statement)) {
      const doc = /:(?:automation-definition|document)\/([^:]+)(?::\*)?$/.exec(resource)?.[1];
      if (doc) documents.push(doc);
      else if (!/:instance\/\*$/.test(resource)) throw new Error(`unscoped start resource ${resource}`);
    }
  }
  return [...new Set(documents)].sort();
}

function rule(action: string, extra: Partial<Rule> = {}): Rule {
  return { name: `r-${action.toLowerCase()}`, action, mode: 'auto', match: {}, parameters: {}, ...extra };
}

function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'klaxon-iam-')), 'klaxon.yml');
  writeFileSync(file, yaml);
  return file;
}

describe('remediation IAM (deploy/remediation-iam.cjs: the single source of the statements)', () => {
  it('finds nothing to start in the example klaxon.yml, whose remediations are all dry runs', () => {
    const found = iam.readRemediations(join(REPO_ROOT, 'klaxon.yml'));
    expect(found.rules).toEqual([]);
    expect(iam.statementsForRules(found.rules)).toEqual([]);
  });

  it('puts the approval URL behind AWS_IAM when remediation.approval.auth is iam, else the signed link', () => {
    const saved = process.env.KLAXON_CONFIG;
    try {
      process.env.KLAXON_CONFIG = configFile('remediation: { approval: { auth: iam } }\n');
      expect(iam.approvalUrl()).toEqual({ authorizer: 'aws_iam' });
      process.env.KLAXON_CONFIG = configFile('remediation: { approval: { expiresAfter: 1h } }\n');
      expect(iam.approvalUrl()).toBe(true);
      process.env.KLAXON_CONFIG = configFile('remediation: { approval: { auth: basic } }\n');
      expect(() => iam.approvalUrl()).toThrow(/remediation.approval.auth: expected link or iam/);
    } finally {
      if (saved === undefined) delete process.env.KLAXON_CONFIG;
      else process.env.KLAXON_CONFIG = saved;
    }
  });

  it('keeps only approve and auto rules, and refuses an action the catalog lacks', () => {
    const file = configFile(`remediations:
  - { name: a, match: { alarmName: 'web-*' }, action: AWS-RestartEC2Instance, mode: auto }
  - { name: b, match: { detection: x }, action: AWS-DisablePublicAccessForSecurityGroup, mode: approve }
  - { name: c, match: {}, action: AWS-StopEC2Instance }
`);
    const found = iam.readRemediations(file);
    expect(found.rules.map((r) => [r.name, r.mode])).toEqual([
      ['a', 'auto'],
      ['b', 'approve'],
    ]);
    expect(found.documents).toEqual(['AWS-DisablePublicAccessForSecurityGroup', 'AWS-RestartEC2Instance']);
    expect(() =>
      iam.readRemediations(configFile('remediations:\n  - { name: a, action: AWS-DeleteEverything }\n')),
    ).toThrow(/unknown action/);
    expect(() => iam.statementsForDocuments(['AWS-DeleteEverything'])).toThrow(/not in the action catalog/);
  });

  it('emits, for every catalog action, its start permission and exactly its declared permissions, one statement each', () => {
    for (const action of catalog.actions) {
      const statements = iam.statementsForDocuments([action.name]);
      expect(startableDocuments(statements), action.name).toEqual([action.name]);
      const runbook = statements.filter((s) => s.Sid?.startsWith('Runbook'));
      const expected = action.kind === 'automation' ? action.iam.permissions : [];
      expect(
        runbook.map((s) => ({ actions: s.Action, resources: resourcesOf(s) })),
        action.name,
      ).toEqual(
        expected.map((p) => ({
          actions: p.actions,
          resources: p.resources.map((r) => r.replace(/\{\{ parameters\.\w+ \}\}/, '*')),
        })),
      );
    }
    expect(ACTIONS.get('AWS-RestartEC2Instance')?.iamActions).toEqual([
      'ec2:StopInstances',
      'ec2:StartInstances',
      'ec2:DescribeInstanceStatus',
    ]);
  });

  it('grants object writes (s3:::bucket/*) only with the containment runbook, on its literal backup bucket', () => {
    const others = catalog.actions.map((a) => a.name).filter((n) => n !== 'AWSSupport-ContainEC2Instance');
    const text = JSON.stringify(iam.statementsForDocuments(others));
    expect(text).not.toContain('s3:PutObject');
    expect(text).not.toMatch(/s3:::[^"]*\//);
    const bucketRule = iam.statementsForDocuments(['AWS-DisableS3BucketPublicReadWrite']);
    expect(bucketRule.filter((s) => s.Sid?.startsWith('Runbook')).flatMap(resourcesOf)).toEqual([
      'arn:${AWS::Partition}:s3:::*',
    ]);
    const contain = iam.statementsForRules([
      rule('AWSSupport-ContainEC2Instance', { parameters: { BackupS3BucketName: 'sg-backups' } }),
    ]);
    const put = contain.find((s) => s.Action.includes('s3:PutObject'));
    expect(put?.Action).toEqual(['s3:PutObject']);
    expect(resourcesOf(put as Statement)).toEqual(['arn:${AWS::Partition}:s3:::sg-backups/*']);
  });

  it('scopes every runbook statement to its own resource types (instance actions never on buckets)', () => {
    const statements = iam.statementsForDocuments([
      'AWS-StopEC2Instance',
      'AWS-DisablePublicAccessForSecurityGroup',
    ]);
    const stop = statements.find((s) => s.Action.includes('ec2:StopInstances'));
    expect(resourcesOf(stop as Statement)).toEqual([
      'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*',
    ]);
    const revoke = statements.find((s) => s.Action.includes('ec2:RevokeSecurityGroupIngress'));
    expect(resourcesOf(revoke as Statement)).toEqual([
      'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/*',
    ]);
  });

  it('passes the AutomationAssumeRole (global or the rule literal) instead of granting the runbook actions', () => {
    const role = 'arn:aws:iam::123456789012:role/klaxon-remediation';
    const statements = iam.statementsForDocuments(['AWS-StopEC2Instance'], { automationAssumeRole: role });
    expect(statements.find((s) => s.Action.includes('iam:PassRole'))).toMatchObject({
      Resource: [role],
      Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
    });
    expect(statements.flatMap((s) => s.Action)).not.toContain('ec2:StopInstances');
    const own = 'arn:aws:iam::123456789012:role/contain';
    const contain = iam.statementsForRules([
      rule('AWSSupport-ContainEC2Instance', {
        parameters: { AutomationAssumeRole: own, BackupS3BucketName: 'b' },
      }),
    ]);
    expect(contain.map((s) => s.Sid)).toEqual(['StartAWSSupportContainEC2Instance', 'PassAutomationRole']);
    expect(contain[1]?.Resource).toEqual([own]);
  });

  it('reads execution status only for the kinds of documents enabled', () => {
    expect(iam.statusStatements([])).toEqual([]);
    expect(iam.statusStatements(['AWS-RestartEC2Instance']).flatMap((s) => s.Action)).toEqual([
      'ssm:GetAutomationExecution',
    ]);
    expect(iam.statusStatements(['AWS-RunShellScript']).flatMap((s) => s.Action)).toEqual([
      'ssm:GetCommandInvocation',
    ]);
  });

  it('decides which sources a rule can match as the router does: its source condition, and the one-source labels', () => {
    const sources = ['cloudwatch-alarm', 'cloudtrail', 'guardduty', 'aws-health'];
    const matches: Array<Record<string, unknown>> = [
      {},
      { source: 'guardduty' },
      { source: 'cloud*' },
      { source: ['guardduty', 'aws-health'] },
      { source: { regex: '^cloud(trail|watch-alarm)$' } },
      { severity: 'critical' },
    ];
    for (const match of matches) {
      const matcher = compileMatcher(match as never);
      for (const source of sources) {
        expect(iam.ruleCanMatch(match, source), `${JSON.stringify(match)} ${source}`).toBe(
          matcher.matches({ source, severity: 'critical' }),
        );
      }
    }
    expect(sources.filter((s) => iam.ruleCanMatch({ alarmName: 'web-*' }, s))).toEqual(['cloudwatch-alarm']);
    expect(sources.filter((s) => iam.ruleCanMatch({ detection: 'root-login' }, s))).toEqual(['cloudtrail']);
  });

  it('keeps the catalog resource patterns to CloudFormation Sub text or *', () => {
    const text = readFileSync(join(REPO_ROOT, 'shared/remediation/actions.json'), 'utf8');
    for (const action of catalog.actions) {
      for (const permission of action.iam.permissions) {
        for (const resource of permission.resources) {
          expect(resource === '*' || resource.startsWith('arn:${AWS::Partition}:'), resource).toBe(true);
        }
      }
    }
    expect(text).not.toContain('arn:aws:');
  });
});
