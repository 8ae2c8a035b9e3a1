import type { PipelineDeps } from '../pipeline-deps';
import type { IntakeRecord } from '../sources/envelope';
import type { SourceRegistry } from '../sources/normalizer';
import type { AlertDraft } from '../sources/types';
import { deliverStage } from './deliver';
import { observeStage } from './observe';
import { recordStage } from './record';
import { checkStageOrder, spanned } from './run';
import type { AlertStage } from './stage';

/** One way events reach a function, and the sources it accepts that way. */
export interface Trigger {
  /** The envelope the event arrives in. */
  readonly kind: IntakeRecord['kind'];
  /** Source keys (sourceKeyOf) accepted through this trigger; `heartbeat` admits Klaxon's own beat. */
  readonly sources: readonly string[];
}

/** Screens the accepted drafts of one event before their stages: which go on, and why the others were dropped. */
export type DraftScreen = (
  drafts: readonly AlertDraft[],
  deps: PipelineDeps,
) => Promise<{ drafts: AlertDraft[]; dropped: ReadonlyArray<{ reason: string }> }>;

/** A function's alert stages alone: what runs the alerts Klaxon raises itself (the self-check). */
export interface StageComposition {
  /** The function's name, as in its logs. */
  readonly name: string;
  /** The stages every alert runs through, in order. */
  readonly stages: readonly AlertStage[];
}

/** What one event pipeline function is: its triggers, the sources it normalizes, and its stages. */
export interface EventComposition extends StageComposition {
  /** How events reach it; `every` (local replays and tests) accepts any source from any envelope. */
  readonly triggers: readonly Trigger[] | 'every';
  /**
   * The sources it parses. A function bundles only these: an event of another known source is
   * named from the generated table and refused, unparsed, as any source its triggers do not carry.
   */
  readonly registry: SourceRegistry;
  /** Screens security drafts first (allowlists, Klaxon's own roles, failed sign-in counts), if set. */
  readonly screen?: DraftScreen;
}

/** The key a trigger's source list names: the `source` label, with the kind for Klaxon's own alerts. */
export function sourceKeyOf(draft: Pick<AlertDraft, 'labels'>): string {
  const { source, kind } = draft.labels;
  return source === 'klaxon' && kind ? `klaxon:${kind}` : (source ?? 'unknown');
}

/** Tells whether a composition accepts a draft that arrived through an envelope of the given kind. */
export function accepts(composition: EventComposition, kind: IntakeRecord['kind'], key: string): boolean {
  if (composition.triggers === 'every') return true;
  return composition.triggers.some((trigger) => trigger.kind === kind && trigger.sources.includes(key));
}

/** Deliver and record, in one `alert` span named after the alert and its routes. */
export const deliverAndRecord = spanned(
  'alert',
  (work) => {
    const decision = work.decision;
    const alert = decision?.alert;
    return {
      fingerprint: alert?.fingerprint ?? '',
      source: alert?.labels.source ?? '',
      severity: alert?.severity ?? '',
      route: decision?.routes.join(',') ?? '',
    };
  },
  [observeStage, deliverStage, recordStage],
);

/** Builds a composition after checking its stage order (StageOrderError when a stage comes too early). */
export function composition(parts: EventComposition): EventComposition;
export function composition(parts: StageComposition): StageComposition;
export function composition(parts: StageComposition): StageComposition {
  checkStageOrder(parts.stages);
  return parts;
}
