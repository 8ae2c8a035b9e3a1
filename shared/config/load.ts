import { SEVERITIES, type Severity } from '../alert/alert';
import { ConfigError, type ConfigProblem } from '../errors';
import { zodProblems } from './problems';
import { findReceiverDescriptor } from '../receivers/lookup';
import { compileEnrichment, type EnrichmentConfig } from '../enrichment/config';
import { compileRemediations, type RemediationRule, type RemediationSettings } from '../remediation/config';
import { compileSecurityConfig, type SecurityConfig } from '../security/allowlist';
import { compileNoise, type NoiseConfig } from '../noise/config';
import { type CompiledMatcher, compileMatcher } from '../routing/matcher';
import { type CompiledRoute, compileRouteTree, matchRoutes } from '../routing/routes';
import {
  type DigestConfig,
  type HeartbeatConfig,
  type SelfCheckConfig,
  scheduledProblems,
} from './scheduled';
import {
  type BuildTimeChecks,
  type KlaxonConfigInput,
  klaxonConfigSchemaFor,
  type ReceiverConfig,
} from './schema';

/** A severity rule ready to evaluate. */
export interface SeverityRule {
  matcher: CompiledMatcher;
  severity: Severity;
  configPath: string;
}

/** A runbook catalog entry ready to evaluate. */
export interface RunbookRule {
  matcher: CompiledMatcher;
  url: string;
}

/** klaxon.yml validated and compiled: the only configuration type domain code sees. */
export interface KlaxonConfig {
  defaults: KlaxonConfigInput['defaults'];
  delivery: KlaxonConfigInput['delivery'];
  security: SecurityConfig;
  /** Enrichment with live AWS context (tags, definition, datapoints, links) and its time budget. */
  enrichment: EnrichmentConfig;
  intake: KlaxonConfigInput['intake'];
  severityRules: SeverityRule[];
  runbooks: RunbookRule[];
  receivers: Readonly<Record<string, ReceiverConfig>>;
  route: CompiledRoute;
  /** Remediation rules, validated against the action catalog, in evaluation order. */
  remediations: RemediationRule[];
  /** Guardrails shared by every remediation rule. */
  remediation: RemediationSettings;
  /** Problems that do not stop Klaxon but deserve a look (printed by `validate`). */
  warnings: ConfigProblem[];
  /** Silences, maintenance windows, inhibition, flap damping, repeat/resolve policy, decision records. */
  noise: NoiseConfig;
  /** The scheduled digest; absent when not configured or disabled. */
  digest?: DigestConfig;
  /** The heartbeat (dead man's switch); absent when not configured or disabled. */
  heartbeat?: HeartbeatConfig;
  /** The scheduled self-check; absent when not configured or disabled. */
  selfCheck?: SelfCheckConfig;
}

export { formatPath } from './problems';

/**
 * Validates and compiles a parsed klaxon.yml (plain data); throws ConfigError naming every bad key.
 * Deployed functions call this at cold start on the configuration bundled as data at build time;
 * `loadConfig` in ./yaml parses YAML text first (CLI, tests), so the YAML parser stays out of bundles.
 * `checks` adds what needs data the functions do not bundle (the CLI passes the detection catalog's ids).
 */
export function validateConfig(
  input: unknown,
  source = 'klaxon.yml',
  checks: BuildTimeChecks = {},
): KlaxonConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError(source, [{ path: '', message: 'expected a mapping with receivers and route' }]);
  }
  const parsed = klaxonConfigSchemaFor(checks).safeParse(input);
  if (!parsed.success)
    throw new ConfigError(source, zodProblems(parsed.error, input), { cause: parsed.error });
  return compileConfig(parsed.data, source);
}

