import { createHash } from 'node:crypto';
import { type Alert, informationalOf } from './alert/alert';
import type { KlaxonConfig } from './config/load';
import type { MetricDimensions } from './observability/metrics';
import type { PipelineObserver } from './observability/observer';
import { DeliveryIncompleteError, type DispatchOptions, type Dispatcher } from './delivery/dispatcher';
import { type Enricher, enrich } from './enrichment/enricher';
import type { DeliveryResult, Receiver } from './receivers/types';
import { classify, type Decision, decide } from './routing/decide';
import { routeHeartbeat } from './routing/heartbeat';
import { type IntakeRecord, splitEnvelope } from './sources/envelope';
import { StateStoreError } from './errors';
import { redactedExcerpt } from './redact';
import { type FailedLoginCounter, InMemoryFailedLoginCounter } from './security/failed-logins';
import type { RemediationDecision, Remediator } from './remediation/remediator';
import { type FindingMemory, findingMemory, isFinding, securityStage } from './security/stage';
import { normalizeRecord } from './sources/registry';
import { isHeartbeatDraft } from './sources/heartbeat/normalize';
import type { AlertDraft } from './sources/types';
import type { StateStore } from './state/store';
import type { NoiseStage } from './noise/engine';

/** `deliver` sends to receivers; `preview` renders what would be sent and sends nothing. */
export type PipelineMode = 'deliver' | 'preview';

/** What the pipeline runs over; built once per cold start (or per replay). */
export interface PipelineDeps {
  config: KlaxonConfig;
  receivers: ReadonlyMap<string, Receiver>;
  mode: PipelineMode;
  observer: PipelineObserver;
  now: () => Date;
  /** Required in deliver mode: exactly-once, paced, durably retried delivery. */
  dispatcher?: Dispatcher;
  /** The state table, for what the pipeline remembers itself (finding updates); absent in replays. */
  store?: StateStore;
  /** Counts failed console sign-ins; defaults to an in-process counter. */
  failedLogins?: FailedLoginCounter;
  /** ARNs of Klaxon's own roles, whose calls never raise a detection. */
  ownRoleArns?: readonly string[];
  /** The remediation stage (shared/remediation), run once per alert after routing; absent without rules. */
  remediator?: Pick<Remediator, 'consider'>;
  /** Adds AWS context (alarm tags, definition, datapoints, links) before classify; absent: none. */
  enricher?: Enricher;
  /** Silences, maintenance windows, inhibition, flap damping, repeats, decision records (shared/noise); absent: none. */
  noise?: NoiseStage;
}

/** One alert's decision, deliveries, and (in preview mode) the exact payload per receiver. */
export interface AlertOutcome {
  decision: Decision;
  deliveries: DeliveryResult[];
  payloads: Record<string, unknown>;
  /** What the remediation stage decided, when a remediation rule matched (or for an SSM status report). */
  remediation?: RemediationDecision;
}

/** A notice to humans about input Klaxon could not use, sent to the catch-all receiver. */
export interface NoticeOutcome {
  record: number;
  reason: string;
  receivers: string[];
  deliveries: DeliveryResult[];
  payloads: Record<string, unknown>;
}

/** Everything one invocation (or one replayed file) produced. */
export interface ProcessResult {
  outcome: 'alerts' | 'ignored' | 'invalid';
  error?: string;
  alerts: AlertOutcome[];
  notices: NoticeOutcome[];
  errors: Array<{ record: number; error: string }>;
  ignored: Array<{ record: number; reason: string }>;
  /** Set when a delivery could neither finish nor be queued: the invocation must be retried. */
  incomplete?: string;
}

function pathOf(record: IntakeRecord): MetricDimensions<'EventsInvalid'>['path'] {
  switch (record.kind) {
    case 'sns':
      return 'sns';
    case 'eventbridge':
      return 'eventbridge';
    case 'alarm-action':
      return 'alarm-action';
    default:
      return 'unknown';
  }
}

/** The text of one record, for the notice excerpt and identity (the SNS message, else the event). */
function recordText(record: IntakeRecord, raw: unknown): string {
  if (record.kind === 'sns') return record.message;
  if (record.kind === 'eventbridge') return JSON.stringify(record.event);
  if (record.kind === 'alarm-action') return JSON.stringify(record.payload);
  const whole = JSON.stringify(raw) ?? String(raw);
  return Array.isArray((raw as { Records?: unknown } | null)?.Records)
    ? (JSON.stringify((raw as { Records: unknown[] }).Records[record.index]) ?? whole)
    : whole;
}

