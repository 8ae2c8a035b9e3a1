'use strict';
/**
 * The remediation IAM policy and feedback events, computed from klaxon.yml and the action catalog
 * (shared/remediation/actions.json): the single source of what the deployed role may start. Only the
 * documents of rules whose mode is `approve` or `auto` are allowed (a dry-run rule starts nothing and
 * needs nothing); with none, there is no policy at all. In serverless.yml:
 *
 *   resources:
 *     - ${file(./deploy/remediation-iam.cjs):resources}
 *
 *   functions.<fn>.events: ${file(./deploy/remediation-iam.cjs):feedbackEvents}   (the SSM status events)
 *
 * Only the shape this file needs is checked here; the full check is `npm run validate`.
 * KLAXON_CONFIG=<path> reads another file (template tests).
 */
const { configPath, fail, readKlaxonConfig } = require('./klaxon-config.cjs');

const CATALOG = require('../shared/remediation/actions.json');

/**
 * The SSM status rules without their document filter (source, detail-type, final statuses),
 * generated from the SSM status source descriptor (scripts/generate-sources.ts).
 */
const { remediationStatus: STATUS_RULES } = require('./sources.json');

const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;

/** CloudFormation ARNs of the resource types catalog entries name (in the stack's own account and Region). */
const RESOURCE_ARNS = {
  instance: 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*',
  'security-group': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/*',
  'network-interface': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*',
  vpc: 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc/*',
  bucket: 'arn:${AWS::Partition}:s3:::*',
  'backup-bucket': 'arn:${AWS::Partition}:s3:::*/*',
  account: '*',
};

/** Actions IAM only grants on `*` (no resource-level permissions). */
function unscoped(action) {
  return /^ec2:Describe/.test(action) || /^s3:(Get|Put)AccountPublicAccessBlock$/.test(action);
}

const sub = (text) => ({ 'Fn::Sub': text });

/** Reads klaxon.yml: the documents of rules that may start something, and the AutomationAssumeRole. */
function readRemediations(file = configPath()) {
  const { config, shown } = readKlaxonConfig(file);
  const rules = config.remediations ?? [];
  if (!Array.isArray(rules)) fail(shown, 'remediations', 'expected a list of rules');
  const known = new Map(CATALOG.actions.map((action) => [action.name, action]));
  const documents = new Set();
  rules.forEach((rule, index) => {
    if (!rule || typeof rule !== 'object') fail(shown, `remediations[${index}]`, 'expected a rule');
    if (!known.has(rule.action))
      fail(shown, `remediations[${index}].action`, `unknown action ${JSON.stringify(rule.action)}`);
    const mode = rule.mode ?? 'dry-run';
    if (mode === 'approve' || mode === 'auto') documents.add(rule.action);
  });
  const role = config.remediation && config.remediation.automationAssumeRole;
  if (role !== undefined && (typeof role !== 'string' || !ROLE_ARN.test(role))) {
    fail(shown, 'remediation.automationAssumeRole', 'expected an IAM role ARN');
  }
  return { documents: [...documents].sort(), automationAssumeRole: role };
}

/**
 * The IAM statements that let the role start exactly these documents (and read their status), plus
 * what the runbooks do when they run with the role's own permissions (no AutomationAssumeRole).
 */
