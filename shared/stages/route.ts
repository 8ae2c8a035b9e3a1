import { decide } from '../routing/decide';
import { type AlertStage, needed } from './stage';

/** Walks the route tree: which routes match, which receivers hear of the alert, how it is grouped. */
export const routeStage: AlertStage = {
  name: 'route',
  needs: ['classified'],
  gives: ['decision'],
  async run(work, deps) {
    const classified = needed(work, 'classified', 'route');
    return { ...work, decision: decide(work.routingDraft ?? work.draft, classified, deps.config) };
  },
};
