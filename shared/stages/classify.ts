import { classify } from '../routing/decide';
import type { AlertStage } from './stage';

/** Decides the alert's severity from the severity rules, the source's hint and the defaults. */
export const classifyStage: AlertStage = {
  name: 'classify',
  needs: ['draft'],
  gives: ['classified'],
  async run(work, deps) {
    return { ...work, classified: classify(work.draft, deps.config) };
  },
};
