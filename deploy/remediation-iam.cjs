'use strict';
/**
 * The remediation IAM statements and feedback events, computed from klaxon.yml and the action catalog
 * (shared/remediation/actions.json): the single source of what a function's role may start. Only the
 * documents of rules whose mode is `approve` or `auto` get anything (a dry-run rule starts nothing and
 * needs nothing). deploy/function-roles.cjs decides which role gets which rules (docs/iam.md):
 *
 *   - a pipeline function, the rules its sources can match (`ruleCanMatch`);
 *   - the approval endpoint (remediator), the `approve` rules only;
 *   - the security responder, which reports the end of executions, reads their status.
 *
 * In serverless.yml: functions.securityResponder.events: ${file(./deploy/remediation-iam.cjs):feedbackEvents}
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
/** Run Command targets managed instances of this account and Region. */
const INSTANCE_ARN = 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*';
/** `{{ parameters.<Name> }}` in a catalog resource pattern: the rule's literal parameter value. */
const PARAMETER_PLACEHOLDER = /\{\{\s*parameters\.([A-Za-z0-9_]+)\s*\}\}/g;
const HAS_PLACEHOLDER = /\{\{\s*parameters\./;
/** What a literal parameter value may be to be written into an ARN (else `*`). */
const ARN_SAFE_VALUE = /^[A-Za-z0-9._-]+$/;

/** Labels only one source sets: a rule matching on them can only match alerts of that source. */
const SOURCE_OF_LABEL = { alarmName: 'cloudwatch-alarm', detection: 'cloudtrail' };

const sub = (text) => ({ 'Fn::Sub': text });
const resourceOf = (text) => (text === '*' ? '*' : sub(text));
const catalogAction = (name) => CATALOG.actions.find((a) => a.name === name);
const sidOf = (text) => text.replace(/[^A-Za-z0-9]/g, '');

function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One condition of a klaxon.yml match block, as shared/routing/matcher.ts evaluates it. */
function conditionHolds(input, value) {
  return (Array.isArray(input) ? input : [input]).some((part) => {
    if (part && typeof part === 'object') return new RegExp(part.regex).test(value);
    const text = String(part);
    if (!text.includes('*') && !text.includes('?')) return value === text;
    const body = text
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegex(c)))
      .join('');
    return new RegExp(`^${body}$`, 's').test(value);
  });
}

/**
 * Whether a rule's `match` can hold for an alert of this source: its `source` condition must accept
 * the source, and a label only one source sets (alarmName, detection) pins the source. Any other label
 * may be on an alert of any source, so it narrows nothing.
 */
function ruleCanMatch(match, source) {
  for (const [label, input] of Object.entries(match ?? {})) {
    if (label === 'source' && !conditionHolds(input, source)) return false;
    if (SOURCE_OF_LABEL[label] && SOURCE_OF_LABEL[label] !== source) return false;
  }
  return true;
}

/**
 * Reads klaxon.yml: the rules that may start something (mode approve or auto), their documents, the
 * AutomationAssumeRole and the approval link's secret.
 */
function readRemediations(file = configPath()) {
  const { config, shown } = readKlaxonConfig(file);
  const list = config.remediations ?? [];
  if (!Array.isArray(list)) fail(shown, 'remediations', 'expected a list of rules');
  const rules = [];
  list.forEach((rule, index) => {
    if (!rule || typeof rule !== 'object') fail(shown, `remediations[${index}]`, 'expected a rule');
    if (!catalogAction(rule.action))
      fail(shown, `remediations[${index}].action`, `unknown action ${JSON.stringify(rule.action)}`);
    const mode = rule.mode ?? 'dry-run';
    if (mode !== 'approve' && mode !== 'auto') return;
    rules.push({
      name: rule.name,
      action: rule.action,
      mode,
      match: rule.match && typeof rule.match === 'object' ? rule.match : {},
      parameters: rule.parameters && typeof rule.parameters === 'object' ? rule.parameters : {},
    });
  });
  const settings = config.remediation && typeof config.remediation === 'object' ? config.remediation : {};
  const role = settings.automationAssumeRole;
  if (role !== undefined && (typeof role !== 'string' || !ROLE_ARN.test(role))) {
    fail(shown, 'remediation.automationAssumeRole', 'expected an IAM role ARN');
  }
  const approval = settings.approval && typeof settings.approval === 'object' ? settings.approval : {};
  return {
    rules,
    documents: [...new Set(rules.map((r) => r.action))].sort(),
    automationAssumeRole: role,
    approvalSecret: approval.secret,
    approvalAuth: approval.auth ?? 'link',
  };
}

/**
 * The approval endpoint's function URL: `AuthType AWS_IAM` when `remediation.approval.auth` is
 * `iam` (the caller must sign with SigV4 and hold lambda:InvokeFunctionUrl), else `AuthType NONE`
 * with the signed link as the credential.
 */
