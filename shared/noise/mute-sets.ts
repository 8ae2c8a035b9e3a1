import type { Alert } from '../alert/alert';
import type { DeliveryResult } from '../receivers/types';
import type { StateStore } from '../state/store';
import { type AlertState, alertStateKey } from './alert-state';
import type { CompiledWindow } from './config';
import type { NoiseEffects, NoiseJob } from './effects';
import type { FollowUpContext } from './follow-up';
import type { Mute } from './mute';

/** A member of a mute set: an alert the mute held back. */
interface MutedMember {
  at: number;
  status: Alert['status'];
  severity: Alert['severity'];
  summary: string;
}

/** Remembers a held-back alert under its mute, and makes sure a job runs when the mute ends. */
export async function enlist(
  mute: Mute,
  alert: Alert,
  now: number,
  store: StateStore,
  effects: NoiseEffects,
): Promise<void> {
  const member: MutedMember = {
    at: now,
    status: alert.status,
    severity: alert.severity,
    summary: alert.annotations.summary,
  };
  await effects.guard('mute set', () =>
    store.putSetMember(`muted#${mute.key}`, alert.fingerprint, member, now),
  );
  if (mute.until === undefined) return;
  const first = await effects.guard('mute job', () => store.claimOnce(`unmute-job#${mute.key}`, now));
  if (first === false) return;
  await effects.schedule(
    {
      kind: 'noise',
      action: 'unmute',
      key: mute.key,
      receiver: mute.summaryReceiver ?? '',
      dueAt: mute.until + 1000,
    },
    now,
  );
}

/**
 * Runs an unmute job: a window with a summary receiver gets one summary of what it held back, and
 * every held-back alert still firing, never notified and not muted otherwise is delivered now.
 */
export async function runUnmute(
  job: NoiseJob,
  windows: readonly CompiledWindow[],
  context: FollowUpContext,
): Promise<DeliveryResult | undefined> {
  const { store, effects, now } = context;
  const members =
    (await effects.guard('mute set', () => store.setMembers<MutedMember>(`muted#${job.key}`))) ?? {};
  let result: DeliveryResult | undefined;
  const windowName = job.key.startsWith('window:') ? job.key.slice(7).split('#')[0] : undefined;
  const window = windows.find((w) => w.name === windowName);
  if (window?.summary && Object.keys(members).length > 0) {
    result = (
      await context.dispatcher.dispatch(windowSummaryAlert(job.key, window.name, members, now), [
        window.summary,
      ])
    )[0];
  }
  for (const fingerprint of Object.keys(members)) {
    const sent = await recheck(fingerprint, context, `delivered after ${job.key} ended`);
    result ??= sent;
    await effects.guard('mute set', () => store.removeSetMember(`muted#${job.key}`, fingerprint));
  }
  return result;
}

/** The summary of what a maintenance window held back, sent to its summary receiver when it ends. */
function windowSummaryAlert(
  key: string,
  name: string,
  members: Record<string, MutedMember>,
  now: number,
): Alert {
  const entries = Object.values(members).sort((a, b) => a.at - b.at);
  const at = new Date(now).toISOString();
  return {
    labels: {
      source: 'klaxon',
      account: 'unknown',
      region: 'unknown',
      kind: 'window-summary',
      window: name,
    },
    annotations: {
      summary: `Maintenance window ${name} ended: ${entries.length} alert${entries.length === 1 ? '' : 's'} suppressed`,
      description: entries
        .map((e) => `${new Date(e.at).toISOString()} [${e.severity}] ${e.status}: ${e.summary}`)
        .join('\n')
        .slice(0, 3000),
    },
    severity: 'info',
    status: 'firing',
    fingerprint: `klaxon:window-summary:${key}`,
    transitionId: `klaxon:window-summary:${key}`,
    startsAt: at,
    observedAt: at,
    path: 'sns',
    links: [],
    raw: undefined,
  };
}

/** Delivers an alert held back by a mute if it is still firing, never notified, and nothing else mutes it. */
async function recheck(
  fingerprint: string,
  context: FollowUpContext,
  note: string,
): Promise<DeliveryResult | undefined> {
  const { store, effects, now } = context;
  const state = await effects.guard('alert state', () =>
    store.loadRecord<AlertState>(alertStateKey(fingerprint)),
  );
  if (!state || state.status !== 'firing' || state.notified) return undefined;
  const mute = (await context.mutesFor(state.alert))[0];
  if (mute) {
    await enlist(mute, state.alert, now, store, effects);
    return undefined;
  }
  const deliveries = await context.dispatcher.dispatch(state.alert, state.receivers, state.groups);
  await effects.guard('save alert state', () =>
    store.saveRecord(alertStateKey(fingerprint), { ...state, notified: true }, now),
  );
  await context.followUp(state.alert, state.receivers, deliveries, note);
  return deliveries[0];
}
