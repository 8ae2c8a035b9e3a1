import { type Alert, compareSeverity, type Severity } from '../alert/alert';
import type { KlaxonConfig } from '../config/load';
import type { Dispatcher } from '../delivery/dispatcher';
import { type DeliveryJob, queuedAlert } from '../delivery/jobs';
import type { DeliveryQueue } from '../delivery/queue';
import { consoleBase } from '../enrichment/links';
import { StateStoreError } from '../errors';
import type { PipelineObserver } from '../observability/observer';
import type { DeliveryResult } from '../receivers/types';
import { type Decision, isPagingReceiver } from '../routing/decide';
import { isAllowlisted } from '../security/allowlist';
import { partitionOfRegion } from '../security/cloudtrail-fields';
import type { StateStore } from '../state/store';
import { approvalLink } from './approval';
import { ACTIONS, parameterProblem } from './catalog';
import { enabledDocuments, type RemediationMode, type RemediationRule } from './config';
import type { RunCommand, SsmAutomation } from './ssm';
import { renderTemplate } from './template';
import { remediationToken } from './token';
import { alertName } from '../alert/name';

/**
 * The remediation stage: after routing, it matches the alert against the `remediations:` rules and
 * decides (dry run, start, wait for approval, or skip and why) behind every guard; it maps SSM
 * status events back to the alert that caused them; it checks after a successful remediation that
 * the alert resolved, and escalates when not. Every decision goes to the structured log, the metrics
 * and (deployed) an audit record in the state table. Guards fail closed: without the state table,
 * nothing is started.
 */

/** What Klaxon decided for one alert. */
export type RemediationOutcome = 'dry-run' | 'started' | 'pending-approval' | 'skipped';

/** The remediation decision recorded on an alert's outcome (and in the replay output). */
export interface RemediationDecision {
  rule: string;
  action: string;
  mode: RemediationMode;
  /** The validated parameters (as they were or would be sent). */
  parameters: Record<string, string>;
  outcome: RemediationOutcome;
  /** Why: the guard that skipped it, or what a dry run would have done. */
  reason?: string;
  /** The Automation execution id or Run Command command id. */
  executionId?: string;
  /** The id to approve with (`klaxon approve <id>`), for pending approvals. */
  approvalId?: string;
  approvedBy?: string;
  /** For a status report of an execution: its final SSM status. */
  status?: string;
}

/** The audit record of one decision: `remediation#<token>` in the state table (kept 90 days). */
export interface RemediationRecord {
  token: string;
  rule: string;
  action: string;
  kind: 'automation' | 'run-command';
  mode: RemediationMode;
  parameters: Record<string, string>;
  outcome: RemediationOutcome | 'starting';
  reason?: string;
  executionId?: string;
  status?: string;
  result?: 'succeeded' | 'failed';
  approvedBy?: string;
  /** Pending approvals expire (epoch ms). */
  expiresAt?: number;
  /** The concurrency slot an execution holds until its final status arrives. */
  slot?: number;
  cooldownKey?: string;
  decidedAt: number;
  startedAt?: number;
  fingerprint: string;
  transitionId: string;
  receivers: string[];
  alert: Alert;
  history: Array<{ at: string; event: string }>;
}

/** What the remediation stage runs with; built once per cold start. */
export interface RemediatorDeps {
  config: KlaxonConfig;
  observer: PipelineObserver;
  now: () => Date;
  /** The state table: required to start anything (guards fail closed without it). */
  store?: StateStore;
  automation?: SsmAutomation;
  runCommand?: RunCommand;
  /** The retry queue, for `verify-remediation` jobs. */
  queue?: DeliveryQueue;
  /** ARNs of Klaxon's own roles (KLAXON_OWN_ROLE_ARNS): events they caused are never acted on. */
  ownRoleArns?: readonly string[];
  /** The HMAC key of signed approval links (from the SSM prefix), when configured. */
  approvalKey?: () => Promise<string | undefined>;
  /** The stage, shown in the approval command. */
  stage?: string;
}

const HOUR_MS = 3_600_000;
const AUDIT_TTL_SECONDS = 90 * 86_400;
/** A claim still `starting` after this long belongs to an invocation that died mid-start. */
const STALE_START_MS = 60_000;

const recordKey = (token: string) => `remediation#${token}`;
const executionKey = (executionId: string) => `remediation-execution#${executionId}`;
const breakerKey = (rule: string) => `remediation-breaker#${rule}`;
const resolvedKey = (fingerprint: string) => `remediation-resolved#${fingerprint}`;
const slotKey = (slot: number) => `remediation-slot#${slot}`;

/** A guard said no; the message is the reason recorded. */
class Skip extends Error {
  override readonly name = 'Skip';
}

interface BreakerState {
  failures: number;
  openedAt?: number;
}

