import { everySourceComposition } from './compositions/every-source';
import { selfCheckComposition } from './compositions/self-check';
import {
  processDrafts as processDraftsWith,
  processEvent as processEventWith,
  noticeAlert,
} from './event-pipeline';
import type { PipelineDeps, ProcessResult } from './pipeline-deps';
import type { AlertDraft } from './sources/types';
import type { EventComposition } from './stages/composition';
import { deliverTo } from './stages/deliver';

/*
 * The pipeline over every source (local replays, previews, the bench and tests). A deployed
 * function runs shared/event-pipeline.ts with its own composition instead, so it bundles only the
 * sources and stages that composition names.
 */

export { noticeAlert, suppressionReason } from './event-pipeline';
export type { AlertOutcome, NoticeOutcome, PipelineDeps, PipelineMode, ProcessResult } from './pipeline-deps';

/** Runs one invocation payload through a composition (every source and every stage unless given). Never throws for bad input. */
export function processEvent(
  raw: unknown,
  deps: PipelineDeps,
  composition: EventComposition = everySourceComposition,
): Promise<ProcessResult> {
  return processEventWith(raw, deps, composition);
}

/** Runs alerts Klaxon raises itself through every stage, as the self-check does. */
export function processDrafts(drafts: readonly AlertDraft[], deps: PipelineDeps): Promise<ProcessResult> {
  return processDraftsWith(drafts, deps, selfCheckComposition);
}

/** Parses raw JSON text (a replayed file) and processes it; text that is not JSON becomes an `invalid` result with a notice. */
export async function processEventText(text: string, deps: PipelineDeps): Promise<ProcessResult> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = `not JSON: ${(error as Error).message}`;
    deps.observer.rejected('invalid', reason, 0);
    deps.observer.count('EventsInvalid', { path: 'unknown' });
    const receivers = [deps.config.route.receiver];
    const { deliveries, payloads } = await deliverTo(
      receivers,
      noticeAlert(reason, 0, deps.now(), text),
      deps,
    );
    deps.observer.flush();
    return {
      outcome: 'invalid',
      error: reason,
      alerts: [],
      notices: [{ record: 0, reason, receivers, deliveries, payloads }],
      errors: [{ record: 0, error: reason }],
      ignored: [],
    };
  }
  return processEvent(raw, deps);
}