function compileConfig(input: KlaxonConfigInput, source: string): KlaxonConfig {
  const problems: ConfigProblem[] = [];
  const receiverNames = new Set(Object.keys(input.receivers));
  const { tree, errors } = compileRouteTree(input.route, receiverNames);
  problems.push(...errors, ...duplicateRouteNames(input.route));

  input.severity.forEach((rule, index) => {
    if ('severity' in rule.match) {
      problems.push({
        path: `severity[${index}].match.severity`,
        message: 'a severity rule cannot match on the severity it sets',
      });
    }
  });
  const topicNames = new Set<string>();
  input.intake.alarmTopics.forEach((topic, index) => {
    const name = topic.name ?? topic.arn.split(':').pop() ?? topic.arn;
    if (topicNames.has(name)) {
      problems.push({ path: `intake.alarmTopics[${index}]`, message: `duplicate topic name "${name}"` });
    }
    topicNames.add(name);
  });
  const overSns = new Set<string>();
  input.intake.eventBridgeOverSns.forEach((topic, index) => {
    if (overSns.has(topic.topicArn)) {
      problems.push({
        path: `intake.eventBridgeOverSns[${index}].topicArn`,
        message: `duplicate topic ${topic.topicArn}: list each topic once, with all its accounts`,
      });
    }
    overSns.add(topic.topicArn);
  });
  const fallback = input.delivery.fallbackReceiver;
  if (fallback !== undefined && !receiverNames.has(fallback)) {
    problems.push({
      path: 'delivery.fallbackReceiver',
      message: `unknown receiver "${fallback}" (defined: ${[...receiverNames].join(', ') || 'none'})`,
    });
  }
  const remediation = compileRemediations(input.remediations, input.remediation, receiverNames);
  problems.push(...remediation.problems);
  const noise = compileNoise(input, receiverNames);
  problems.push(...noise.problems);
  const scheduled = scheduledProblems(input, input.receivers);
  problems.push(...scheduled.problems);
  const crossChecked = receiverCrossChecks(input);
  problems.push(...crossChecked.problems);
  if (problems.length > 0 || !tree) throw new ConfigError(source, problems);
  const warnings = [
    ...severityCoverageWarnings(tree),
    ...remediation.warnings,
    ...noise.warnings,
    ...scheduled.warnings,
    ...crossChecked.warnings,
  ];
  const retrySeconds = input.delivery.retrySchedule.reduce((sum, delay) => sum + delay, 0);
  if (retrySeconds < 3600) {
    warnings.push({
      path: 'delivery.retrySchedule',
      message: `durable retries span ${retrySeconds} s; an outage of Slack or PagerDuty often lasts longer than an hour`,
    });
  }
  if (fallback === undefined) {
    warnings.push({
      path: 'delivery.fallbackReceiver',
      message: 'no fallback receiver: a delivery given up on is only dead-lettered and logged',
    });
  }

  return {
    defaults: input.defaults,
    delivery: input.delivery,
    security: compileSecurityConfig(input.security),
    enrichment: compileEnrichment(input.enrichment, tree),
    intake: input.intake,
    severityRules: input.severity.map((rule, index) => ({
      matcher: compileMatcher(rule.match),
      severity: rule.severity,
      configPath: `severity[${index}]`,
    })),
    runbooks: input.runbooks.map((rule) => ({ matcher: compileMatcher(rule.match), url: rule.url })),
    receivers: input.receivers,
    route: tree,
    remediations: remediation.rules,
    remediation: remediation.settings,
    warnings,
    noise: noise.config,
    ...(input.digest?.enabled ? { digest: input.digest } : {}),
    ...(input.heartbeat?.enabled ? { heartbeat: input.heartbeat } : {}),
    ...(input.selfCheck?.enabled ? { selfCheck: input.selfCheck } : {}),
  };
}

/** Each receiver's own checks of what its config names elsewhere (its descriptor's `crossCheck`). */
function receiverCrossChecks(input: KlaxonConfigInput): {
  problems: ConfigProblem[];
  warnings: ConfigProblem[];
} {
  const receivers = Object.fromEntries(
    Object.entries(input.receivers).map(([name, config]) => [
      name,
      { type: config.type, incidentActions: findReceiverDescriptor(config.type)?.incident?.actions ?? [] },
    ]),
  );
  const approvals = input.remediations.some((rule) => rule.mode === 'approve');
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  for (const [name, config] of Object.entries(input.receivers)) {
    const checked = findReceiverDescriptor(config.type)?.crossCheck?.(name, config, { receivers, approvals });
    problems.push(...(checked?.problems ?? []));
    warnings.push(...(checked?.warnings ?? []));
  }
  return { problems, warnings };
}

/** Route names are how explain, test and diff tell routes apart: each may be used once. */
function duplicateRouteNames(root: KlaxonConfigInput['route']): ConfigProblem[] {
  const seen = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  const walk = (route: KlaxonConfigInput['route'], path: string) => {
    if (route.name !== undefined) {
      const first = seen.get(route.name);
      if (first === undefined) seen.set(route.name, path);
      else
        problems.push({
          path: `${path}.name`,
          message: `duplicate route name "${route.name}" (first used at ${first}); explain, test and diff tell routes apart by name`,
        });
    }
    (route.routes ?? []).forEach((child, index) => walk(child, `${path}.routes[${index}]`));
  };
  walk(root, 'route');
  return problems;
}

/** Warns about severities that only the root catch-all delivers while other severities have routes. */
function severityCoverageWarnings(tree: CompiledRoute): ConfigProblem[] {
  const routed = SEVERITIES.map((severity) => ({
    severity,
    routes: matchRoutes(tree, { severity, status: 'firing' }),
  }));
  if (!routed.some((r) => r.routes.some((route) => route !== tree))) return [];
  return routed
    .filter((r) => r.routes.every((route) => route === tree))
    .map((r) => ({
      path: 'route',
      message: `no route delivers severity "${r.severity}": it falls to the root receiver "${tree.receiver}"`,
    }));
}