function describeParameters(parameters: Record<string, string>): string {
  const entries = Object.entries(parameters).filter(([name]) => name !== 'AutomationAssumeRole');
  return entries.length > 0 ? entries.map(([name, value]) => `${name}=${value}`).join(', ') : 'no parameters';
}

function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

function moreUrgent(a: Severity, b: Severity): Severity {
  return compareSeverity(a, b) <= 0 ? a : b;
}

/** The remediation stage (see the module comment). */
export class Remediator {
  /** Documents klaxon.yml enables (rules not in dry-run): the runtime document allowlist. */
  private readonly enabled: ReadonlySet<string>;

  constructor(private readonly deps: RemediatorDeps) {
    this.enabled = enabledDocuments(deps.config.remediations);
  }

  private get config(): KlaxonConfig {
    return this.deps.config;
  }

  private nowMs(): number {
    return this.deps.now().getTime();
  }

  /**
   * Called once per alert, after routing. Returns the decision to deliver (annotated with what was
   * done, or rewritten for an SSM status report) and the remediation decision when a rule matched.
   */
  async consider(
    decision: Decision,
    context: { mode: 'deliver' | 'preview' },
  ): Promise<{ decision: Decision; remediation?: RemediationDecision }> {
    const { alert } = decision;
    const live = context.mode === 'deliver';
    // Klaxon's own alerts (notices, status reports) never trigger a remediation (loop prevention).
    if (alert.labels.source === 'klaxon') {
      return alert.labels.kind === 'remediation-status' ? this.statusReport(decision, live) : { decision };
    }
    if (live && alert.status === 'resolved') await this.recordResolved(alert);
    const labels = { ...alert.labels, severity: alert.severity, status: alert.status };
    const rule = this.config.remediations.find((r) => r.matcher.matches(labels));
    if (!rule) return { decision };
    const { remediation, link } = await this.decide(rule, decision, live);
    this.report(remediation, alert);
    return { decision: this.annotate(decision, remediation, link), remediation };
  }

  // ---------------------------------------------------------------- deciding

  private async decide(
    rule: RemediationRule,
    decision: Decision,
    live: boolean,
  ): Promise<{ remediation: RemediationDecision; link?: string }> {
    const { alert } = decision;
    const token = remediationToken(alert.transitionId, rule.name);
    const base = { rule: rule.name, action: rule.action.name, mode: rule.mode };
    let parameters: Record<string, string> = {};
    let problem: string | undefined;
    try {
      parameters = this.checkAlert(rule, decision);
    } catch (error) {
      if (!(error instanceof Skip)) throw error;
      problem = error.message;
    }
    if (!live || rule.mode === 'dry-run') {
      const remediation: RemediationDecision = problem
        ? { ...base, parameters, outcome: 'skipped', reason: problem }
        : {
            ...base,
            parameters,
            outcome: 'dry-run',
            reason: live
              ? `matched ${rule.matcher.description}; mode dry-run: would start ${rule.action.name} (${describeParameters(parameters)}); nothing was started`
              : `matched ${rule.matcher.description}; replay: would ${rule.mode === 'approve' ? 'ask for approval to start' : 'start'} ${rule.action.name} (${describeParameters(parameters)}); replays never act${rule.mode === 'dry-run' ? '' : ` (the rule's mode is ${rule.mode})`}`,
          };
      if (live) await this.auditOnly(token, rule, decision, remediation);
      return { remediation };
    }
    const store = this.deps.store;
    if (!store) {
      return {
        remediation: {
          ...base,
          parameters,
          outcome: 'skipped',
          reason:
            'no state table: cooldowns, caps and idempotency cannot be enforced, so nothing is started (fail closed)',
        },
      };
    }
    try {
      const now = this.nowMs();
      const record: RemediationRecord = {
        token,
        ...base,
        kind: rule.action.kind,
        parameters,
        outcome: 'starting',
        decidedAt: now,
        fingerprint: alert.fingerprint,
        transitionId: alert.transitionId,
        receivers: decision.suppressed ? [] : decision.receivers,
        alert: queuedAlert(alert),
        history: [
          { at: new Date(now).toISOString(), event: `matched rule ${rule.name} (mode ${rule.mode})` },
        ],
      };
      const claimed = await store.saveRecord(recordKey(token), record, now, {
        ifAbsent: true,
        ttlSeconds: AUDIT_TTL_SECONDS,
      });
      if (!claimed) return { remediation: await this.duplicate(token, rule, parameters) };
      if (problem) return { remediation: await this.finish(record, { outcome: 'skipped', reason: problem }) };
      return await this.guardAndAct(record, rule);
    } catch (error) {
      if (!(error instanceof StateStoreError)) throw error;
      this.degraded('remediation guards', error);
      return {
        remediation: {
          ...base,
          parameters,
          outcome: 'skipped',
          reason: 'the state table is unavailable: nothing is started without guards (fail closed)',
        },
      };
    }
  }

  /** Checks that need no state: status, suppression, own role, catalog, parameters. Throws Skip. */
  private checkAlert(rule: RemediationRule, decision: Decision): Record<string, string> {
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
      { ...this.config.security, allowlist: [] },
      this.deps.now(),
      this.deps.ownRoleArns ?? [],
    );
    if (own?.kind === 'own-role') {
      throw new Skip(`the event was caused by Klaxon's own role (${own.entry}): never acted on`);
    }
    this.checkCatalog(rule);
    return this.parameters(rule, alert);
  }

