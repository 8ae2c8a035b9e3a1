import type { Context } from 'aws-lambda';
import klaxonYml from '../../klaxon.yml';
import { DeliveryIncompleteError } from '../../shared/delivery/dispatcher';
import { createPowertools } from '../../shared/observability/powertools';
import { type PipelineDeps, type ProcessResult, processEvent } from '../../shared/pipeline';
import { deployedPipeline, InvocationClock } from '../../shared/runtime';

/** What the alarm notifier returns (ignored by async invokers; useful in tests and `invoke local`). */
export interface AlarmNotifierResult {
  outcome: ProcessResult['outcome'];
  alerts: number;
  delivered: number;
  queued: number;
  duplicates: number;
  failed: number;
  invalid: number;
}

const powertools = createPowertools('klaxon-alarm-notifier');
const invocation = new InvocationClock();

/** Default invocation time when no Lambda context is given (tests, local invoke). */
const DEFAULT_REMAINING_MS = 30_000;

/** Builds a handler around dependencies created once, on first use (tests inject their own). */
export function createAlarmNotifier(buildDeps: (clock: InvocationClock) => PipelineDeps) {
  let deps: PipelineDeps | undefined;
  return async (event: unknown, context?: Context): Promise<AlarmNotifierResult> => {
    if (context) powertools.logger.addContext(context);
    invocation.start(context?.getRemainingTimeInMillis() ?? DEFAULT_REMAINING_MS);
    deps ??= buildDeps(invocation);
    const pipeline = deps;
    const result = await pipeline.observer.span('## alarm-notifier', () => processEvent(event, pipeline));
    if (result.incomplete) {
      // Thrown after every record was processed: Lambda retries the invocation, and the claims of
      // what already went out make the retry skip it.
      throw new DeliveryIncompleteError(result.incomplete);
    }
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

/** The dependencies of the deployed function: bundled klaxon.yml, SSM secrets, state table and queues. */
export function deployedDeps(
  configText: string = klaxonYml,
  clock: InvocationClock = invocation,
): PipelineDeps {
  return deployedPipeline(configText, process.env, powertools, clock);
}

/** The Lambda entry point for SNS, EventBridge and direct alarm-action invocations. */
export const handler = createAlarmNotifier((clock) => deployedDeps(klaxonYml, clock));
