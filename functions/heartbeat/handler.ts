import type { Context } from 'aws-lambda';
import { lazyHandler } from '../../shared/lambda/lazy-handler';
import { createPowertools } from '../../shared/observability/powertools';
import {
  deployedHeartbeat,
  type HeartbeatDeps,
  type HeartbeatResult,
  sendHeartbeat,
} from '../../shared/scheduled/heartbeat';

const powertools = createPowertools('klaxon-heartbeat');

/** Builds the heartbeat function around dependencies created once, on first use (tests inject their own). */
export function createHeartbeat(
  build: () => HeartbeatDeps,
): (event: unknown, context?: Context) => Promise<HeartbeatResult> {
  return lazyHandler({
    addContext: (context) => powertools.logger.addContext(context),
    defaultRemainingMs: 10_000,
    build,
    run: (event: unknown, deps: HeartbeatDeps, context) =>
      sendHeartbeat(event, deps, context?.invokedFunctionArn),
  });
}

/** The Lambda entry point of the heartbeat schedule: publishes one beat to the stack's alarm topic. */
export const handler = createHeartbeat(() => deployedHeartbeat(process.env, powertools));
