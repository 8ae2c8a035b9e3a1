import type { Alert } from '../alert/alert';
import type { DeliveryResult } from '../receivers/types';
import type { StateStore } from '../state/store';
import { type AlertState, alertStateKey } from './alert-state';
import type { NoiseConfig } from './config';
import type { NoiseEffects, NoiseJob } from './effects';
import type { FollowUpContext } from './follow-up';
import { suppressedVerdict, type Verdict } from './verdict';

/** A flapping episode of one alarm, attached to its transition counter (`eventsonce#flap#<fingerprint>`). */
interface FlapState {
  since: number;
  lastAt: number;
  transitions: number;
  settled: boolean;
}

/**
 * Flap damping: more than `transitions` state changes within the window notify once, marked
 * `[FLAPPING]`; further changes are held until the alarm has been quiet for a whole window.
 */
export async function dampFlapping(
  verdict: Verdict,
  settings: NoiseConfig['flapping'],
  effects: NoiseEffects,
  now: number,
  store: StateStore,
): Promise<Verdict> {
  const { decision, record } = verdict;
  const { alert } = decision;
  const { transitions, windowMinutes } = settings;
  const windowMs = windowMinutes * 60_000;
  // One conditional write counts the transition and refuses a redelivered one.
  const counted = await effects.guard('flap count', () =>
    store.countEventOnce(`flap#${alert.fingerprint}`, alert.transitionId, now, windowMs),
  );
  if (counted?.counted === false) return verdict; // a duplicate of a transition already counted
  const count = counted?.count ?? 0;
  // The episode comes back with the count: no read of its own.
  const state = counted?.attached as FlapState | undefined;
  const active = state && !state.settled;
  if (active) {
    await effects.guard('flap state', () =>
      store.attachToCount(
        `flap#${alert.fingerprint}`,
        { ...state, lastAt: now, transitions: state.transitions + 1 },
        now,
      ),
    );
    const reason = `flapping: ${count} state changes in the last ${windowMinutes} min; held until it is quiet for ${windowMinutes} min`;
    return suppressedVerdict({ decision, record: { ...record, flapping: reason } }, 'flapping', reason);
  }
  if (count <= transitions) return verdict;
  const started: FlapState = { since: now, lastAt: now, transitions: count, settled: false };
  await effects.guard('flap state', () => store.attachToCount(`flap#${alert.fingerprint}`, started, now));
  const text = `${count} state changes in ${windowMinutes} min (more than ${transitions}): notified once; further changes are held until it settles`;
  const marked: Alert = {
    ...alert,
    annotations: {
      ...alert.annotations,
      summary: `[FLAPPING] ${alert.annotations.summary}`.slice(0, 1000),
      flapping: text,
    },
  };
  const settleJob: NoiseJob = {
    kind: 'noise',
    action: 'flap-settle',
    key: alert.fingerprint,
    receiver: decision.receivers[0] ?? '',
    dueAt: now + windowMs,
  };
  await effects.schedule(settleJob, now);
  return {
    decision: { ...decision, alert: marked },
    record: {
      ...record,
      flapping: `started: ${text}`,
      alert: { ...record.alert, summary: marked.annotations.summary },
    },
  };
}

/** Runs a flap-settle job: once quiet for a window, delivers the alarm's current state once, marked settled. */
export async function runSettle(
  job: NoiseJob,
  settings: NoiseConfig['flapping'],
  context: FollowUpContext,
): Promise<DeliveryResult | undefined> {
  const { store, now, effects } = context;
  const state = await effects.guard('flap state', () => store.countAttachment<FlapState>(`flap#${job.key}`));
  if (!state || state.settled) return undefined;
  const windowMs = settings.windowMinutes * 60_000;
  if (now < state.lastAt + windowMs) {
    await effects.schedule({ ...job, dueAt: state.lastAt + windowMs + 1000 }, now);
    return undefined;
  }
  await effects.guard('flap state', () =>
    store.attachToCount(`flap#${job.key}`, { ...state, settled: true }, now),
  );
  const alertState = await effects.guard('alert state', () =>
    store.loadRecord<AlertState>(alertStateKey(job.key)),
  );
  if (!alertState || alertState.receivers.length === 0) return undefined;
  if ((await context.mutesFor(alertState.alert)).length > 0) return undefined;
  const alert: Alert = {
    ...alertState.alert,
    transitionId: `${alertState.transitionId}|settled`,
    annotations: {
      ...alertState.alert.annotations,
      summary: `[settled after flapping] ${alertState.alert.annotations.summary}`.slice(0, 1000),
    },
  };
  const deliveries = await context.dispatcher.dispatch(alert, alertState.receivers, alertState.groups);
  await effects.guard('save alert state', () =>
    store.saveRecord(alertStateKey(job.key), { ...alertState, notified: true }, now),
  );
  await context.followUp(
    alert,
    alertState.receivers,
    deliveries,
    `settled after flapping (${alertState.status})`,
  );
  return deliveries[0];
}