/** Maps a suppression to its metric dimension value (a closed set, whatever the reason text says). */
export function suppressionReason(
  decision: Pick<Decision, 'suppressed'>,
): MetricDimensions<'AlertsSuppressed'>['reason'] {
  const text = decision.suppressed ?? '';
  if (text.startsWith('muted')) return 'muted';
  if (text.startsWith('composite')) return 'actions-suppressed';
  if (text.startsWith('no-data')) return 'no-data-policy';
  if (text.startsWith('silenced by')) return 'silenced';
  if (text.startsWith('maintenance window')) return 'window';
  if (text.startsWith('inhibited by')) return 'inhibited';
  if (text.startsWith('flapping')) return 'flapping';
  if (text.startsWith('allowlisted') || text.includes('own role')) return 'allowlisted';
  if (text.startsWith('finding update') || text.startsWith('resolve of a finding'))
    return 'finding-unchanged';
  return 'other';
}

async function deliverTo(
  receiverNames: readonly string[],
  alert: Alert,
  deps: PipelineDeps,
  groups?: Decision['groups'],
  options?: DispatchOptions,
): Promise<{ deliveries: DeliveryResult[]; payloads: Record<string, unknown> }> {
  const payloads: Record<string, unknown> = {};
  if (deps.mode === 'deliver') {
    if (!deps.dispatcher) throw new Error('a pipeline in deliver mode needs a dispatcher');
    return { deliveries: await deps.dispatcher.dispatch(alert, receiverNames, groups, options), payloads };
  }
  const deliveries = receiverNames.map((name): DeliveryResult => {
    const receiver = deps.receivers.get(name);
    if (!receiver) {
      return {
        receiver: name,
        type: 'console',
        outcome: 'failed',
        attempts: 0,
        error: `receiver ${name} is not built`,
      };
    }
    payloads[name] = receiver.preview(alert);
    return { receiver: name, type: receiver.type, outcome: 'dry-run', attempts: 0 };
  });
  return { deliveries, payloads };
}

async function processDraft(input: AlertDraft, deps: PipelineDeps): Promise<AlertOutcome> {
  // Before classify: promoted alarm tags must be able to decide severity and routes.
  const draft = deps.enricher ? await enrich(input, deps) : input;
  let classified = classify(draft, deps.config);
  let decided = draft;
  let remember: FindingMemory | undefined;
  const store = deps.store;
  if (store && isFinding(classified.alert)) {
    remember = await failOpen(deps, 'finding state', () => findingMemory(classified.alert, store));
    if (remember?.severity)
      classified = { ...classified, alert: { ...classified.alert, severity: remember.severity } };
    if (remember?.suppressed) decided = { ...draft, suppressedBySource: remember.suppressed };
  }
  const routed = decide(decided, classified, deps.config);
  // Noise control (silences, windows, inhibition, flapping, repeat/resolve policy) may suppress; it records the decision.
  const recordNoise = await deps.noise?.apply(routed, draft, deps.mode);
  const remedied = await deps.remediator?.consider(routed, { mode: deps.mode });
  const decision = remedied?.decision ?? routed;
  const { alert } = decision;
  return deps.observer.span(
    'alert',
    async () => {
      deps.observer.count('AlertsReceived', { source: alert.labels.source, severity: alert.severity });
      // The informational tier (Health, deployments, scaling, cost anomalies): the dashboard timeline.
      const informational = informationalOf(alert.labels);
      if (informational) deps.observer.count('InformationalEvents', informational);
      if (decision.suppressed) {
        deps.observer.count('AlertsSuppressed', {
          source: alert.labels.source,
          reason: suppressionReason(decision),
        });
      }
      const { deliveries, payloads } = await deliverTo(decision.receivers, alert, deps, decision.groups);
      await recordNoise?.(deliveries);
      if (store && remember && !decision.suppressed) {
        const next = remember.next;
        await failOpen(deps, 'save finding state', () =>
          store.saveFindingState(alert.fingerprint, next, deps.now().getTime()),
        );
      }
      deps.observer.decided(decision, deliveries);
      const remediation = remedied?.remediation;
      return { decision, deliveries, payloads, ...(remediation ? { remediation } : {}) };
    },
    {
      fingerprint: alert.fingerprint,
      source: alert.labels.source,
      severity: alert.severity,
      route: decision.routes.join(','),
    },
  );
}

