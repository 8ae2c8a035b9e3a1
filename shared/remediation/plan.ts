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

/** Checks that need no state: status, suppression, own role, catalog; then the parameters. Throws {@link Skip}. */
export function planParameters(
  context: RemediationContext,
  rule: RemediationRule,
  decision: Decision,
): Record<string, string> {
  const { alert } = decision;
  if (alert.status !== 'firing') throw new Skip('only firing alerts are remediated, never a resolve');
  if (decision.suppressed) throw new Skip(`the alert is suppressed (${decision.suppressed})`);
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
  return renderParameters(rule, alert, context.config.remediation.automationAssumeRole);
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
    const problem = parameterProblem(parameter, value);
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