function statementsForDocuments(documents, { automationAssumeRole } = {}) {
  const actions = documents.map((name) => {
    const action = CATALOG.actions.find((a) => a.name === name);
    if (!action) throw new Error(`remediation IAM: ${name} is not in the action catalog`);
    return action;
  });
  const automation = actions.filter((a) => a.kind === 'automation');
  const commands = actions.filter((a) => a.kind === 'run-command');
  const statements = [];
  if (automation.length > 0) {
    statements.push({
      Sid: 'RemediationStartAutomation',
      Effect: 'Allow',
      Action: ['ssm:StartAutomationExecution'],
      Resource: automation.map((a) =>
        sub(
          `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:automation-definition/${a.name}:*`,
        ),
      ),
    });
    statements.push({
      Sid: 'RemediationReadAutomation',
      Effect: 'Allow',
      Action: ['ssm:GetAutomationExecution'],
      Resource: [sub('arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:automation-execution/*')],
    });
    if (automationAssumeRole) {
      statements.push({
        Sid: 'RemediationPassAutomationRole',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: [automationAssumeRole],
        Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      });
    }
  }
  if (commands.length > 0) {
    statements.push({
      Sid: 'RemediationSendCommand',
      Effect: 'Allow',
      Action: ['ssm:SendCommand'],
      Resource: [
        ...commands.map((a) => sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}::document/${a.name}`)),
        sub(RESOURCE_ARNS.instance),
      ],
    });
    statements.push({
      Sid: 'RemediationReadCommand',
      Effect: 'Allow',
      Action: ['ssm:GetCommandInvocation'],
      Resource: ['*'],
    });
  }
  // Without an AutomationAssumeRole, runbooks run with the caller's permissions: grant what they do.
  const runAs = automationAssumeRole ? [] : automation;
  const scoped = new Set();
  const resources = new Set();
  const global = new Set();
  for (const action of runAs) {
    for (const name of action.iam.actions) (unscoped(name) ? global : scoped).add(name);
    for (const type of action.iam.resources) {
      if (!RESOURCE_ARNS[type])
        throw new Error(`remediation IAM: unknown resource type ${type} (${action.name})`);
      if (RESOURCE_ARNS[type] !== '*') resources.add(RESOURCE_ARNS[type]);
    }
  }
  if (scoped.size > 0) {
    statements.push({
      Sid: 'RemediationRunbookActions',
      Effect: 'Allow',
      Action: [...scoped].sort(),
      Resource: [...resources].sort().map(sub),
    });
  }
  if (global.size > 0) {
    statements.push({
      Sid: 'RemediationRunbookReads',
      Effect: 'Allow',
      Action: [...global].sort(),
      Resource: ['*'],
    });
  }
  return statements;
}

/** The statements for klaxon.yml (empty when every rule is a dry run). */
function statements() {
  const { documents, automationAssumeRole } = readRemediations();
  return statementsForDocuments(documents, { automationAssumeRole });
}

/** CloudFormation resources: one IAM policy on the functions' role, or nothing. */
function resources() {
  const list = statements();
  if (list.length === 0) return { Resources: {} };
  return {
    Resources: {
      RemediationPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'klaxon-remediation',
          Roles: [{ Ref: 'IamRoleLambdaExecution' }],
          PolicyDocument: { Version: '2012-10-17', Statement: list },
        },
      },
    },
  };
}

/** Explicit retries and a dead-letter queue on the rule target, as on every other EventBridge target. */
const RULE_TARGET_SETTINGS = {
  retryPolicy: { maximumEventAge: 3600, maximumRetryAttempts: 3 },
  deadLetterQueueArn: { 'Fn::GetAtt': ['AlarmNotifierDeadLetterQueue', 'Arn'] },
};

/** The EventBridge events reporting the end of executions of the enabled documents (none when none). */
function feedbackEvents() {
  const { documents } = readRemediations();
  const kinds = new Map(CATALOG.actions.map((a) => [a.name, a.kind]));
  return STATUS_RULES.flatMap(({ documentKind, documentField, pattern }) => {
    const names = documents.filter((d) => kinds.get(d) === documentKind);
    if (names.length === 0) return [];
    return [
      {
        eventBridge: {
          pattern: { ...pattern, detail: { [documentField]: names, ...pattern.detail } },
          ...RULE_TARGET_SETTINGS,
        },
      },
    ];
  });
}

module.exports = {
  feedbackEvents,
  readRemediations,
  resources,
  statements,
  statementsForDocuments,
};
