import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { KlaxonConfig } from '../config/load';
import type { SelfCheckConfig } from '../config/scheduled';
import { DeliveryIncompleteError } from '../delivery/dispatcher';
import { ConfigError } from '../errors';
import { type DoctorPort, type Finding, runDoctor, ssmReferences } from '../onboarding/doctor';
import { awsDoctorPort } from '../onboarding/doctor-aws';
import { selfCheckComposition } from '../compositions/self-check';
import { processDrafts } from '../event-pipeline';
import type { PipelineDeps } from '../pipeline-deps';
import type { DeployedEnv } from '../deployed/env';
import { deployedPipeline } from '../deployed/pipeline';
import type { InvocationClock } from '../lambda/invocation-clock';
import type { AlertDraft } from '../sources/types';
import { scheduledRun } from './invocation';

/**
 * The scheduled self-check: `klaxon doctor` run by Klaxon on itself, its findings turned into alerts
 * routed like any other. A finding is raised once, when it first appears, and resolved when a later
 * run no longer finds it (the last reported set is kept in the state table); reminders for findings
 * that persist come from the route's `repeatInterval`, as for any alert.
 */

/** The state-table record holding what the last run reported. */
export const SELF_CHECK_RECORD = 'self-check#reported';

/** How long that record lives: long enough for a weekly or monthly schedule too. */
export const SELF_CHECK_RECORD_TTL_SECONDS = 90 * 24 * 3600;

/** A finding as reported (and remembered until it resolves). */
export interface ReportedFinding {
  fingerprint: string;
  check: Finding['check'];
  severity: 'warning' | 'error';
  message: string;
  fix?: string;
  /** When it was first reported (the run's scheduled time). */
  since: string;
}

/** The record of what the last run reported. */
export interface SelfCheckRecord {
  runAt: string;
  findings: ReportedFinding[];
}

/** Where the self-check runs: the identity of its alerts. */
export interface SelfCheckScope {
  stage: string;
  account: string;
  region: string;
  minimum: SelfCheckConfig['minimum'];
  /** The run's scheduled time (identical on Lambda's retries of one run). */
  runAt: string;
}

/** What one run sends and remembers. */
export interface SelfCheckPlan {
  /** New findings (firing) and vanished ones (resolved). */
  drafts: AlertDraft[];
  /** The record to save once the drafts are delivered. */
  next: SelfCheckRecord;
  /** Findings at or above the minimum in this run. */
  reported: ReportedFinding[];
  /** Earlier findings of a check that could not run this time: neither resolved nor dropped. */
  carried: ReportedFinding[];
}

/** True for the doctor's "could not check" findings (an API it may not call, a timeout…). */
export function isCouldNotCheck(finding: Pick<Finding, 'message'>): boolean {
  return finding.message.startsWith('could not check ');
}

/**
 * The findings that become alerts: errors, warnings when the minimum is `warning`, and always the
 * "could not check" ones (the self-check telling you its own IAM or the API is wrong).
 */
export function selectFindings(findings: readonly Finding[], minimum: SelfCheckConfig['minimum']): Finding[] {
  return findings.filter(
    (f) =>
      f.severity === 'error' || (f.severity === 'warning' && (minimum === 'warning' || isCouldNotCheck(f))),
  );
}

/**
 * Stable identity of a finding: per stage, check and subject (and account and region, hashed in).
 * The doctor's subject stays the same while the message's counts and lists change ("3 of 40 security
 * rules missing" becoming "5 of 40…" is the same open alert); a finding without one falls back to
 * its message.
 */
export function findingFingerprint(
  finding: Pick<Finding, 'check' | 'message' | 'subject'>,
  scope: SelfCheckScope,
): string {
  const identity = finding.subject ?? finding.message;
  const digest = createHash('sha256')
    .update([scope.account, scope.region, scope.stage, finding.check, identity].join('\0'))
    .digest('hex')
    .slice(0, 20);
  return `klaxon:self-check:${scope.stage}:${finding.check}:${digest}`;
}

function draftOf(finding: ReportedFinding, status: 'firing' | 'resolved', scope: SelfCheckScope): AlertDraft {
  return {
    labels: {
      source: 'klaxon',
      kind: 'self-check',
      check: finding.check,
      account: scope.account,
      region: scope.region,
      stage: scope.stage,
    },
    annotations: {
      summary: finding.message,
      reason: `klaxon self-check of stage ${scope.stage} in ${scope.account}/${scope.region} (klaxon doctor, check ${finding.check})`,
      ...(finding.fix ? { fix: finding.fix, description: `Fix: ${finding.fix}` } : {}),
    },
    severityHint: { word: finding.severity, from: 'klaxon doctor' },
    status,
    fingerprint: finding.fingerprint,
    // One transition per appearance and per resolve; a retried run (same runAt) is the same transition.
    transitionId: `${finding.fingerprint}|${status}|${status === 'firing' ? finding.since : scope.runAt}`,
    startsAt: finding.since,
    observedAt: scope.runAt,
    path: 'eventbridge',
    links: [],
    raw: { check: finding.check, severity: finding.severity, message: finding.message },
    partition: 'aws',
  };
}