/**
 * Builds the "unrecognized event" notice alert sent to the catch-all receiver. Its identity comes
 * from the input itself, so a redelivered poison event is reported once, not once per delivery.
 */
export function noticeAlert(reason: string, record: number, now: Date, input: string): Alert {
  const digest = createHash('sha256').update(reason).update('\0').update(input).digest('hex').slice(0, 24);
  const at = now.toISOString();
  return {
    labels: { source: 'klaxon', account: 'unknown', region: 'unknown', kind: 'notice' },
    annotations: {
      summary: `Klaxon could not use an event (record ${record}): ${reason}`.slice(0, 900),
      reason,
      excerpt: redactedExcerpt(input),
    },
    severity: 'info',
    status: 'firing',
    fingerprint: `klaxon:notice:${digest}`,
    transitionId: `klaxon:notice:${digest}`,
    startsAt: at,
    observedAt: at,
    path: 'sns',
    links: [],
    raw: undefined,
  };
}

/** Failed sign-ins counted in this process, when no state table is configured (replays, tests). */
const localFailedLogins = new InMemoryFailedLoginCounter();

function degraded(deps: PipelineDeps, operation: string, error: Error): void {
  deps.observer.count('StateStoreDegraded', {});
  deps.observer.note('warn', 'state table unavailable; carrying on without it (fail open)', {
    operation,
    error: error.message,
  });
}

/** Runs a state-table read or write; on StateStoreError logs and counts the degradation and returns undefined. */
async function failOpen<T>(
  deps: PipelineDeps,
  operation: string,
  work: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof StateStoreError)) throw error;
    degraded(deps, operation, error);
    return undefined;
  }
}

/** Runs a delivery step; a DeliveryIncompleteError marks the result for an invocation retry instead of aborting the batch. */
async function incompleteAware<T>(
  result: ProcessResult,
  deps: PipelineDeps,
  work: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DeliveryIncompleteError)) throw error;
    result.incomplete = error.message;
    deps.observer.note('error', 'delivery incomplete; the invocation will be retried', {
      error: error.message,
    });
    return undefined;
  }
}

/**
 * Delivers a heartbeat to `heartbeat.receiver` only, through the dispatcher (exactly once, paced,
 * retried within the invocation), bypassing the route tree, noise control, remediation and decision
 * records; a stale beat, or one without a configured heartbeat, is ignored with its reason. A beat
 * is never queued for a durable retry (up to an hour later it would vouch for a pipeline that may be
 * dead by then): one that fails is dropped and counted in HeartbeatsFailed, and the next beat replaces it.
 */
async function processHeartbeat(
  draft: AlertDraft,
  record: IntakeRecord,
  result: ProcessResult,
  deps: PipelineDeps,
): Promise<void> {
  const route = routeHeartbeat(draft, deps.config, deps.now());
  if (route.kind === 'ignored') {
    result.ignored.push({ record: record.index, reason: route.reason });
    deps.observer.rejected('ignored', route.reason, record.index);
    deps.observer.count('EventsIgnored', { path: pathOf(record) });
    if (route.stale) deps.observer.count('HeartbeatsStale', {});
    return;
  }
  const decision: Decision = {
    alert: route.alert,
    severitySource: 'default',
    routes: ['heartbeat'],
    receivers: [route.receiver],
    skipped: [],
    groups: {},
  };
  const sent = await incompleteAware(result, deps, () =>
    deliverTo(decision.receivers, route.alert, deps, undefined, { durable: false }),
  );
  if (!sent) return;
  for (const delivery of sent.deliveries.filter((d) => d.outcome === 'failed')) {
    deps.observer.count('HeartbeatsFailed', {});
    deps.observer.note(
      'warn',
      'heartbeat not delivered; dropped (the next beat replaces it, never a late retry)',
      {
        transitionId: route.alert.transitionId,
        receiver: delivery.receiver,
        attempts: delivery.attempts,
        status: delivery.status,
        error: delivery.error,
      },
    );
  }
  deps.observer.decided(decision, sent.deliveries);
  result.alerts.push({ decision, ...sent });
}