  /** The document allowlist, part 1: the rule's action is the catalog's own entry. */
  private checkCatalog(rule: RemediationRule): void {
    const spec = ACTIONS.get(rule.action.name);
    if (!spec || spec !== rule.action) {
      throw new Skip(`document ${rule.action.name} is not in the action catalog: never started`);
    }
  }

  /** Renders and validates every parameter; a label value that fails its pattern is never sent. */
  private parameters(rule: RemediationRule, alert: Alert): Record<string, string> {
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
    const role = this.config.remediation.automationAssumeRole;
    if (role && spec.parameters.AutomationAssumeRole && values.AutomationAssumeRole === undefined) {
      values.AutomationAssumeRole = role;
    }
    for (const parameter of Object.values(spec.parameters)) {
      if (parameter.required && values[parameter.name] === undefined) {
        throw new Skip(`parameter ${parameter.name} is required by ${spec.name}`);
      }
    }
    return values;
  }

  /** Circuit breaker and cooldown, then: ask for approval, or start. */
  private async guardAndAct(
    record: RemediationRecord,
    rule: RemediationRule,
  ): Promise<{ remediation: RemediationDecision; link?: string }> {
    const store = this.store();
    const now = this.nowMs();
    const open = await this.breakerOpen(rule.name);
    if (open) return { remediation: await this.finish(record, { outcome: 'skipped', reason: open }) };
    const resource = record.parameters[rule.action.resourceParameter] ?? '';
    const cooldownKey = `remediation-cooldown#${rule.name}#${resource}`;
    if (rule.cooldownMs > 0) {
      const free = await store.acquireLease(cooldownKey, record.token, now + rule.cooldownMs, now);
      if (!free) {
        return {
          remediation: await this.finish(record, {
            outcome: 'skipped',
            reason: `cooldown: rule ${rule.name} acted on ${resource} less than ${formatDuration(rule.cooldownMs)} ago`,
          }),
        };
      }
      record.cooldownKey = cooldownKey;
    }
    if (rule.mode === 'approve') {
      const expiresAt = now + this.config.remediation.approval.expiresAfterMs;
      const remediation = await this.finish(record, {
        outcome: 'pending-approval',
        expiresAt,
        reason: `waiting for approval until ${new Date(expiresAt).toISOString()}`,
      });
      return { remediation, link: await this.link(record.token, expiresAt) };
    }
    return { remediation: await this.launch(record, rule, true) };
  }

  /**
   * The hourly cap and the concurrency cap, then the start itself. `final`: a cap refusal ends the
   * decision (auto mode); otherwise (an approval) the remediation stays pending.
   */
  private async launch(
    record: RemediationRecord,
    rule: RemediationRule,
    final: boolean,
  ): Promise<RemediationDecision> {
    const store = this.store();
    const settings = this.config.remediation;
    const now = this.nowMs();
    const refuse = async (reason: string): Promise<RemediationDecision> => {
      if (record.cooldownKey && final) await store.releaseLease(record.cooldownKey, record.token);
      if (final) return this.finish(record, { outcome: 'skipped', reason });
      return this.view(record, { reason });
    };
    const started = await store.countEvent('remediation-starts', now, HOUR_MS);
    if (started > settings.maxPerHour) {
      return refuse(
        `global cap: ${started - 1} executions were started in the last hour (remediation.maxPerHour: ${settings.maxPerHour})`,
      );
    }
    let slot: number | undefined;
    for (let i = 0; i < settings.maxConcurrent && slot === undefined; i++) {
      if (await store.acquireLease(slotKey(i), record.token, now + settings.executionTimeoutMs, now))
        slot = i;
    }
    if (slot === undefined) {
      return refuse(
        `concurrency cap: ${settings.maxConcurrent} executions are still running (remediation.maxConcurrent)`,
      );
    }
    let executionId: string;
    try {
      executionId = await this.start(rule, record.parameters, record.token);
    } catch (error) {
      await store.releaseLease(slotKey(slot), record.token);
      if (error instanceof Skip) return this.finish(record, { outcome: 'skipped', reason: error.message });
      if (error instanceof StateStoreError) throw error;
      const reason = `start failed: ${(error as Error).message}`;
      const tripped = await this.recordResult(rule.name, false);
      return this.finish(record, {
        outcome: 'skipped',
        reason: tripped ? `${reason}; ${tripped}` : reason,
      });
    }
    await store.saveRecord(executionKey(executionId), { token: record.token }, now, {
      ttlSeconds: AUDIT_TTL_SECONDS,
    });
    return this.finish(record, { outcome: 'started', executionId, slot, startedAt: now });
  }