/** Compares this run's findings with the last run's: what to raise, what to resolve, what to remember. */
export function planSelfCheck(
  findings: readonly Finding[],
  previous: SelfCheckRecord | undefined,
  scope: SelfCheckScope,
): SelfCheckPlan {
  const before = new Map((previous?.findings ?? []).map((f) => [f.fingerprint, f]));
  const reported = new Map<string, ReportedFinding>();
  for (const finding of selectFindings(findings, scope.minimum)) {
    const fingerprint = findingFingerprint(finding, scope);
    if (reported.has(fingerprint)) continue;
    reported.set(fingerprint, {
      fingerprint,
      check: finding.check,
      severity: finding.severity as ReportedFinding['severity'],
      message: finding.message,
      ...(finding.fix ? { fix: finding.fix } : {}),
      since: before.get(fingerprint)?.since ?? scope.runAt,
    });
  }
  const blind = new Set(findings.filter(isCouldNotCheck).map((f) => f.check));
  const drafts: AlertDraft[] = [];
  for (const finding of reported.values())
    if (!before.has(finding.fingerprint)) drafts.push(draftOf(finding, 'firing', scope));
  const carried: ReportedFinding[] = [];
  for (const finding of before.values()) {
    if (reported.has(finding.fingerprint)) continue;
    // A check that could not run says nothing about its earlier findings: keep them open.
    if (blind.has(finding.check) && !isCouldNotCheck(finding)) carried.push(finding);
    else drafts.push(draftOf(finding, 'resolved', scope));
  }
  return {
    drafts,
    next: { runAt: scope.runAt, findings: [...reported.values(), ...carried] },
    reported: [...reported.values()],
    carried,
  };
}

/** What the self-check function runs with. */
export interface SelfCheckDeps {
  /** The pipeline in deliver mode (dispatcher, state table, receivers of klaxon.yml). */
  pipeline: PipelineDeps;
  port: DoctorPort;
  stage: string;
  /** The `{ssm: name}` references of klaxon.yml, for the secrets check. */
  secrets: Array<{ name: string; path: string }>;
}

/** What one run did. */
export interface SelfCheckResult {
  outcome: 'checked' | 'disabled';
  findings: number;
  reported: number;
  raised: number;
  resolved: number;
  carried: number;
  delivered: number;
  failed: number;
}

/**
 * Runs the doctor, raises new findings at or above `selfCheck.minimum`, resolves vanished ones, and
 * remembers the set only after delivery (an incomplete delivery throws so Lambda retries the same run,
 * which claims make safe). Not configured (`selfCheck` absent or disabled): does nothing.
 */
export async function runSelfCheck(
  event: unknown,
  deps: SelfCheckDeps,
  functionArn?: string,
): Promise<SelfCheckResult> {
  const { pipeline } = deps;
  const empty = { findings: 0, reported: 0, raised: 0, resolved: 0, carried: 0, delivered: 0, failed: 0 };
  const settings = pipeline.config.selfCheck;
  if (!settings) {
    pipeline.observer.note('info', 'self-check not configured (klaxon.yml selfCheck absent or disabled)', {});
    return { outcome: 'disabled', ...empty };
  }
  const now = pipeline.now();
  const run = scheduledRun(event, now, functionArn);
  const scope: SelfCheckScope = {
    stage: deps.stage,
    account: run.account ?? 'unknown',
    region: run.region ?? deps.port.region,
    minimum: settings.minimum,
    runAt: run.at.toISOString(),
  };
  const findings = await runDoctor(deps.port, { stage: deps.stage, secrets: deps.secrets });
  const store = pipeline.store;
  // A state table that cannot be read fails the run (Lambda retries it): guessing would re-raise everything.
  const previous = store ? await store.loadRecord<SelfCheckRecord>(SELF_CHECK_RECORD) : undefined;
  const plan = planSelfCheck(findings, previous, scope);
  for (const finding of plan.reported)
    pipeline.observer.count('SelfCheckFindings', { severity: finding.severity });
  const result = await processDrafts(plan.drafts, pipeline, selfCheckComposition);
  if (result.incomplete) throw new DeliveryIncompleteError(result.incomplete);
  await store?.saveRecord(SELF_CHECK_RECORD, plan.next, now.getTime(), {
    ttlSeconds: SELF_CHECK_RECORD_TTL_SECONDS,
  });
  const deliveries = result.alerts.flatMap((a) => a.deliveries);
  const summary: SelfCheckResult = {
    outcome: 'checked',
    findings: findings.length,
    reported: plan.reported.length,
    raised: plan.drafts.filter((d) => d.status === 'firing').length,
    resolved: plan.drafts.filter((d) => d.status === 'resolved').length,
    carried: plan.carried.length,
    delivered: deliveries.filter((d) => ['delivered', 'grouped', 'queued'].includes(d.outcome)).length,
    failed: deliveries.filter((d) => d.outcome === 'failed').length,
  };
  pipeline.observer.note('info', 'self-check ran', {
    ...summary,
    runAt: scope.runAt,
    minimum: scope.minimum,
  });
  return summary;
}

/** The deployed dependencies: the bundled klaxon.yml, the doctor's SDK port for the function's region. */
export function deployedSelfCheck(
  configData: unknown,
  env: DeployedEnv,
  powertools: { logger: Logger; metrics: Metrics; tracer: Tracer },
  clock: InvocationClock,
): SelfCheckDeps & { pipeline: PipelineDeps & { config: KlaxonConfig } } {
  const stage = env.KLAXON_STAGE;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!stage || !region) {
    throw new ConfigError('the self-check function environment', [
      ...(stage ? [] : [{ path: 'KLAXON_STAGE', message: 'not set (serverless.yml sets it)' }]),
      ...(region ? [] : [{ path: 'AWS_REGION', message: 'not set (Lambda sets it)' }]),
    ]);
  }
  return {
    pipeline: deployedPipeline(configData, env, powertools, clock),
    port: awsDoctorPort(region),
    stage,
    secrets: ssmReferences(configData),
  };
}
