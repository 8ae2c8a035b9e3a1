import type { Alert } from '../alert/alert';
import type { KlaxonConfig } from '../config/load';
import type { DeliveryResult } from '../receivers/types';
import type { Decision } from '../routing/decide';
import { type AlertState, alertStateKey } from './alert-state';
import type { RoutePolicy } from './config';
import { formatDuration } from './duration';
import type { NoiseJob } from './effects';
import type { FollowUpContext } from './follow-up';
import { matchLabels } from './mute';
import { traceRoutes } from './record';

/** The shortest `repeatInterval` of the selected routes that deliver, and their receivers; none: no repeat. */
export function repeatPolicy(
  route: KlaxonConfig['route'],
  routePolicies: ReadonlyMap<string, RoutePolicy>,
  decision: Decision,
): AlertState['repeat'] {
  let intervalMs: number | undefined;
  const receivers = new Set<string>();
  for (const step of traceRoutes(route, matchLabels(decision.alert))) {
    if (!step.selected || !decision.receivers.includes(step.receiver)) continue;
    const policy = routePolicies.get(step.path);
    if (policy?.repeatIntervalMs === undefined) continue;
    intervalMs = Math.min(intervalMs ?? Number.POSITIVE_INFINITY, policy.repeatIntervalMs);
    receivers.add(step.receiver);
  }
  return intervalMs === undefined ? undefined : { intervalMs, receivers: [...receivers] };
}

/** The first repeat job of a delivered firing alert. */
export function firstRepeatJob(
  alert: Alert,
  repeat: NonNullable<AlertState['repeat']>,
  now: number,
): NoiseJob {
  return {
    kind: 'noise',
    action: 'repeat',
    key: alert.fingerprint,
    receiver: repeat.receivers[0] ?? '',
    dueAt: now + repeat.intervalMs,
    transitionId: alert.transitionId,
    count: 0,
  };
}

/** Runs a repeat job: notifies again while the same transition is still firing and unmuted, then schedules the next. */
export async function runRepeat(
  job: NoiseJob,
  context: FollowUpContext,
): Promise<DeliveryResult | undefined> {
  const { store, now, effects } = context;
  const state = await effects.guard('alert state', () =>
    store.loadRecord<AlertState>(alertStateKey(job.key)),
  );
  if (!state?.repeat || state.status !== 'firing' || state.transitionId !== job.transitionId)
    return undefined;
  const count = job.count ?? 0;
  const next = { ...job, count: count + 1, dueAt: now + state.repeat.intervalMs };
  if ((await context.mutesFor(state.alert)).length > 0) {
    await effects.schedule(next, now);
    return undefined;
  }
  const alert: Alert = {
    ...state.alert,
    transitionId: `${state.transitionId}|repeat|${count + 1}`,
    annotations: {
      ...state.alert.annotations,
      summary: `[still firing, repeat ${count + 1}] ${state.alert.annotations.summary}`.slice(0, 1000),
      repeat: `still firing after ${formatDuration(now - Date.parse(state.alert.startsAt))}`,
    },
  };
  const deliveries = await context.dispatcher.dispatch(alert, state.repeat.receivers);
  await context.followUp(alert, state.repeat.receivers, deliveries, `repeat ${count + 1}`);
  await effects.schedule(next, now);
  return deliveries[0];
}