function approvalUrl() {
  const { approvalAuth } = readRemediations();
  if (approvalAuth !== 'link' && approvalAuth !== 'iam') {
    fail(configPath(), 'remediation.approval.auth', 'expected link or iam');
  }
  return approvalAuth === 'iam' ? { authorizer: 'aws_iam' } : true;
}

/** The role a rule's runbook runs with: the rule's literal AutomationAssumeRole, else the global one. */
function assumeRoleOf(rule, action, automationAssumeRole) {
  if (action.kind !== 'automation' || !action.parameters.AutomationAssumeRole) return undefined;
  const own = rule.parameters.AutomationAssumeRole;
  if (typeof own === 'string' && ROLE_ARN.test(own)) return own;
  return automationAssumeRole;
}

/** A catalog resource pattern with `{{ parameters.X }}` filled from the rules' literal values. */
function fillPattern(pattern, rules) {
  if (!HAS_PLACEHOLDER.test(pattern)) return [pattern];
  const names = [...pattern.matchAll(PARAMETER_PLACEHOLDER)].map((m) => m[1]);
  const values = rules.map((rule) => names.map((n) => rule.parameters[n]));
  if (
    rules.length === 0 ||
    values.some((v) => v.some((x) => typeof x !== 'string' || !ARN_SAFE_VALUE.test(x)))
  ) {
    return [pattern.replace(PARAMETER_PLACEHOLDER, '*')];
  }
  return [
    ...new Set(
      values.map((v) => pattern.replace(PARAMETER_PLACEHOLDER, (_, name) => v[names.indexOf(name)])),
    ),
  ];
}

/**
 * The statements that let a role start exactly the documents of these rules: per action, its start
 * permission on its own document, then (when its runbook runs with the role's own permissions, without
 * an AutomationAssumeRole) one statement per catalog permission, on that permission's own resources.
 * Roles passed to runbooks get one iam:PassRole statement, for SSM only.
 */
function statementsForRules(rules, { automationAssumeRole } = {}) {
  const byAction = new Map();
  for (const rule of rules) {
    const action = catalogAction(rule.action);
    if (!action) throw new Error(`remediation IAM: ${rule.action} is not in the action catalog`);
    if (!byAction.has(action.name)) byAction.set(action.name, { action, rules: [] });
    byAction.get(action.name).rules.push(rule);
  }
  const statements = [];
  const passed = new Set();
  for (const { action, rules: ofAction } of [...byAction.values()].sort((a, b) =>
    a.action.name.localeCompare(b.action.name),
  )) {
    const sid = sidOf(action.name);
    statements.push(
      action.kind === 'automation'
        ? {
            Sid: `Start${sid}`,
            Effect: 'Allow',
            Action: ['ssm:StartAutomationExecution'],
            Resource: [
              sub(
                `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:automation-definition/${action.name}:*`,
              ),
            ],
          }
        : {
            Sid: `Start${sid}`,
            Effect: 'Allow',
            Action: ['ssm:SendCommand'],
            Resource: [
              sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}::document/${action.name}`),
              sub(INSTANCE_ARN),
            ],
          },
    );
    const runAsRole = [];
    for (const rule of ofAction) {
      const role = assumeRoleOf(rule, action, automationAssumeRole);
      if (role) passed.add(role);
      else if (action.kind === 'automation') runAsRole.push(rule);
    }
    if (runAsRole.length === 0) continue;
    action.iam.permissions.forEach((permission, index) => {
      statements.push({
        Sid: `Runbook${sid}${index + 1}`,
        Effect: 'Allow',
        Action: [...permission.actions],
        Resource: [...new Set(permission.resources.flatMap((p) => fillPattern(p, runAsRole)))].map(
          resourceOf,
        ),
      });
    });
  }
  if (passed.size > 0) {
    statements.push({
      Sid: 'PassAutomationRole',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: [...passed].sort(),
      Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
    });
  }
  return statements;
}

/** The statements for documents started without rule parameters (one rule per document, no match). */
function statementsForDocuments(documents, options = {}) {
  return statementsForRules(
    documents.map((action) => ({ name: action, action, mode: 'auto', match: {}, parameters: {} })),
    options,
  );
}

/** Reading the status of executions of these documents (why one failed), as the feedback reporter does. */
function statusStatements(documents) {
  const kinds = new Set(documents.map((name) => catalogAction(name)?.kind));
  const statements = [];
  if (kinds.has('automation')) {
    statements.push({
      Sid: 'ReadAutomationStatus',
      Effect: 'Allow',
      Action: ['ssm:GetAutomationExecution'],
      Resource: [sub('arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:automation-execution/*')],
    });
  }
  if (kinds.has('run-command')) {
    statements.push({
      Sid: 'ReadCommandStatus',
      Effect: 'Allow',
      Action: ['ssm:GetCommandInvocation'],
      Resource: ['*'], // GetCommandInvocation takes no resource-level permissions
    });
  }
  return statements;
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
  approvalUrl,
  feedbackEvents,
  readRemediations,
  ruleCanMatch,
  statementsForDocuments,
  statementsForRules,
  statusStatements,
};
