import type { DeliveryResult } from '../receivers/types';
import type { RemediationDecision } from '../remediation/remediator';
import type { Decision } from '../routing/decide';
import type { FindingMemory } from '../security/stage';
import type { AlertDraft } from '../sources/types';
import type { PipelineDeps } from '../pipeline-deps';

/** One alert on its way through the stages: each stage returns a new work with what it added. */
export interface AlertWork {
  /** The alert as normalized, then enriched. */
  readonly draft: AlertDraft;
  /** What routing sees: the draft, with a finding's remembered suppression when there is one. */
  readonly routingDraft?: AlertDraft;
  /** Severity decided (classify). */
  readonly classified?: Pick<Decision, 'alert' | 'severitySource'>;
  /** What the state table remembers of a security finding. */
  readonly finding?: FindingMemory;
  /** Routes, receivers, suppression and groups (route, then the muters and remediation). */
  readonly decision?: Decision;
  /** Writes the noise-control record once deliveries are known. */
  readonly recordNoise?: (deliveries: readonly DeliveryResult[], remediation?: string) => Promise<void>;
  /** What a remediation rule decided. */
  readonly remediation?: RemediationDecision;
  /** What each receiver did with the alert. */
  readonly deliveries?: DeliveryResult[];
  /** In preview mode, the exact payload each receiver would have been sent. */
  readonly payloads?: Record<string, unknown>;
}

/** A field of the work that a stage reads or adds. */
export type WorkField = keyof AlertWork;

/** One stage of the alert pipeline, in the spirit of Alertmanager's notify stages. */
export interface AlertStage {
  /** The stage's name, as used in compositions and errors. */
  readonly name: string;
  /** Fields an earlier stage must have added. */
  readonly needs: readonly WorkField[];
  /** Fields this stage adds. */
  readonly gives: readonly WorkField[];
  /** Runs the stage over one alert. */
  run(work: AlertWork, deps: PipelineDeps): Promise<AlertWork>;
}

/** A composition whose stages are in an order that cannot run (a stage before what it needs). */
export class StageOrderError extends Error {
  override readonly name = 'StageOrderError';
}

/** Returns the field of the work, or throws StageOrderError naming the stage that needed it. */
export function needed<K extends WorkField>(
  work: AlertWork,
  field: K,
  stage: string,
): NonNullable<AlertWork[K]> {
  const value = work[field];
  if (value === undefined) throw new StageOrderError(`stage ${stage} runs before anything gives ${field}`);
  return value as NonNullable<AlertWork[K]>;
}
