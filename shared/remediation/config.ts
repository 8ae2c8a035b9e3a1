import * as z from '../zod';
import { SEVERITIES, type Severity } from '../alert/alert';
import type { ConfigProblem } from '../errors';
import { matchSchema, type SecretRef, secretRefSchema } from '../config/primitives';
import { type CompiledMatcher, compileMatcher } from '../routing/matcher';
import { ACTIONS, type ActionSpec, parameterProblem } from './catalog';
import { type ParameterTemplate, parseTemplate } from './template';

/**
 * The `remediation:` (guardrails) and `remediations:` (rules) sections of klaxon.yml: schema and
 * compilation. Validation at load names the bad key: an unknown action, a parameter the action does
 * not declare, a template that is not one whole `{{ labels.<Name> }}`, a label template for a
 * parameter that must be literal, a literal that fails the parameter's pattern.
 */

/** How a rule acts: report only (the default), wait for a human, or start at once. */
export const REMEDIATION_MODES = ['dry-run', 'approve', 'auto'] as const;
export type RemediationMode = (typeof REMEDIATION_MODES)[number];

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `30s`, `30m`, `2h`, `1d` into milliseconds (undefined when malformed). */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2]] ?? 0);
}

const duration = (max: string) =>
  z.string().check(
    z.superRefine((text, ctx) => {
      const ms = parseDuration(text);
      const limit = parseDuration(max) ?? Number.POSITIVE_INFINITY;
      if (ms === undefined)
        ctx.addIssue({ code: 'custom', message: 'a duration such as 45s, 30m, 2h or 1d' });
      else if (ms > limit) ctx.addIssue({ code: 'custom', message: `at most ${max}` });
    }),
  );

const receiverList = z._default(z.array(z.string().check(z.minLength(1))), []);
const ruleName = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -, at most 63'));

/** The `remediation:` section: guardrails shared by every rule. */
const settingsSchema = z.strictObject({
  /** Executions started per hour across all rules; more are skipped (default 10). */
  maxPerHour: z._default(z.number().check(z.int(), z.gte(1), z.lte(1000)), 10),
  /** Executions running at once; more are skipped (default 3). */
  maxConcurrent: z._default(z.number().check(z.int(), z.gte(1), z.lte(100)), 3),
  /** A running execution stops counting towards maxConcurrent after this, even with no status event. */
  executionTimeout: z._default(duration('2d'), '1h'),
  circuitBreaker: z.prefault(
    z.strictObject({
      /** Consecutive failed executions of one rule that stop it (default 3). */
      failures: z._default(z.number().check(z.int(), z.gte(1), z.lte(100)), 3),
      /** How long a stopped rule stays stopped (default 24h). */
      resetAfter: z._default(duration('30d'), '24h'),
    }),
    {},
  ),
  /** Passed as AutomationAssumeRole to runbooks that declare it (least privilege; else they run as Klaxon). */
  automationAssumeRole: z.optional(
    z
      .string()
      .check(
        z.regex(/^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/, 'an IAM role ARN'),
      ),
  ),
  /**
   * Accounts whose resources a remediation may act on (default: the stack's own account only). The
   * alert's account must be listed, and so must the account of every ARN a parameter takes.
   */
  allowedAccounts: z.optional(
    z.array(z.string().check(z.regex(/^\d{12}$/, 'a 12-digit account id'))).check(z.minLength(1)),
  ),
  /** Receivers told when a circuit breaker stops a rule or a verification escalates (besides the alert's own). */
  notify: receiverList,
  approval: z.prefault(
    z.strictObject({
      /** HMAC key of signed approval links: an SSM SecureString under the prefix (or env locally). */
      secret: z.optional(secretRefSchema),
      /** Base URL of the approval endpoint (the remediator function's URL); without it, CLI approval only. */
      url: z.optional(z.url({ protocol: /^https?$/ })),
      /** How long a pending approval (and its single-use link) stays valid (default 1h). */
      expiresAfter: z._default(duration('7d'), '1h'),
      /**
       * Who may open the approval endpoint: `link` (the signed link is the credential) or `iam` (the
       * function URL uses AuthType AWS_IAM; `klaxon approve` signs with SigV4).
       */
      auth: z._default(z.enum(['link', 'iam']), 'link'),
    }),
    {},
  ),
});

