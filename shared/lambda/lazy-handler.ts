import type { Context } from 'aws-lambda';
import { InvocationClock } from './invocation-clock';

/** How one Lambda function is assembled: its dependencies, built once, and the work of one invocation. */
export interface LazyHandlerParts<Deps, Event, Result> {
  /** Adds the Lambda context to the function's logger. */
  addContext: (context: Context) => void;
  /** The invocation time assumed when no Lambda context is given (tests, local invoke). */
  defaultRemainingMs: number;
  /** Builds the dependencies, on the first invocation only; the clock tells each invocation's remaining time. */
  build: (clock: InvocationClock) => Deps;
  /** Handles one invocation with the dependencies. */
  run: (event: Event, deps: Deps, context: Context | undefined) => Promise<Result>;
  /** The clock handed to `build` (a function that shares one with its deployed dependencies passes its own). */
  clock?: InvocationClock;
}

/**
 * Builds a Lambda handler whose dependencies are created on first use and kept for the life of the
 * execution environment; every invocation starts the clock and adds its context to the logger.
 */
export function lazyHandler<Deps, Event, Result>(
  parts: LazyHandlerParts<Deps, Event, Result>,
): (event: Event, context?: Context) => Promise<Result> {
  const clock = parts.clock ?? new InvocationClock();
  let deps: Deps | undefined;
  return async (event, context) => {
    if (context) parts.addContext(context);
    clock.start(context?.getRemainingTimeInMillis() ?? parts.defaultRemainingMs);
    deps ??= parts.build(clock);
    return parts.run(event, deps, context);
  };
}
