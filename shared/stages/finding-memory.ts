import { findingMemory, isFinding } from '../security/stage';
import { failOpen } from './fail-open';
import { type AlertStage, needed } from './stage';

/**
 * For a GuardDuty or Security Hub finding, applies what the state table remembers of it: the
 * severity it was first raised at, and whether this update changes nothing worth telling.
 */
export const findingMemoryStage: AlertStage = {
  name: 'finding-memory',
  needs: ['classified'],
  gives: ['classified', 'routingDraft', 'finding'],
  async run(work, deps) {
    const classified = needed(work, 'classified', 'finding-memory');
    const store = deps.store;
    if (!store || !isFinding(classified.alert)) return work;
    const finding = await failOpen(deps, 'finding state', () => findingMemory(classified.alert, store));
    if (!finding) return work;
    return {
      ...work,
      finding,
      classified: finding.severity
        ? { ...classified, alert: { ...classified.alert, severity: finding.severity } }
        : classified,
      routingDraft: finding.suppressed
        ? { ...work.draft, suppressedBySource: finding.suppressed }
        : work.routingDraft,
    };
  },
};