/** One entry of the `remediations:` section. */
const ruleSchema = z.strictObject({
  name: ruleName,
  /** Labels of the alert (incl. detection, severity, status), as in routes. */
  match: matchSchema,
  /** A document of the action catalog (shared/remediation/actions.json). */
  action: z.string().check(z.minLength(1)),
  /** Parameter values: literals, or exactly one `{{ labels.<Name> }}`. */
  parameters: z._default(z.record(z.string(), z.string()), {}),
  /** AWS-RunShellScript only: the commands, fixed here and never taken from event data. */
  commands: z.optional(
    z.array(z.string().check(z.minLength(1), z.maxLength(4096))).check(z.minLength(1), z.maxLength(50)),
  ),
  mode: z._default(z.enum(REMEDIATION_MODES), 'dry-run'),
  /** Minimum time between two executions of this rule on one resource (default 30m). */
  cooldown: z._default(duration('30d'), '30m'),
  /**
   * Executions of this rule per hour (default: only the global remediation.maxPerHour). Checked before the global
   * cap, so a rule flooded on purpose spends its own budget, not every rule's.
   */
  maxPerHour: z.optional(z.number().check(z.int(), z.gte(1), z.lte(1000))),
  /** After a successful execution, escalate unless the alert resolved within this time. */
  verify: z.optional(
    z.strictObject({
      within: duration('1d'),
      /** Severity of the escalation (default critical). */
      severity: z._default(z.enum(SEVERITIES), 'critical'),
      /** Receivers added to the alert's own for the escalation (e.g. the pager). */
      escalateTo: receiverList,
    }),
  ),
});

/** The `remediation:` (guardrails) and `remediations:` (rules) schemas. */
export const remediationSchemas = { settings: settingsSchema, rules: z.array(ruleSchema) };

type Schemas = typeof remediationSchemas;
/** The `remediation:` section after defaults. */
export type RemediationSettingsInput = z.infer<Schemas['settings']>;
/** The `remediations:` section after defaults. */
export type RemediationRulesInput = z.infer<Schemas['rules']>;

/** Guardrails shared by every rule, compiled. */
export interface RemediationSettings {
  maxPerHour: number;
  maxConcurrent: number;
  executionTimeoutMs: number;
  breaker: { failures: number; resetAfterMs: number };
  automationAssumeRole?: string;
  /** Accounts a remediation may act in; undefined means the stack's own account only. */
  allowedAccounts?: readonly string[];
  notify: readonly string[];
  approval: { secret?: SecretRef; url?: string; expiresAfterMs: number; auth: 'link' | 'iam' };
}

/** One remediation rule, validated against the catalog and ready to evaluate. */
export interface RemediationRule {
  name: string;
  configPath: string;
  matcher: CompiledMatcher;
  action: ActionSpec;
  parameters: Readonly<Record<string, ParameterTemplate>>;
  commands?: readonly string[];
  mode: RemediationMode;
  cooldownMs: number;
  /** This rule's hourly cap (the global one when unset). */
  maxPerHour?: number;
  verify?: { withinMs: number; severity: Severity; escalateTo: readonly string[] };
}

/** The compiled remediation configuration (plus what stops it loading). */
export interface CompiledRemediations {
  rules: RemediationRule[];
  settings: RemediationSettings;
  problems: ConfigProblem[];
  warnings: ConfigProblem[];
}

function ms(text: string): number {
  return parseDuration(text) ?? 0;
}

function checkReceivers(
  names: readonly string[],
  path: string,
  receivers: ReadonlySet<string>,
  problems: ConfigProblem[],
): void {
  names.forEach((name, index) => {
    if (!receivers.has(name)) {
      problems.push({
        path: `${path}[${index}]`,
        message: `unknown receiver "${name}" (defined: ${[...receivers].join(', ') || 'none'})`,
      });
    }
  });
}

