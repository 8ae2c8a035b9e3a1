import type { Context } from 'aws-lambda';
import klaxonYml from '../../klaxon.yml';
import { InvocationClock } from '../../shared/lambda/invocation-clock';
import { lazyHandler } from '../../shared/lambda/lazy-handler';
import { createPowertools } from '../../shared/observability/powertools';
import {
  deployedSelfCheck,
  runSelfCheck,
  type SelfCheckDeps,
  type SelfCheckResult,
} from '../../shared/scheduled/self-check';

const powertools = createPowertools('klaxon-self-check');
const invocation = new InvocationClock();

/** Builds the self-check function around dependencies created once, on first use (tests inject their own). */
export function createSelfCheck(
  build: (clock: InvocationClock) => SelfCheckDeps,
): (event: unknown, context?: Context) => Promise<SelfCheckResult> {
  return lazyHandler({
    addContext: (context) => powertools.logger.addContext(context),
    defaultRemainingMs: 60_000,
    clock: invocation,
    build,
    run: (event: unknown, deps: SelfCheckDeps, context) =>
      runSelfCheck(event, deps, context?.invokedFunctionArn),
  });
}

/** The deployed dependencies: bundled klaxon.yml, the doctor's AWS port, state table, queues and receivers. */
export const deployedDeps = (
  config: unknown = klaxonYml,
  clock: InvocationClock = invocation,
): SelfCheckDeps => deployedSelfCheck(config, process.env, powertools, clock);

/** The Lambda entry point of the self-check schedule: runs the doctor and alerts on what it finds. */
export const handler = createSelfCheck((clock) => deployedDeps(klaxonYml, clock));