  /** The document allowlist, part 2, and the SSM call. Same token, same execution. */
  private async start(
    rule: RemediationRule,
    parameters: Record<string, string>,
    token: string,
  ): Promise<string> {
    this.checkCatalog(rule);
    const spec = rule.action;
    if (!this.enabled.has(spec.name)) {
      throw new Skip(`document ${spec.name} is not enabled by klaxon.yml: never started`);
    }
    for (const [name, value] of Object.entries(parameters)) {
      const parameter = spec.parameters[name];
      const problem = parameter ? parameterProblem(parameter, value) : `not declared by ${spec.name}`;
      if (problem) throw new Skip(`parameter ${name}: ${problem}`);
    }
    if (spec.kind === 'automation') {
      if (!this.deps.automation) throw new Skip('no SSM Automation client is configured');
      return this.deps.automation.start({
        document: spec.name,
        parameters: Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, [value]])),
        clientToken: token,
      });
    }
    if (!this.deps.runCommand) throw new Skip('no Run Command client is configured');
    const { InstanceId: instanceId, ...rest } = parameters;
    if (!instanceId || !rule.commands) throw new Skip('Run Command needs an instance and fixed commands');
    return this.deps.runCommand.send({
      document: spec.name,
      instanceIds: [instanceId],
      // The commands come from klaxon.yml only; event data can at most pick the (validated) instance.
      parameters: {
        commands: [...rule.commands],
        ...Object.fromEntries(Object.entries(rest).map(([name, value]) => [name, [value]])),
      },
      comment: `klaxon ${rule.name} ${token}`,
    });
  }

  /** A second decision for the same transition and rule: report the first one; restart a start that died. */
  private async duplicate(
    token: string,
    rule: RemediationRule,
    parameters: Record<string, string>,
  ): Promise<RemediationDecision> {
    const store = this.store();
    const existing = await store.loadRecord<RemediationRecord>(recordKey(token));
    const base = { rule: rule.name, action: rule.action.name, mode: rule.mode, parameters };
    if (!existing) return { ...base, outcome: 'skipped', reason: 'duplicate of a decision in progress' };
    const stale = existing.outcome === 'starting' && this.nowMs() - existing.decidedAt > STALE_START_MS;
    if (stale && rule.action.kind === 'automation') {
      // The first invocation died between its claim and its start; the ClientToken makes retrying safe.
      existing.history.push({
        at: this.deps.now().toISOString(),
        event: 'retrying a start that did not finish',
      });
      return (await this.guardAndAct(existing, rule)).remediation;
    }
    return {
      ...base,
      outcome: 'skipped',
      reason: `duplicate: this transition was already decided (${existing.outcome}${existing.executionId ? ` ${existing.executionId}` : ''})`,
      ...(existing.executionId ? { executionId: existing.executionId } : {}),
      ...(existing.outcome === 'pending-approval' ? { approvalId: existing.token } : {}),
    };
  }

  // ---------------------------------------------------------------- approval

  /**
   * Approves a pending remediation (the CLI, a signed link, or later a Slack button) and starts it
   * behind the same guards. `by` names the approver for the audit record.
   */
  async approve(approvalId: string, by: string): Promise<RemediationDecision> {
    const store = this.store();
    const record = await store.loadRecord<RemediationRecord>(recordKey(approvalId));
    if (!record) throw new Error(`no remediation with id ${approvalId}`);
    if (record.outcome !== 'pending-approval') {
      return this.view(record, { reason: `not pending approval: it is ${record.outcome}` });
    }
    const now = this.nowMs();
    if (record.expiresAt !== undefined && now >= record.expiresAt) {
      return this.finish(record, { outcome: 'skipped', reason: 'the approval request expired' });
    }
    const rule = this.config.remediations.find((r) => r.name === record.rule);
    if (!rule || rule.action.name !== record.action || rule.mode !== 'approve') {
      return this.view(record, {
        reason: `rule ${record.rule} no longer asks for approval of ${record.action} in klaxon.yml`,
      });
    }
    const open = await this.breakerOpen(rule.name);
    if (open) return this.view(record, { reason: open });
    record.approvedBy = by;
    record.history.push({ at: new Date(now).toISOString(), event: `approved by ${by}` });
    const result = await this.launch(record, rule, false);
    this.report(result, record.alert);
    return result;
  }

  /** The signed approval link, when a URL and a key are configured. */
  private async link(token: string, expiresAt: number): Promise<string | undefined> {
    const url = this.config.remediation.approval.url;
    if (!url || !this.deps.approvalKey) return undefined;
    try {
      const key = await this.deps.approvalKey();
      return key ? approvalLink(url, key, token, expiresAt) : undefined;
    } catch (error) {
      this.deps.observer.note('warn', 'approval link key unavailable; approval by CLI only', {
        error: (error as Error).message,
      });
      return undefined;
    }
  }

  // ---------------------------------------------------------------- status reports

  /** An SSM status event: update the record, the breaker and the slot, and report to the alert's receivers. */
  private async statusReport(
    decision: Decision,
    live: boolean,
  ): Promise<{ decision: Decision; remediation?: RemediationDecision }> {
    const { alert } = decision;
    const executionId = alert.labels.executionId ?? '';
    const status = alert.labels.executionStatus ?? 'Unknown';
    const result = alert.labels.executionResult === 'succeeded' ? 'succeeded' : 'failed';
    const unmapped = (reason: string) => ({ decision: { ...decision, receivers: [], suppressed: reason } });
    const store = this.deps.store;
    if (!live || !store) {
      return unmapped(
        `remediation status of ${executionId}: no state table to map it to the alert that caused it${live ? '' : ' (replay)'}`,
      );
    }
    try {
      const pointer = await store.loadRecord<{ token: string }>(executionKey(executionId));
      const record = pointer && (await store.loadRecord<RemediationRecord>(recordKey(pointer.token)));
      if (!record)
        return unmapped(`execution ${executionId} was not started by Klaxon (not in the state table)`);
      const now = this.nowMs();
      const first = await store.claimOnce(`remediation-status#${executionId}#${status}`, now);
      let tripped: string | undefined;
      let failure: string | undefined;
      const rule = this.config.remediations.find((r) => r.name === record.rule);
      if (first) {
        if (record.slot !== undefined) await store.releaseLease(slotKey(record.slot), record.token);
        tripped = await this.recordResult(record.rule, result === 'succeeded');
        if (result === 'failed') failure = await this.failureReason(record, executionId);
        record.status = status;
        record.result = result;
        record.history.push({
          at: new Date(now).toISOString(),
          event: `execution ${executionId} ${status}${failure ? `: ${failure}` : ''}${tripped ? `; ${tripped}` : ''}`,
        });
        await store.saveRecord(recordKey(record.token), record, now, { ttlSeconds: AUDIT_TTL_SECONDS });
        if (result === 'succeeded' && rule?.verify) await this.scheduleVerify(record, rule.verify.withinMs);
      }
      const resolved = await store.loadRecord<{ at: number }>(resolvedKey(record.fingerprint));
      const alreadyResolved = resolved !== undefined && resolved.at >= (record.startedAt ?? record.decidedAt);
      const remediation: RemediationDecision = {
        rule: record.rule,
        action: record.action,
        mode: record.mode,
        parameters: record.parameters,
        outcome: 'started',
        executionId,
        status,
        reason: `execution ${status}${failure ? `: ${failure}` : ''}${tripped ? `; ${tripped}` : ''}`,
        ...(record.approvedBy ? { approvedBy: record.approvedBy } : {}),
      };
      if (first) {
        this.deps.observer.count('RemediationsDecided', { mode: record.mode, outcome: result });
        this.deps.observer.note(result === 'succeeded' ? 'info' : 'warn', 'remediation finished', {
          fingerprint: record.fingerprint,
          remediation,
        });
      }
      const report = this.statusAlert(alert, record, { status, result, failure, tripped });
      const receivers = [
        ...new Set([...record.receivers, ...(tripped ? this.config.remediation.notify : [])]),
      ];
      const skipped: Decision['skipped'] = [];
      const delivered = receivers.filter((receiver) => {
        // A trigger with the incident's dedup_key would reopen an incident the OK already resolved.
        if (alreadyResolved && isPagingReceiver(this.config, receiver)) {
          skipped.push({
            receiver,
            reason: 'the alert already resolved: a trigger would reopen the incident',
          });
          return false;
        }
        return true;
      });
      return {
        decision: {
          alert: report,
          severitySource: 'event',
          routes: ['remediation-status'],
          receivers: delivered,
          skipped,
          groups: {},
        },
        remediation,
      };
    } catch (error) {
      if (!(error instanceof StateStoreError)) throw error;
      this.degraded('remediation status', error);
      return unmapped(`remediation status of ${executionId}: the state table is unavailable`);
    }
  }

  /** The alert reporting an execution's end: the original alert's identity (same dedup_key), its severity kept. */
  private statusAlert(
    event: Alert,
    record: RemediationRecord,
    facts: { status: string; result: 'succeeded' | 'failed'; failure?: string; tripped?: string },
  ): Alert {
    const original = record.alert;
    const region = original.labels.region;
    const base = consoleBase(partitionOfRegion(region), region);
    const executionUrl =
      record.kind === 'automation'
        ? `${base}/systems-manager/automation/execution/${event.labels.executionId}?region=${region}`
        : `${base}/systems-manager/run-command/${event.labels.executionId}?region=${region}`;
    const outcome = facts.result === 'succeeded' ? 'succeeded' : `failed (${facts.status})`;
    const summary = `Remediation ${record.action} ${outcome} for ${alertName(original.labels, original.fingerprint)}: ${describeParameters(record.parameters)}`;
    return {
      ...original,
      labels: {
        ...original.labels,
        remediationRule: record.rule,
        executionId: event.labels.executionId ?? '',
        executionStatus: facts.status,
      },
      annotations: {
        ...original.annotations,
        summary: summary.slice(0, 900),
        reason: facts.failure ?? `${record.action} execution ${event.labels.executionId} ${facts.status}`,
        description: [
          `Remediation rule ${record.rule} (${record.mode}${record.approvedBy ? `, approved by ${record.approvedBy}` : ''}) ran ${record.action} for ${original.annotations.summary}`,
          `Execution: ${event.labels.executionId} ${facts.status}`,
          ...(facts.failure ? [`Failure: ${facts.failure}`] : []),
          ...(facts.tripped ? [facts.tripped] : []),
        ].join('\n'),
        remediation: summary.slice(0, 900),
      },
      severity: facts.tripped ? moreUrgent(original.severity, 'error') : original.severity,
      status: 'firing',
      transitionId: event.transitionId,
      observedAt: event.observedAt,
      links: [{ text: 'SSM execution', url: executionUrl }, ...original.links],
      raw: undefined,
    };
  }

  /** Status events carry no failure reason: ask SSM (best effort). */
  private async failureReason(record: RemediationRecord, executionId: string): Promise<string | undefined> {
    try {
      if (record.kind === 'automation') return (await this.deps.automation?.status(executionId))?.failure;
      const instance = record.parameters.InstanceId;
      if (!instance || !this.deps.runCommand) return undefined;
      const invocation = await this.deps.runCommand.invocation(executionId, instance);
      return invocation.output
        ? `${invocation.status}: ${invocation.output.slice(0, 300)}`
        : invocation.status;
    } catch (error) {
      return `(could not read the failure from SSM: ${(error as Error).name})`;
    }
  }

  private async scheduleVerify(record: RemediationRecord, withinMs: number): Promise<void> {
    const queue = this.deps.queue;
    if (!queue) {
      this.deps.observer.note('warn', 'no retry queue: the remediation cannot be verified', {
        fingerprint: record.fingerprint,
        token: record.token,
      });
      return;
    }
    const job: Extract<DeliveryJob, { kind: 'verify-remediation' }> = {
      kind: 'verify-remediation',
      receiver: record.receivers[0] ?? this.config.route.receiver,
      token: record.token,
      dueAt: this.nowMs() + withinMs,
    };
    try {
      await queue.retry(job, Math.min(900, Math.ceil(withinMs / 1000)));
    } catch (error) {
      this.deps.observer.note('error', 'could not schedule the remediation check', {
        fingerprint: record.fingerprint,
        token: record.token,
        error: (error as Error).message,
      });
    }
  }

  // ---------------------------------------------------------------- verification

  /**
   * A `verify-remediation` job: when the remediated alert has not resolved since the execution
   * started, escalate (more urgent severity, escalation receivers added) under its own dedup_key.
   */
  async verify(
    job: Extract<DeliveryJob, { kind: 'verify-remediation' }>,
    dispatcher: Dispatcher,
  ): Promise<DeliveryResult | undefined> {
    const now = this.nowMs();
    if (job.dueAt > now) {
      await this.deps.queue?.retry(job, Math.min(900, Math.ceil((job.dueAt - now) / 1000)));
      return undefined;
    }
    const store = this.store();
    const record = await store.loadRecord<RemediationRecord>(recordKey(job.token));
    if (
      !record ||
      record.history.some((h) => h.event.startsWith('verified') || h.event.startsWith('escalated'))
    ) {
      return undefined;
    }
    const rule = this.config.remediations.find((r) => r.name === record.rule);
    const resolved = await store.loadRecord<{ at: number }>(resolvedKey(record.fingerprint));
    const startedAt = record.startedAt ?? record.decidedAt;
    const remediation: RemediationDecision = {
      rule: record.rule,
      action: record.action,
      mode: record.mode,
      parameters: record.parameters,
      outcome: 'started',
      executionId: record.executionId,
      status: record.status,
    };
    if (resolved && resolved.at >= startedAt) {
      record.history.push({ at: new Date(now).toISOString(), event: 'verified: the alert resolved' });
      await store.saveRecord(recordKey(record.token), record, now, { ttlSeconds: AUDIT_TTL_SECONDS });
      this.deps.observer.count('RemediationsDecided', { mode: record.mode, outcome: 'verified' });
      this.deps.observer.note('info', 'remediation verified', {
        fingerprint: record.fingerprint,
        remediation: { ...remediation, reason: 'the alert resolved' },
      });
      return undefined;
    }
    const within = now - startedAt;
    const severity = moreUrgent(record.alert.severity, rule?.verify?.severity ?? 'critical');
    const original = record.alert;
    const alert: Alert = {
      ...original,
      labels: { ...original.labels, remediationRule: record.rule, kind: 'remediation-escalation' },
      annotations: {
        ...original.annotations,
        summary:
          `${alertName(original.labels, original.fingerprint)} is still firing ${formatDuration(Math.round(within / 60_000) * 60_000 || within)} after ${record.action} succeeded (execution ${record.executionId ?? '?'}): escalating`.slice(
            0,
            900,
          ),
        remediation: `${record.action} (${describeParameters(record.parameters)}) did not resolve the alert`,
      },
      severity,
      status: 'firing',
      transitionId: `klaxon:remediation-escalation:${record.token}`,
      observedAt: new Date(now).toISOString(),
      raw: undefined,
    };
    const receivers = [
      ...new Set([
        ...record.receivers,
        ...(rule?.verify?.escalateTo ?? []),
        ...this.config.remediation.notify,
      ]),
    ];
    const results = await dispatcher.dispatch(alert, receivers);
    record.history.push({
      at: new Date(now).toISOString(),
      event: `escalated to ${receivers.join(', ')}: not resolved ${formatDuration(within)} after the execution`,
    });
    await store.saveRecord(recordKey(record.token), record, now, { ttlSeconds: AUDIT_TTL_SECONDS });
    this.deps.observer.count('RemediationsDecided', { mode: record.mode, outcome: 'escalated' });
    this.deps.observer.note('warn', 'remediation escalated', {
      fingerprint: record.fingerprint,
      remediation: { ...remediation, reason: `still firing; escalated to ${receivers.join(', ')}` },
    });
    return results[0];
  }

  // ---------------------------------------------------------------- state helpers

  private store(): StateStore {
    if (!this.deps.store) throw new Error('remediation needs the state table (KLAXON_STATE_TABLE)');
    return this.deps.store;
  }

  /** The reason the rule's circuit breaker is open, or undefined when closed. */
  private async breakerOpen(rule: string): Promise<string | undefined> {
    const state = await this.store().loadRecord<BreakerState>(breakerKey(rule));
    const { failures, resetAfterMs } = this.config.remediation.breaker;
    if (!state || state.failures < failures || state.openedAt === undefined) return undefined;
    if (this.nowMs() - state.openedAt >= resetAfterMs) return undefined;
    return `circuit breaker open: rule ${rule} stopped after ${state.failures} consecutive failures (until ${new Date(state.openedAt + resetAfterMs).toISOString()})`;
  }

  /** Counts a success (closes the breaker) or a failure; returns the message when this failure opened it. */
  private async recordResult(rule: string, success: boolean): Promise<string | undefined> {
    const store = this.store();
    const now = this.nowMs();
    const limit = this.config.remediation.breaker.failures;
    const state = (await store.loadRecord<BreakerState>(breakerKey(rule))) ?? { failures: 0 };
    const next: BreakerState = success ? { failures: 0 } : { ...state, failures: state.failures + 1 };
    let tripped: string | undefined;
    if (!success && next.failures >= limit) {
      const wasOpen =
        state.openedAt !== undefined && now - state.openedAt < this.config.remediation.breaker.resetAfterMs;
      if (!wasOpen) {
        next.openedAt = now;
        tripped = `circuit breaker open: rule ${rule} is stopped after ${next.failures} consecutive failures for ${formatDuration(this.config.remediation.breaker.resetAfterMs)}; a human must look`;
      }
    }
    await store.saveRecord(breakerKey(rule), next, now, { ttlSeconds: AUDIT_TTL_SECONDS });
    if (tripped)
      this.deps.observer.note('error', 'remediation circuit breaker opened', {
        rule,
        failures: next.failures,
      });
    return tripped;
  }

  private async recordResolved(alert: Alert): Promise<void> {
    const store = this.deps.store;
    if (!store) return;
    const now = this.nowMs();
    try {
      await store.saveRecord(resolvedKey(alert.fingerprint), { at: now }, now);
    } catch (error) {
      if (!(error instanceof StateStoreError)) throw error;
      this.degraded('record resolve', error);
    }
  }

  /** Writes the audit record of a decision that touched no guard (dry run, skip before the guards); best effort. */
  private async auditOnly(
    token: string,
    rule: RemediationRule,
    decision: Decision,
    remediation: RemediationDecision,
  ): Promise<void> {
    const store = this.deps.store;
    if (!store) return;
    const now = this.nowMs();
    const record: RemediationRecord = {
      token,
      rule: rule.name,
      action: rule.action.name,
      kind: rule.action.kind,
      mode: rule.mode,
      parameters: remediation.parameters,
      outcome: remediation.outcome,
      reason: remediation.reason,
      decidedAt: now,
      fingerprint: decision.alert.fingerprint,
      transitionId: decision.alert.transitionId,
      receivers: decision.receivers,
      alert: queuedAlert(decision.alert),
      history: [
        { at: new Date(now).toISOString(), event: `${remediation.outcome}: ${remediation.reason ?? ''}` },
      ],
    };
    try {
      await store.saveRecord(recordKey(token), record, now, {
        ifAbsent: true,
        ttlSeconds: AUDIT_TTL_SECONDS,
      });
    } catch (error) {
      if (!(error instanceof StateStoreError)) throw error;
      this.degraded('remediation audit', error);
    }
  }

  /** Records the end of a decision in its audit record and returns the decision. */
  private async finish(
    record: RemediationRecord,
    change: Partial<RemediationRecord> & { outcome: RemediationOutcome; reason?: string },
  ): Promise<RemediationDecision> {
    const now = this.nowMs();
    Object.assign(record, change);
    record.history.push({
      at: new Date(now).toISOString(),
      event: `${change.outcome}${change.executionId ? ` ${change.executionId}` : ''}${change.reason ? `: ${change.reason}` : ''}`,
    });
    await this.store().saveRecord(recordKey(record.token), record, now, { ttlSeconds: AUDIT_TTL_SECONDS });
    return this.view(record, {});
  }

  /** The decision as reported, from a record. */
  private view(record: RemediationRecord, extra: { reason?: string }): RemediationDecision {
    const outcome = record.outcome === 'starting' ? 'skipped' : record.outcome;
    const reason = extra.reason ?? record.reason;
    return {
      rule: record.rule,
      action: record.action,
      mode: record.mode,
      parameters: record.parameters,
      outcome,
      ...(reason ? { reason } : {}),
      ...(record.executionId ? { executionId: record.executionId } : {}),
      ...(record.outcome === 'pending-approval' ? { approvalId: record.token } : {}),
      ...(record.approvedBy ? { approvedBy: record.approvedBy } : {}),
    };
  }

  private degraded(operation: string, error: Error): void {
    this.deps.observer.count('StateStoreDegraded', {});
    this.deps.observer.note('warn', 'state table unavailable; remediation fails closed', {
      operation,
      error: error.message,
    });
  }

  // ---------------------------------------------------------------- reporting

  /** One structured log line and one metric per decision. */
  private report(remediation: RemediationDecision, alert: Alert): void {
    this.deps.observer.count('RemediationsDecided', { mode: remediation.mode, outcome: remediation.outcome });
    this.deps.observer.note(remediation.outcome === 'skipped' ? 'warn' : 'info', 'remediation decided', {
      fingerprint: alert.fingerprint,
      transitionId: alert.transitionId,
      remediation,
    });
  }

  /** Tells the alert's receivers what was (or would be) done, and how to approve. */
  private annotate(decision: Decision, remediation: RemediationDecision, link?: string): Decision {
    if (decision.alert.status !== 'firing') return decision;
    const what = `${remediation.action} (${describeParameters(remediation.parameters)})`;
    const stage = this.deps.stage ? ` --stage ${this.deps.stage}` : '';
    const text = {
      'dry-run': `dry run: would start ${what}`,
      started: `started ${what}: execution ${remediation.executionId ?? '?'}`,
      'pending-approval': `awaiting approval to start ${what}: run \`klaxon approve ${remediation.approvalId ?? ''}${stage}\`${link ? ' or use the approval link' : ''}`,
      skipped: `not started ${what}: ${remediation.reason ?? ''}`,
    }[remediation.outcome];
    const line = `Remediation (rule ${remediation.rule}, ${remediation.mode}): ${text}`;
    const { alert } = decision;
    return {
      ...decision,
      alert: {
        ...alert,
        annotations: {
          ...alert.annotations,
          remediation: line,
          description: [alert.annotations.description, line].filter(Boolean).join('\n'),
        },
        links: link ? [...alert.links, { text: 'Approve remediation', url: link }] : alert.links,
      },
    };
  }
}
