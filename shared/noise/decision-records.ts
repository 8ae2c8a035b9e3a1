import type { Alert } from '../alert/alert';
import type { KlaxonConfig } from '../config/load';
import type { DeliveryResult } from '../receivers/types';
import { redactedExcerpt } from '../redact';
import type { Decision } from '../routing/decide';
import type { AlertDraft } from '../sources/types';
import { describeProvenance } from '../stages/provenance';
import type { StateStore } from '../state/store';
import type { NoiseConfig } from './config';
import { digest } from './digest';
import type { NoiseEffects } from './effects';
import { matchLabels } from './mute';
import { type DecisionRecord, traceRoutes } from './record';

/** The record of an arriving event, before noise control has weighed it. */
export function arrivalRecord(
  route: KlaxonConfig['route'],
  decision: Decision,
  draft: AlertDraft,
  mode: 'deliver' | 'preview',
  now: number,
): DecisionRecord {
  const { alert } = decision;
  return {
    at: new Date(now).toISOString(),
    mode,
    fingerprint: alert.fingerprint,
    transitionId: alert.transitionId,
    arrived: {
      path: alert.path,
      excerpt: redactedExcerpt(JSON.stringify(draft.raw) ?? '', 400),
      ...(alert.provenance ? { provenance: describeProvenance(alert.provenance) } : {}),
    },
    alert: {
      status: alert.status,
      severity: alert.severity,
      summary: alert.annotations.summary,
      labels: { ...alert.labels },
    },
    severitySource: decision.severitySource,
    routes: traceRoutes(route, matchLabels(alert)),
    receivers: [...decision.receivers],
    skipped: [...decision.skipped],
    ...(decision.suppressed ? { suppressed: { kind: 'source' as const, reason: decision.suppressed } } : {}),
    deliveries: [],
  };
}

/** The record with the outcome of every delivery. */
export function withDeliveries(
  record: DecisionRecord,
  deliveries: readonly DeliveryResult[],
): DecisionRecord {
  return {
    ...record,
    deliveries: deliveries.map((d) => ({
      receiver: d.receiver,
      outcome: d.outcome,
      ...(d.status !== undefined ? { status: d.status } : {}),
      ...(d.error !== undefined ? { error: d.error } : {}),
    })),
  };
}

/** The record of a follow-up job's delivery (a mute ended, a repeat, a flap settled). */
export function followUpRecord(
  alert: Alert,
  receivers: string[],
  deliveries: readonly DeliveryResult[],
  note: string,
  now: number,
): DecisionRecord {
  return {
    at: new Date(now).toISOString(),
    mode: 'deliver',
    fingerprint: alert.fingerprint,
    transitionId: alert.transitionId,
    note,
    arrived: { path: 'retry-queue', excerpt: '(follow-up job)' },
    alert: {
      status: alert.status,
      severity: alert.severity,
      summary: alert.annotations.summary,
      labels: { ...alert.labels },
    },
    severitySource: 'recorded',
    routes: [],
    receivers,
    skipped: [],
    deliveries: deliveries.map((d) => ({
      receiver: d.receiver,
      outcome: d.outcome,
      ...(d.status ? { status: d.status } : {}),
    })),
  };
}

/** Saves a decision record under its fingerprint, keeping the newest `keep` (when records are enabled). */
export async function saveDecisionRecord(
  settings: NoiseConfig['decisionRecords'],
  effects: NoiseEffects,
  record: DecisionRecord,
  now: number,
  store: StateStore,
): Promise<void> {
  if (!settings.enabled) return;
  const setKey = `decisions#${record.fingerprint}`;
  const member = `${now}-${digest([record.transitionId, record.note ?? ''])}`;
  await effects.guard('decision record', async () => {
    // The put answers with the set's member names: trimming needs no read.
    const members = (await store.putSetMember(setKey, member, record, now, settings.ttlDays * 86_400)).sort(
      (a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0]),
    );
    for (const old of members.slice(0, Math.max(0, members.length - settings.keep)))
      await store.removeSetMember(setKey, old);
  });
}

/** Reads the decision records of one fingerprint from the state table, oldest first. */
export async function readDecisionRecords(store: StateStore, fingerprint: string): Promise<DecisionRecord[]> {
  const members = await store.setMembers<DecisionRecord>(`decisions#${fingerprint}`);
  return Object.entries(members)
    .sort(([a], [b]) => Number(a.split('-')[0]) - Number(b.split('-')[0]))
    .map(([, record]) => record);
}