/** Runs one invocation payload through envelope → normalize → classify → route → deliver. Never throws for bad input. */
export async function processEvent(raw: unknown, deps: PipelineDeps): Promise<ProcessResult> {
  const result: ProcessResult = { outcome: 'ignored', alerts: [], notices: [], errors: [], ignored: [] };
  const records = await deps.observer.span('envelope', async () => splitEnvelope(raw));
  if (records.length === 0) {
    result.ignored.push({ record: 0, reason: 'empty batch: no records' });
    deps.observer.rejected('ignored', 'empty batch: no records', 0);
    deps.observer.count('EventsIgnored', { path: 'sns' });
  }
  for (const record of records) {
    const normalized = await deps.observer.span('normalize', async () => normalizeRecord(record));
    const beat = normalized.kind === 'alerts' ? normalized.drafts.find(isHeartbeatDraft) : undefined;
    if (beat) {
      await processHeartbeat(beat, record, result, deps);
      continue;
    }
    if (normalized.kind === 'alerts') {
      const security = await securityStage(normalized.drafts, {
        config: deps.config.security,
        ownRoleArns: deps.ownRoleArns ?? [],
        counter: deps.failedLogins ?? localFailedLogins,
        now: deps.now(),
        degraded: (operation, error) => degraded(deps, operation, error),
      });
      for (const dropped of security.dropped) {
        result.ignored.push({ record: record.index, reason: dropped.reason });
        deps.observer.rejected('ignored', dropped.reason, record.index);
        deps.observer.count('EventsIgnored', { path: pathOf(record) });
      }
      for (const draft of security.drafts) {
        const outcome = await incompleteAware(result, deps, () => processDraft(draft, deps));
        if (outcome) result.alerts.push(outcome);
      }
      continue;
    }
    const reason = normalized.reason;
    deps.observer.rejected(normalized.kind, reason, record.index);
    if (normalized.kind === 'invalid') {
      result.errors.push({ record: record.index, error: reason });
      deps.observer.count('EventsInvalid', { path: pathOf(record) });
    } else {
      result.ignored.push({ record: record.index, reason });
      deps.observer.count('EventsIgnored', { path: pathOf(record) });
    }
    if (normalized.kind === 'invalid' || normalized.notice) {
      const receivers = [deps.config.route.receiver];
      const notice = noticeAlert(reason, record.index, deps.now(), recordText(record, raw));
      const sent = await incompleteAware(result, deps, () => deliverTo(receivers, notice, deps));
      if (sent) result.notices.push({ record: record.index, reason, receivers, ...sent });
    }
  }
  if (result.alerts.length > 0) result.outcome = 'alerts';
  else if (result.errors.length > 0 && result.ignored.length === 0) {
    result.outcome = 'invalid';
    result.error = result.errors
      .map((e) => (records.length > 1 ? `record ${e.record}: ${e.error}` : e.error))
      .join('; ');
  } else result.outcome = 'ignored';
  deps.observer.flush();
  return result;
}

/** Parses raw JSON text (a replayed file) and processes it; text that is not JSON becomes an `invalid` result with a notice. */
export async function processEventText(text: string, deps: PipelineDeps): Promise<ProcessResult> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = `not JSON: ${(error as Error).message}`;
    deps.observer.rejected('invalid', reason, 0);
    deps.observer.count('EventsInvalid', { path: 'unknown' });
    const receivers = [deps.config.route.receiver];
    const { deliveries, payloads } = await deliverTo(
      receivers,
      noticeAlert(reason, 0, deps.now(), text),
      deps,
    );
    deps.observer.flush();
    return {
      outcome: 'invalid',
      error: reason,
      alerts: [],
      notices: [{ record: 0, reason, receivers, deliveries, payloads }],
      errors: [{ record: 0, error: reason }],
      ignored: [],
    };
  }
  return processEvent(raw, deps);
}

/**
 * Runs alerts Klaxon raises itself (the self-check's findings) through the same stages as events:
 * classify, route, noise control, remediation, deliver. An incomplete delivery is reported in the
 * result, as for events.
 */
export async function processDrafts(
  drafts: readonly AlertDraft[],
  deps: PipelineDeps,
): Promise<ProcessResult> {
  const result: ProcessResult = { outcome: 'ignored', alerts: [], notices: [], errors: [], ignored: [] };
  for (const draft of drafts) {
    const outcome = await incompleteAware(result, deps, () => processDraft(draft, deps));
    if (outcome) result.alerts.push(outcome);
  }
  if (result.alerts.length > 0) result.outcome = 'alerts';
  deps.observer.flush();
  return result;
}
