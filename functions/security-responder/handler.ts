import klaxonYml from '../../klaxon.yml';
import { createPipelineHandler, type PipelineHandlerResult } from '../../shared/lambda';
import { createPowertools } from '../../shared/observability/powertools';
import type { PipelineDeps } from '../../shared/pipeline';
import { deployedPipeline, InvocationClock } from '../../shared/runtime';

/** What the security responder returns. */
export type SecurityResponderResult = PipelineHandlerResult;

const powertools = createPowertools('klaxon-security-responder');
const invocation = new InvocationClock();

/** Builds the security responder around dependencies created once, on first use (tests inject their own). */
export function createSecurityResponder(buildDeps: (clock: InvocationClock) => PipelineDeps) {
  return createPipelineHandler(
    'security-responder',
    invocation,
    (c) => powertools.logger.addContext(c),
    buildDeps,
  );
}

/** The dependencies of the deployed function (the same pipeline as the alarm notifier). */
export function deployedDeps(
  configText: string = klaxonYml,
  clock: InvocationClock = invocation,
): PipelineDeps {
  return deployedPipeline(configText, process.env, powertools, clock);
}

/** The Lambda entry point for CloudTrail detections and GuardDuty / Security Hub findings (EventBridge). */
export const handler = createSecurityResponder((clock) => deployedDeps(klaxonYml, clock));
