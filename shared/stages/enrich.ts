import { enrich } from '../enrichment/enricher';
import type { AlertStage } from './stage';

/** Adds AWS context (alarm tags, definition, datapoints, links) before classify, within its time budget. */
export const enrichStage: AlertStage = {
  name: 'enrich',
  needs: ['draft'],
  gives: ['draft'],
  async run(work, deps) {
    // Before classify: promoted alarm tags must be able to decide severity and routes.
    return deps.enricher ? { ...work, draft: await enrich(work.draft, deps) } : work;
  },
};
