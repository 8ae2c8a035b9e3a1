import { DeliveryIncompleteError } from '../delivery/dispatcher';
import { type DeployedPipeline, deployedPipeline } from '../deployed/pipeline';
import { createPowertools } from '../observability/powertools';
import { processEvent } from '../event-pipeline';
import type { PipelineDeps, ProcessResult } from '../pipeline-deps';
import type { EventComposition } from '../stages/composition';
import { InvocationClock } from './invocation-clock';
import { lazyHandler } from './lazy-handler';

/** What a pipeline function returns (ignored by async invokers; useful in tests and `invoke local`). */
export interface PipelineHandlerResult {
  outcome: ProcessResult['outcome'];
  alerts: number;
  delivered: number;
  queued: number;
  duplicates: number;
  failed: number;
  invalid: number;
}

/** Default invocation time when no Lambda context is given (tests, local invoke). */
const DEFAULT_REMAINING_MS = 30_000;

/** Runs one invocation payload through the pipeline and sums up what happened to its deliveries. */
async function runPipeline(
  composition: EventComposition,
  event: unknown,
  pipeline: PipelineDeps,
): Promise<PipelineHandlerResult> {
  const result = await pipeline.observer.span(`## ${composition.name}`, () =>
    processEvent(event, pipeline, composition),
  );
  if (result.incomplete) throw new DeliveryIncompleteError(result.incomplete);
  const deliveries = [...result.alerts, ...result.notices].flatMap((a) => a.deliveries);
  const count = (outcome: string) => deliveries.filter((d) => d.outcome === outcome).length;
  return {
    outcome: result.outcome,
    alerts: result.alerts.length,
    delivered: count('delivered') + count('grouped'),
    queued: count('queued'),
    duplicates: count('duplicate'),
    failed: count('failed'),
    invalid: result.errors.length,
  };
}

/**
 * The pieces each event pipeline function exports, from its composition (triggers, sources, stages):
 * a factory for tests, its deployed dependencies and its handler. Bad input never throws; an invocation whose deliveries could be neither sent nor
 * queued throws after the whole batch, so Lambda retries it and claims skip what went out.
 */
export function pipelineFunction(composition: EventComposition, bundledConfig: unknown) {
  const powertools = createPowertools(`klaxon-${composition.name}`);
  const clock = new InvocationClock();
  /** Builds the handler around dependencies created once, on first use (tests inject their own). */
  const create = (build: (clock: InvocationClock) => PipelineDeps) =>
    lazyHandler({
      addContext: (context) => powertools.logger.addContext(context),
      defaultRemainingMs: DEFAULT_REMAINING_MS,
      clock,
      build,
      run: (event: unknown, deps: PipelineDeps) => runPipeline(composition, event, deps),
    });
  /** The deployed dependencies: bundled klaxon.yml, SSM secrets, state table and queues. */
  const deployedDeps = (
    config: unknown = bundledConfig,
    invocation: InvocationClock = clock,
  ): DeployedPipeline => deployedPipeline(config, process.env, powertools, invocation);
  return { create, deployedDeps, handler: create((invocation) => deployedDeps(bundledConfig, invocation)) };
}
