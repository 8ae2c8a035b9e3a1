import type { Context } from 'aws-lambda';
import * as z from '../../shared/zod';
import klaxonYml from '../../klaxon.yml';
import { deployedDigest } from '../../shared/digest/deployed';
import { type DigestDeps, runDigest } from '../../shared/digest/run';
import { DigestDeliveryError, InvalidEventError } from '../../shared/errors';
import type { InvocationClock } from '../../shared/lambda/invocation-clock';
import { lazyHandler } from '../../shared/lambda/lazy-handler';
import { createPowertools } from '../../shared/observability/powertools';

const powertools = createPowertools('klaxon-digest');

/**
 * The EventBridge schedule event (`Scheduled Event`), or `{}` for a manual invocation. Its `time`
 * ends the period and its `id` is the same on Lambda's retries, which then post at most once.
 */
const scheduleEvent = z.looseObject({
  id: z.optional(z.string()),
  time: z.optional(z.string().check(z.refine((text) => !Number.isNaN(Date.parse(text)), 'an ISO 8601 time'))),
});

/** What the digest function returns (ignored by the scheduler; useful in tests and `invoke`). */
export interface DigestHandlerResult {
  outcome: 'posted' | 'duplicate' | 'disabled';
  receiver?: string;
  firing?: number;
  informational?: number;
  empty?: boolean;
}

/** Posts the digest of the period the schedule event ends (at most once per event id). */
async function postDigest(event: unknown, deps: DigestDeps): Promise<DigestHandlerResult> {
  const { observer } = deps;
  const parsed = scheduleEvent.safeParse(event ?? {});
  if (!parsed.success) {
    throw new InvalidEventError(`digest: not a schedule event: ${parsed.error.issues[0]?.message ?? ''}`);
  }
  try {
    const run = await runDigest(deps, {
      ...(parsed.data.time ? { at: new Date(parsed.data.time) } : {}),
      ...(parsed.data.id ? { key: parsed.data.id } : {}),
    });
    return {
      outcome: run.outcome,
      receiver: run.receiver,
      firing: run.digest?.alerts.firing,
      informational: run.digest?.informational.total,
      empty: run.digest?.empty,
    };
  } catch (error) {
    // A delivery failure is logged by runDigest; anything else (the state table) is logged here.
    if (!(error instanceof DigestDeliveryError)) {
      observer.note('error', 'digest failed', {
        error: (error as Error).message,
        name: (error as Error).name,
      });
    }
    throw error;
  } finally {
    observer.flush();
  }
}

/** Builds the digest function around dependencies created once, on first use (tests inject their own). */
export function createDigestHandler(
  build: (clock: InvocationClock) => DigestDeps,
): (event: unknown, context?: Context) => Promise<DigestHandlerResult> {
  return lazyHandler({
    addContext: (context) => powertools.logger.addContext(context),
    defaultRemainingMs: 60_000,
    build,
    run: (event: unknown, deps: DigestDeps) => postDigest(event, deps),
  });
}

/** The Lambda entry point of the scheduled digest. */
export const handler = createDigestHandler((clock) =>
  deployedDigest(klaxonYml, process.env, powertools, clock),
);
