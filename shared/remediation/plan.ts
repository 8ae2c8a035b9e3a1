import type { Alert } from '../alert/alert';
import type { Decision } from '../routing/decide';
import { isAllowlisted } from '../security/allowlist';
import { ACTIONS, parameterProblem } from './catalog';
import type { RemediationRule } from './config';
import type { RemediationContext } from './context';
import { renderTemplate } from './template';

/** A guard said no; the message is the reason recorded. */
export class Skip extends Error {
  override readonly name = 'Skip';
}

/**
 * Checks that need no state: status, suppression, path, own role, catalog, accounts; then the
 * parameters. `live`: a deployed decision (fails closed when the stack's account is unknown).
 * Throws {@link Skip}.
 */
export function planParameters(
  context: RemediationContext,
  rule: RemediationRule,
  decision: Decision,
  live = true,
): Record<string, string> {
  const { alert } = decision;
  if (alert.status !== 'firing') throw new Skip('only firing alerts are remediated, never a resolve');
  if (decision.suppressed) throw new Skip(`the alert is suppressed (${decision.suppressed})`);
  checkPath(alert, context.deps.ownAccount, live);
  const own = isAllowlisted(
    {
      detection: alert.labels.detection,
      principal: alert.labels.principal,
      sessionIssuer: alert.labels.sessionIssuer,
      sourceIp: alert.labels.sourceIp,
      account: alert.labels.account,
    },
    { ...context.config.security, allowlist: [] },
    context.deps.now(),
    context.deps.ownRoleArns ?? [],
  );
  if (own?.kind === 'own-role') {
    throw new Skip(`the event was caused by Klaxon's own role (${own.entry}): never acted on`);
  }
  checkCatalog(rule);
  checkAccount(alert, allowedAccounts(context), live);
  return renderParameters(rule, alert, context.config.remediation.automationAssumeRole);
}

/**
 * The path must be trusted for remediation (an EventBridge event inside an SNS message, a listed
 * topic, a non-`aws.` source never are) and, live, an alarm of the stack's own account must be in
 * ALARM now with the event's dimensions (the alarm-state stage asked CloudWatch). Throws {@link Skip}.
 */
function checkPath(alert: Alert, ownAccount: string | undefined, live: boolean): void {
  const provenance = alert.provenance;
  if (provenance && !provenance.remediation.trusted) {
    throw new Skip(`not trusted for remediation: ${provenance.remediation.reason}`);
  }
  if (!provenance && alert.path === 'sns' && alert.labels.source !== 'cloudwatch-alarm') {
    throw new Skip(
      `a ${alert.labels.source} event inside an SNS message is never trusted for remediation (anyone allowed to publish to the topic can write one)`,
    );
  }
  if (!live || alert.labels.source !== 'cloudwatch-alarm' || alert.labels.account !== ownAccount) return;
  const checked = provenance?.alarmState;
  if (!checked) {
    throw new Skip(
      "the alarm's current state was not checked with CloudWatch: nothing is started (fail closed)",
    );
  }
  if (checked.state !== 'ALARM') {
    throw new Skip(`CloudWatch says the alarm is ${checked.state} now, not ALARM: nothing is started`);
  }
  if (checked.dimensionsMatch === false) {
    throw new Skip("the event's dimensions are not the alarm's own (DescribeAlarms): nothing is started");
  }
}

/** The accounts remediation may act in: `remediation.allowedAccounts`, else the stack's own. */
export function allowedAccounts(context: RemediationContext): readonly string[] | undefined {
  const configured = context.config.remediation.allowedAccounts;
  if (configured) return configured;
  return context.deps.ownAccount ? [context.deps.ownAccount] : undefined;
}

/** The alert's account must be allowed; an unknown allowlist fails closed when live. Throws {@link Skip}. */
function checkAccount(alert: Alert, allowed: readonly string[] | undefined, live: boolean): void {
  if (!allowed) {
    if (live) {
      throw new Skip(
        "the stack's own account is unknown and remediation.allowedAccounts is not set: nothing is started (fail closed)",
      );
    }
    return;
  }
  if (!allowed.includes(alert.labels.account)) {
    throw new Skip(
      `the alert's account ${alert.labels.account} is not an allowed account (${allowed.join(', ')}; remediation.allowedAccounts): never acted on`,
    );
  }
}

/**
 * The values that name the alert's own resource, as the event (or CloudWatch itself) gives them:
 * an alarm's metric dimensions; the labels a security or operational normalizer took from the event
 * (resource, request parameters). Never alarm tags: anyone with cloudwatch:TagResource writes those.
 */
function identityOf(alert: Alert): Readonly<Record<string, string | undefined>> {
  if (alert.labels.source === 'cloudwatch-alarm') {
    return { ...alert.metric?.dimensions, account: alert.labels.account };
  }
  return alert.labels;
}

const ARN_ACCOUNT = /^arn:aws(?:-cn|-us-gov)?:[^:]*:[^:]*:(\d{12})?:/;

/** Why a value taken from a label may not name the target, or undefined when it may. */
function identityProblem(alert: Alert, label: string, value: string): string | undefined {
  if (identityOf(alert)[label] !== value) {
    return alert.labels.source === 'cloudwatch-alarm'
      ? `label ${label} is not a dimension of the alarm's metric (it may come from a tag): only the event's own resource is a target`
      : `label ${label} is not part of the event's own resource identity`;
  }
  const account = ARN_ACCOUNT.exec(value)?.[1] ?? (/^\d{12}$/.test(value) ? value : undefined);
  if (account !== undefined && account !== alert.labels.account) {
    return `the target is in account ${account}, not the alert's account ${alert.labels.account}`;
  }
  return undefined;
}

/** The document allowlist, part 1: the rule's action is the catalog's own entry. Throws {@link Skip}. */
export function checkCatalog(rule: RemediationRule): void {
  const spec = ACTIONS.get(rule.action.name);
  if (!spec || spec !== rule.action) {
    throw new Skip(`document ${rule.action.name} is not in the action catalog: never started`);
  }
}

/** Renders and validates every parameter; a label value that fails its pattern is never sent. */
function renderParameters(
  rule: RemediationRule,
  alert: Alert,
  automationAssumeRole: string | undefined,
): Record<string, string> {
  const spec = rule.action;
  const values: Record<string, string> = {};
  for (const [name, template] of Object.entries(rule.parameters)) {
    const parameter = spec.parameters[name];
    if (!parameter) throw new Skip(`parameter ${name} is not declared by ${spec.name}`);
    if (template.kind === 'label' && !parameter.fromLabels) {
      throw new Skip(`parameter ${name} may not come from alert labels`);
    }
    const value = renderTemplate(template, alert.labels);
    if (value === undefined) {
      throw new Skip(
        `parameter ${name}: the alert has no label "${template.kind === 'label' ? template.label : name}"`,
      );
    }
    const problem =
      parameterProblem(parameter, value) ??
      (template.kind === 'label' ? identityProblem(alert, template.label, value) : undefined);
    if (problem) {
      throw new Skip(
        `parameter ${name}${template.kind === 'label' ? ` (from label ${template.label})` : ''}: ${problem}`,
      );
    }
    values[name] = value;
  }
  if (
    automationAssumeRole &&
    spec.parameters.AutomationAssumeRole &&
    values.AutomationAssumeRole === undefined
  ) {
    values.AutomationAssumeRole = automationAssumeRole;
  }
  for (const parameter of Object.values(spec.parameters)) {
    if (parameter.required && values[parameter.name] === undefined) {
      throw new Skip(`parameter ${parameter.name} is required by ${spec.name}`);
    }
  }
  return values;
}