/** Validates the rules against the catalog and compiles them; problems carry the exact key path. */
export function compileRemediations(
  rulesInput: RemediationRulesInput,
  settingsInput: RemediationSettingsInput,
  receivers: ReadonlySet<string>,
): CompiledRemediations {
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  checkReceivers(settingsInput.notify, 'remediation.notify', receivers, problems);
  const settings: RemediationSettings = {
    maxPerHour: settingsInput.maxPerHour,
    maxConcurrent: settingsInput.maxConcurrent,
    executionTimeoutMs: ms(settingsInput.executionTimeout),
    breaker: {
      failures: settingsInput.circuitBreaker.failures,
      resetAfterMs: ms(settingsInput.circuitBreaker.resetAfter),
    },
    automationAssumeRole: settingsInput.automationAssumeRole,
    allowedAccounts: settingsInput.allowedAccounts,
    notify: settingsInput.notify,
    approval: {
      secret: settingsInput.approval.secret,
      url: settingsInput.approval.url,
      expiresAfterMs: ms(settingsInput.approval.expiresAfter),
      auth: settingsInput.approval.auth,
    },
  };
  const names = new Set<string>();
  const rules: RemediationRule[] = [];
  rulesInput.forEach((input, index) => {
    const path = `remediations[${index}]`;
    const before = problems.length;
    if (names.has(input.name)) {
      problems.push({ path: `${path}.name`, message: `duplicate rule name "${input.name}"` });
    }
    names.add(input.name);
    const action = ACTIONS.get(input.action);
    if (!action) {
      problems.push({
        path: `${path}.action`,
        message: `unknown action "${input.action}" (the catalog has: ${[...ACTIONS.keys()].join(', ')})`,
      });
      return;
    }
    const parameters: Record<string, ParameterTemplate> = {};
    for (const [name, text] of Object.entries(input.parameters)) {
      const at = `${path}.parameters.${name}`;
      const spec = action.parameters[name];
      if (!spec) {
        problems.push({
          path: at,
          message: `${action.name} declares no parameter "${name}" (it declares: ${Object.keys(action.parameters).join(', ')})`,
        });
        continue;
      }
      const template = parseTemplate(text);
      if ('error' in template) {
        problems.push({ path: at, message: template.error });
        continue;
      }
      if (template.kind === 'label' && !spec.fromLabels) {
        problems.push({
          path: at,
          message: `${name} may not come from alert labels: write the value literally`,
        });
        continue;
      }
      if (template.kind === 'literal') {
        const problem = parameterProblem(spec, template.value);
        if (problem) {
          problems.push({ path: at, message: problem });
          continue;
        }
      }
      parameters[name] = template;
    }
    for (const spec of Object.values(action.parameters)) {
      const filledBySettings = spec.name === 'AutomationAssumeRole' && settings.automationAssumeRole;
      if (spec.required && !(spec.name in input.parameters) && !filledBySettings) {
        problems.push({
          path: `${path}.parameters`,
          message: `${action.name} requires parameter "${spec.name}"${spec.name === 'AutomationAssumeRole' ? ' (or set remediation.automationAssumeRole)' : ''}`,
        });
      }
    }
    if (action.kind === 'run-command' && !input.commands) {
      problems.push({
        path: `${path}.commands`,
        message: `${action.name} needs the commands to run, fixed here`,
      });
    }
    if (action.kind !== 'run-command' && input.commands) {
      problems.push({ path: `${path}.commands`, message: `only Run Command actions take commands` });
    }
    input.commands?.forEach((command, i) => {
      if (command.includes('{{')) {
        problems.push({
          path: `${path}.commands[${i}]`,
          message: 'commands are fixed text: templates are not allowed in commands',
        });
      }
    });
    if (input.verify)
      checkReceivers(input.verify.escalateTo, `${path}.verify.escalateTo`, receivers, problems);
    if ('status' in input.match) {
      warnings.push({
        path: `${path}.match.status`,
        message: 'remediations only ever act on firing alerts; matching status is redundant',
      });
    }
    if (action.destructive && input.mode === 'auto') {
      warnings.push({
        path: `${path}.mode`,
        message: `${action.name} is destructive; consider mode: approve`,
      });
    }
    if (problems.length > before) return;
    rules.push({
      name: input.name,
      configPath: path,
      matcher: compileMatcher(input.match),
      action,
      parameters,
      commands: input.commands,
      mode: input.mode,
      cooldownMs: ms(input.cooldown),
      ...(input.maxPerHour !== undefined ? { maxPerHour: input.maxPerHour } : {}),
      verify: input.verify
        ? {
            withinMs: ms(input.verify.within),
            severity: input.verify.severity,
            escalateTo: input.verify.escalateTo,
          }
        : undefined,
    });
  });
  return { rules, settings, problems, warnings };
}

/** Documents klaxon.yml lets Klaxon start (rules not in dry-run mode): what the IAM policy allows. */
export function enabledDocuments(rules: readonly RemediationRule[]): Set<string> {
  return new Set(rules.filter((rule) => rule.mode !== 'dry-run').map((rule) => rule.action.name));
}
