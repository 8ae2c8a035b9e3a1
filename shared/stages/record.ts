import { describeRemediation } from '../remediation/record';
import { failOpen } from './fail-open';
import { type AlertStage, needed } from './stage';

/**
 * Records what was decided and delivered: the noise-control record (with the remediation line), a finding's new state (unless
 * the update was suppressed), and the decision log line.
 */
export const recordStage: AlertStage = {
  name: 'record',
  needs: ['decision', 'deliveries'],
  gives: [],
  async run(work, deps) {
    const decision = needed(work, 'decision', 'record');
    const deliveries = needed(work, 'deliveries', 'record');
    await work.recordNoise?.(
      deliveries,
      work.remediation ? describeRemediation(work.remediation) : undefined,
    );
    const { store } = deps;
    const finding = work.finding;
    if (store && finding && !decision.suppressed) {
      await failOpen(deps, 'save finding state', () =>
        store.saveFindingState(decision.alert.fingerprint, finding.next, deps.now().getTime()),
      );
    }
    deps.observer.decided(decision, deliveries);
    return work;
  },
};
