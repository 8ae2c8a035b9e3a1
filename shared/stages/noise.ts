import { type AlertStage, needed } from './stage';

/**
 * Noise control: silences, maintenance windows and inhibition (the muters), flap damping, repeat and
 * resolve policy. It may suppress the alert, and it records the decision once deliveries are known.
 */
export const noiseStage: AlertStage = {
  name: 'noise',
  needs: ['decision'],
  gives: ['decision', 'recordNoise'],
  async run(work, deps) {
    const decision = needed(work, 'decision', 'noise');
    if (!deps.noise) return work;
    const weighed = await deps.noise.apply(decision, work.draft, deps.mode);
    return { ...work, decision: weighed.decision, recordNoise: weighed.record };
  },
};
