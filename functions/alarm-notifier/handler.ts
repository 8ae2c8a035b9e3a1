import klaxonYml from '../../klaxon.yml';
import { createPipelineHandler, type PipelineHandlerResult } from '../../shared/lambda';
import { createPowertools } from '../../shared/observability/powertools';
import type { PipelineDeps } from '../../shared/pipeline';
import { deployedPipeline, InvocationClock } from '../../shared/runtime';

/** What the alarm notifier returns. */
export type AlarmNotifierResult = PipelineHandlerResult;

const powertools = createPowertools('klaxon-alarm-notifier');
const invocation = new InvocationClock();

/** Builds the alarm notifier around dependencies created once, on first use (tests inject their own). */
export function createAlarmNotifier(buildDeps: (clock: InvocationClock) => PipelineDeps) {
  return createPipelineHandler(
    'alarm-notifier',
    invocation,
    (c) => powertools.logger.addContext(c),
    buildDeps,
  );
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
