import { createHash } from 'node:crypto';
import type { Alert } from './alert/alert';
import { capDraft } from './alert/caps';
import { DeliveryIncompleteError } from './delivery/dispatcher';
import { safeStringify } from './json';
import type { MetricDimensions } from './observability/metrics';
import type { AlertOutcome, PipelineDeps, ProcessResult } from './pipeline-deps';
import { redactedExcerpt } from './redact';
import type { Decision } from './routing/decide';
import { routeHeartbeat } from './routing/heartbeat';
import { type IntakeRecord, splitEnvelope } from './sources/envelope';
import { isHeartbeatDraft } from './sources/heartbeat/normalize';
import type { AlertDraft } from './sources/types';
import { eventBridgeOverSnsRefusal, withProvenance } from './stages/provenance';
import { accepts, type EventComposition, sourceKeyOf, type StageComposition } from './stages/composition';
import { deliverTo } from './stages/deliver';
import { runStages } from './stages/run';
import { needed } from './stages/stage';

export { suppressionReason } from './stages/observe';
export type { AlertOutcome, NoticeOutcome, PipelineDeps, PipelineMode, ProcessResult } from './pipeline-deps';

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
  if (record.kind === 'eventbridge') return safeStringify(record.event) ?? '';
  if (record.kind === 'alarm-action') return safeStringify(record.payload) ?? '';
  const whole = safeStringify(raw) ?? String(raw);
  return Array.isArray((raw as { Records?: unknown } | null)?.Records)
    ? (safeStringify((raw as { Records: unknown[] }).Records[record.index]) ?? whole)
    : whole;
}

/** Runs one alert through the composition's stages and returns what was decided and delivered. */
async function processDraft(
  draft: AlertDraft,
  deps: PipelineDeps,
  composition: StageComposition,
): Promise<AlertOutcome> {
  const work = await runStages(composition.stages, { draft }, deps);
  const decision = needed(work, 'decision', composition.name);
  return {
    decision,
    deliveries: work.deliveries ?? [],
    payloads: work.payloads ?? {},
    ...(work.remediation ? { remediation: work.remediation } : {}),
  };
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

/**
 * Runs one invocation payload through envelope → normalize → screen → the composition's stages.
 * Never throws for bad input.
 */
export async function processEvent(
  raw: unknown,
  deps: PipelineDeps,
  composition: EventComposition,
): Promise<ProcessResult> {
  const result: ProcessResult = { outcome: 'ignored', alerts: [], notices: [], errors: [], ignored: [] };
  const ignore = (record: IntakeRecord, reason: string) => {
    // One event whose several drafts are refused alike (a detection hit and a discovery count) is ignored once.
    if (result.ignored.some((i) => i.record === record.index && i.reason === reason)) return;
    result.ignored.push({ record: record.index, reason });
    deps.observer.rejected('ignored', reason, record.index);
    deps.observer.count('EventsIgnored', { path: pathOf(record) });
  };
  const records = await deps.observer.span('envelope', async () => splitEnvelope(raw));
  if (records.length === 0) {
    result.ignored.push({ record: 0, reason: 'empty batch: no records' });
    deps.observer.rejected('ignored', 'empty batch: no records', 0);
    deps.observer.count('EventsIgnored', { path: 'sns' });
  }
  for (const record of records) {
    const normalized = await deps.observer.span('normalize', async () =>
      composition.registry.normalizeRecord(record),
    );
    const beat = normalized.kind === 'alerts' ? normalized.drafts.find(isHeartbeatDraft) : undefined;
    if (beat && accepts(composition, record.kind, 'heartbeat')) {
      await processHeartbeat(beat, record, result, deps);
      continue;
    }
    if (normalized.kind === 'alerts') {
      // Once per event: a field Klaxon could not read cost nothing but that field (noted on the alerts).
      const partly = normalized.drafts.find((draft) => draft.annotations.unreadable !== undefined);
      if (partly) deps.observer.count('FieldsUnreadable', { source: partly.labels.source });
      // A function handles only the sources its triggers carry: anything else came by a path that
      // no AWS service uses for it, so it is reported and dropped, never routed.
      const accepted = normalized.drafts
        .filter((draft) => {
          const key = beat === draft ? 'heartbeat' : sourceKeyOf(draft);
          // An EventBridge event inside an SNS message: only from an opted-in topic, in every composition.
          const refused = eventBridgeOverSnsRefusal(draft, key, record, deps.config.intake);
          if (refused) {
            ignore(record, refused);
            return false;
          }
          if (accepts(composition, record.kind, key)) return true;
          ignore(
            record,
            `${key} events are not accepted by the ${composition.name} function through ${record.kind}`,
          );
          return false;
        })
        .map((draft) => withProvenance(capDraft(draft), record, deps.config.intake));
      const screened = composition.screen
        ? await composition.screen(accepted, deps)
        : { drafts: accepted, dropped: [] };
      for (const dropped of screened.dropped) ignore(record, dropped.reason);
      for (const draft of screened.drafts) {
        const outcome = await incompleteAware(result, deps, () => processDraft(draft, deps, composition));
        if (outcome) result.alerts.push(outcome);
      }
      continue;
    }
    if (normalized.kind === 'ignored' && normalized.foreign) {
      // A known source this function does not carry: refused as a parsed one would be (same reasons).
      const { key, eventBridgeInSns } = normalized.foreign;
      ignore(
        record,
        eventBridgeOverSnsRefusal({ eventBridgeInSns }, key, record, deps.config.intake) ??
          `${key} events are not accepted by the ${composition.name} function through ${record.kind}`,
      );
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

/**
 * Runs alerts Klaxon raises itself (the self-check's findings) through the same stages as events:
 * classify, route, noise control, remediation, deliver. An incomplete delivery is reported in the
 * result, as for events.
 */
export async function processDrafts(
  drafts: readonly AlertDraft[],
  deps: PipelineDeps,
  composition: StageComposition,
): Promise<ProcessResult> {
  const result: ProcessResult = { outcome: 'ignored', alerts: [], notices: [], errors: [], ignored: [] };
  for (const draft of drafts) {
    const outcome = await incompleteAware(result, deps, () => processDraft(draft, deps, composition));
    if (outcome) result.alerts.push(outcome);
  }
  if (result.alerts.length > 0) result.outcome = 'alerts';
  deps.observer.flush();
  return result;
}
