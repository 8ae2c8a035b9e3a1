import { type AlertStage, needed } from './stage';

/** Asks the remediation rules whether to start (or propose) a guarded SSM remediation for the alert. */
export const remediateStage: AlertStage = {
  name: 'remediate',
  needs: ['decision'],
  gives: ['decision', 'remediation'],
  async run(work, deps) {
    const decision = needed(work, 'decision', 'remediate');
    const remedied = await deps.remediator?.consider(decision, { mode: deps.mode });
    if (!remedied) return work;
    return {
      ...work,
      decision: remedied.decision,
      ...(remedied.remediation ? { remediation: remedied.remediation } : {}),
    };
  },
};
