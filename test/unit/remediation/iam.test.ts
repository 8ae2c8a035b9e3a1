import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../shared/remediation/catalog';
import { REPO_ROOT } from '../../support/fixtures';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string[] | string;
  Resource: unknown;
  Condition?: unknown;
}

const require = createRequire(import.meta.url);
const iam = require('../../../deploy/remediation-iam.cjs') as {
  statements(): Statement[];
  statementsForDocuments(documents: string[], options?: { automationAssumeRole?: string }): Statement[];
  resources(): { Resources: Record<string, { Properties: { PolicyDocument: { Statement: Statement[] } } }> };
  feedbackEvents(): Array<{ eventBridge: { pattern: Record<string, unknown> } }>;
};

const START_ACTIONS = ['ssm:StartAutomationExecution', 'ssm:SendCommand'];

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

function resourcesOf(statement: Statement): string[] {
  const list = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
  return list.map((r) =>
    typeof r === 'string' ? r : ((r as { 'Fn::Sub'?: string })['Fn::Sub'] ?? JSON.stringify(r)),
  );
}

/** The documents the statements let the role start; fails on any start permission that is not document-scoped. */
function startableDocuments(statements: Statement[]): string[] {
  const documents: string[] = [];
  for (const statement of statements) {
    const actions = actionsOf(statement);
    if (actions.some((a) => a === '*' || a === 'ssm:*' || a.endsWith(':*')))
      throw new Error(`wildcard action in ${statement.Sid}`);
    if (!actions.some((a) => START_ACTIONS.includes(a))) continue;
    for (const resource of resourcesOf(statement)) {
      const doc = /:(?:automation-definition|document)\/([^:]+)(?::\*)?$/.exec(resource)?.[1];
      if (doc) documents.push(doc);
      else if (!/:instance\/\*$/.test(resource)) throw new Error(`unscoped start resource ${resource}`);
    }
  }
  return [...new Set(documents)].sort();
}

let restore: string | undefined;
afterEach(() => {
  if (restore === undefined) delete process.env.KLAXON_CONFIG;
  else process.env.KLAXON_CONFIG = restore;
});

function withConfig(yaml: string): void {
  restore = process.env.KLAXON_CONFIG;
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-iam-'));
  const file = join(dir, 'klaxon.yml');
  writeFileSync(file, yaml);
  process.env.KLAXON_CONFIG = file;
}

describe('remediation IAM (deploy/remediation-iam.cjs: the single source of the policy)', () => {
  it('grants nothing for the example klaxon.yml, whose remediations are all dry runs', () => {
    delete process.env.KLAXON_CONFIG;
    expect(iam.statements()).toEqual([]);
    expect(iam.resources()).toEqual({ Resources: {} });
    expect(iam.feedbackEvents()).toEqual([]);
  });

  it('scopes start permissions to exactly the documents of approve/auto rules', () => {
    withConfig(
      readFileSync(join(REPO_ROOT, 'klaxon.yml'), 'utf8')
        // One more rule at the end of the remediations list (the section before noise control).
        .replace(
          '\n# Noise control',
          `  - name: run-fix
    match: { alarmName: 'x' }
    action: AWS-RunShellScript
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
    commands: ['true']
    mode: approve

# Noise control`,
        )
        .replace(
          "action: AWS-RestartEC2Instance\n    parameters: { InstanceId: '{{ labels.InstanceId }}' } # the alarm's InstanceId dimension\n    mode: dry-run",
          "action: AWS-RestartEC2Instance\n    parameters: { InstanceId: '{{ labels.InstanceId }}' }\n    mode: auto",
        ),
    );
    const statements = iam.statements();
    expect(startableDocuments(statements)).toEqual(['AWS-RestartEC2Instance', 'AWS-RunShellScript']);
    // The dry-run security-group rule gets nothing.
    expect(JSON.stringify(statements)).not.toContain('DisablePublicAccessForSecurityGroup');
    expect(JSON.stringify(statements)).not.toContain('RevokeSecurityGroupIngress');
    const policy = iam.resources().Resources.RemediationPolicy;
    expect(policy?.Properties.PolicyDocument.Statement).toEqual(statements);
    expect(iam.feedbackEvents().map((e) => e.eventBridge.pattern.detail)).toEqual([
      expect.objectContaining({ Definition: ['AWS-RestartEC2Instance'] }),
      expect.objectContaining({ 'document-name': ['AWS-RunShellScript'] }),
    ]);
  });

  it('passes only the configured AutomationAssumeRole instead of the runbook actions', () => {
    const role = 'arn:aws:iam::123456789012:role/klaxon-remediation';
    const statements = iam.statementsForDocuments(['AWS-StopEC2Instance'], { automationAssumeRole: role });
    expect(statements.find((s) => actionsOf(s).includes('iam:PassRole'))).toMatchObject({
      Resource: [role],
      Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
    });
    expect(statements.flatMap(actionsOf)).not.toContain('ec2:StopInstances');
  });

  it('covers every catalog document, and refuses one the catalog lacks', () => {
    for (const name of ACTIONS.keys())
      expect(startableDocuments(iam.statementsForDocuments([name]))).toEqual([name]);
    expect(() => iam.statementsForDocuments(['AWS-DeleteEverything'])).toThrow(/not in the action catalog/);
  });

  it('the packaged template, when present, allows starting only documents klaxon.yml enables', () => {
    const path = join(REPO_ROOT, '.serverless/cloudformation-template-update-stack.json');
    if (!existsSync(path)) return;
    const template = JSON.parse(readFileSync(path, 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const statements: Statement[] = [];
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type === 'AWS::IAM::Policy') {
        statements.push(
          ...((resource.Properties.PolicyDocument as { Statement: Statement[] }).Statement ?? []),
        );
      }
      if (resource.Type === 'AWS::IAM::Role') {
        for (const policy of (resource.Properties.Policies as Array<{
          PolicyDocument: { Statement: Statement[] };
        }>) ?? []) {
          statements.push(...policy.PolicyDocument.Statement);
        }
      }
    }
    delete process.env.KLAXON_CONFIG;
    const expected = startableDocuments(iam.statements());
    expect(startableDocuments(statements)).toEqual(expected);
  });
});
