import type { Context } from 'aws-lambda';
import { DeliveryIncompleteError } from './delivery/dispatcher';
import { type PipelineDeps, type ProcessResult, processEvent } from './pipeline';
import { createPowertools } from './observability/powertools';
import { deployedPipeline, InvocationClock } from './runtime';

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

/**
 * Builds a Lambda handler that runs every event through the pipeline, with dependencies created
 * once on first use. Bad input never throws; an invocation whose deliveries could be neither sent
 * nor queued throws after the whole batch, so Lambda retries it and claims skip what went out.
 */
export function createPipelineHandler(
  name: string,
  invocation: InvocationClock,
  addContext: (context: Context) => void,
  buildDeps: (clock: InvocationClock) => PipelineDeps,
) {
  let deps: PipelineDeps | undefined;
  return async (event: unknown, context?: Context): Promise<PipelineHandlerResult> => {
    if (context) addContext(context);
    invocation.start(context?.getRemainingTimeInMillis() ?? DEFAULT_REMAINING_MS);
    deps ??= buildDeps(invocation);
    const pipeline = deps;
    const result = await pipeline.observer.span(`## ${name}`, () => processEvent(event, pipeline));
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
  };
}

/** The pieces each pipeline Lambda function exports: a factory for tests, its deployed deps, its handler. */
export function pipelineFunction(name: string, bundledConfig: unknown) {
  const powertools = createPowertools(`klaxon-${name}`);
  const invocation = new InvocationClock();
  /** Builds the handler around dependencies created once, on first use (tests inject their own). */
  const create = (buildDeps: (clock: InvocationClock) => PipelineDeps) =>
    createPipelineHandler(name, invocation, (c) => powertools.logger.addContext(c), buildDeps);
  /** The deployed dependencies: bundled klaxon.yml, SSM secrets, state table and queues. */
  const deployedDeps = (config: unknown = bundledConfig, clock: InvocationClock = invocation): PipelineDeps =>
    deployedPipeline(config, process.env, powertools, clock);
  return { create, deployedDeps, handler: create((clock) => deployedDeps(bundledConfig, clock)) };
}
