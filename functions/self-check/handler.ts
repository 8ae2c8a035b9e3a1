import type { Context } from 'aws-lambda';
import klaxonYml from '../../klaxon.yml';
import { createPowertools } from '../../shared/observability/powertools';
import { InvocationClock } from '../../shared/runtime';
import {
  deployedSelfCheck,
  runSelfCheck,
  type SelfCheckDeps,
  type SelfCheckResult,
} from '../../shared/scheduled/self-check';

const powertools = createPowertools('klaxon-self-check');
const invocation = new InvocationClock();

/** Default invocation time when no Lambda context is given (tests, local invoke). */
const DEFAULT_REMAINING_MS = 60_000;

/** Builds the self-check function around dependencies created once, on first use (tests inject their own). */
export function createSelfCheck(build: (clock: InvocationClock) => SelfCheckDeps) {
  let deps: SelfCheckDeps | undefined;
  return async (event: unknown, context?: Context): Promise<SelfCheckResult> => {
    if (context) powertools.logger.addContext(context);
    invocation.start(context?.getRemainingTimeInMillis() ?? DEFAULT_REMAINING_MS);
    deps ??= build(invocation);
    return runSelfCheck(event, deps, context?.invokedFunctionArn);
  };
}

/** The deployed dependencies: bundled klaxon.yml, the doctor's AWS port, state table, queues and receivers. */
export const deployedDeps = (
  config: unknown = klaxonYml,
  clock: InvocationClock = invocation,
): SelfCheckDeps => deployedSelfCheck(config, process.env, powertools, clock);

/** The Lambda entry point of the self-check schedule: runs the doctor and alerts on what it finds. */
export const handler = createSelfCheck((clock) => deployedDeps(klaxonYml, clock));
