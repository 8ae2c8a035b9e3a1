import type { Alert } from '../alert/alert';
import type { DispatchOptions } from '../delivery/dispatcher';
import type { PipelineDeps } from '../pipeline-deps';
import type { DeliveryResult } from '../receivers/types';
import type { Decision } from '../routing/decide';
import { type AlertStage, needed } from './stage';

/** Sends an alert to receivers through the dispatcher, or in preview mode renders what each would be sent. */
export async function deliverTo(
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

/** Delivers the alert to the decision's receivers (none when suppressed). */
export const deliverStage: AlertStage = {
  name: 'deliver',
  needs: ['decision'],
  gives: ['deliveries', 'payloads'],
  async run(work, deps) {
    const decision = needed(work, 'decision', 'deliver');
    const { deliveries, payloads } = await deliverTo(
      decision.receivers,
      decision.alert,
      deps,
      decision.groups,
    );
    return { ...work, deliveries, payloads };
  },
};
