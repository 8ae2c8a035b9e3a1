import type { RemediationContext } from './context';
import { AUDIT_TTL_SECONDS } from './record';
import { formatDuration } from './wording';

const HOUR_MS = 3_600_000;

interface BreakerState {
  failures: number;
  openedAt?: number;
}

const breakerKey = (rule: string) => `remediation-breaker#${rule}`;
const slotKey = (slot: number) => `remediation-slot#${slot}`;

/** The reason the rule's circuit breaker is open, or undefined when closed. */
export async function breakerOpen(context: RemediationContext, rule: string): Promise<string | undefined> {
  const state = await context.store().loadRecord<BreakerState>(breakerKey(rule));
  const { failures, resetAfterMs } = context.config.remediation.breaker;
  if (!state || state.failures < failures || state.openedAt === undefined) return undefined;
  if (context.nowMs() - state.openedAt >= resetAfterMs) return undefined;
  return `circuit breaker open: rule ${rule} stopped after ${state.failures} consecutive failures (until ${new Date(state.openedAt + resetAfterMs).toISOString()})`;
}

/** Counts a success (closes the breaker) or a failure; returns the message when this failure opened it. */
export async function recordResult(
  context: RemediationContext,
  rule: string,
  success: boolean,
): Promise<string | undefined> {
  const store = context.store();
  const now = context.nowMs();
  const { failures: limit, resetAfterMs } = context.config.remediation.breaker;
  const state = (await store.loadRecord<BreakerState>(breakerKey(rule))) ?? { failures: 0 };
  const failures = success ? 0 : state.failures + 1;
  const wasOpen = state.openedAt !== undefined && now - state.openedAt < resetAfterMs;
  const trips = !success && failures >= limit && !wasOpen;
  const next: BreakerState = success
    ? { failures }
    : { ...state, failures, ...(trips ? { openedAt: now } : {}) };
  const tripped = trips
    ? `circuit breaker open: rule ${rule} is stopped after ${failures} consecutive failures for ${formatDuration(resetAfterMs)}; a human must look`
    : undefined;
  await store.saveRecord(breakerKey(rule), next, now, { ttlSeconds: AUDIT_TTL_SECONDS });
  if (tripped)
    context.deps.observer.note('error', 'remediation circuit breaker opened', {
      rule,
      failures: next.failures,
    });
  return tripped;
}

/** Takes the cooldown lease of a rule on a resource; false when it acted on it within the cooldown. */
export async function takeCooldown(
  context: RemediationContext,
  cooldownKey: string,
  token: string,
  cooldownMs: number,
  now: number,
): Promise<boolean> {
  return context.store().acquireLease(cooldownKey, token, now + cooldownMs, now);
}

/**
 * A failure that says the target is gone or already fixed (not found, already compliant): the rule
 * did no harm and the breaker does not count it, so nobody can stop a rule by deleting its targets.
 */
export function isBenignFailure(message: string | undefined): boolean {
  return BENIGN_FAILURE.test(message ?? '');
}

const BENIGN_FAILURE =
  /not ?found|does not exist|no such|already (?:compliant|stopped|running|enabled|disabled|blocked|in the desired state)/i;

/** The reason the rule's own hourly cap refuses another start (counting this one), or undefined. */
export async function ruleCapReached(
  context: RemediationContext,
  rule: { name: string; maxPerHour?: number },
  now: number,
): Promise<string | undefined> {
  const limit = rule.maxPerHour;
  if (limit === undefined) return undefined; // the global cap alone
  const started = await context.store().countEvent(`remediation-starts#${rule.name}`, now, HOUR_MS);
  if (started <= limit) return undefined;
  return `rule cap: rule ${rule.name} started ${started - 1} executions in the last hour (maxPerHour: ${limit})`;
}

/**
 * The reason the per-resource hourly cap refuses another start on `resource` (counting this one), or
 * undefined. Counted across every rule in the state table, so no resource is remediated in a loop.
 */
export async function resourceCapReached(
  context: RemediationContext,
  resource: string,
  now: number,
): Promise<string | undefined> {
  if (resource === '') return undefined;
  const limit = context.config.remediation.maxPerResourcePerHour;
  const started = await context.store().countEvent(`remediation-starts-on#${resource}`, now, HOUR_MS);
  if (started <= limit) return undefined;
  // Refused attempts count too (as for the other caps): a flood keeps the resource capped, never loops it.
  return `resource cap: ${started - 1} starts on ${resource} were attempted in the last hour (remediation.maxPerResourcePerHour: ${limit})`;
}

/** The reason the global hourly cap refuses another start (counting this one), or undefined. */
export async function hourlyCapReached(
  context: RemediationContext,
  now: number,
): Promise<string | undefined> {
  const { maxPerHour } = context.config.remediation;
  const started = await context.store().countEvent('remediation-starts', now, HOUR_MS);
  if (started <= maxPerHour) return undefined;
  return `global cap: ${started - 1} executions were started in the last hour (remediation.maxPerHour: ${maxPerHour})`;
}

/** A free concurrency slot, leased to `token` until the execution timeout; undefined when all are taken. */
export async function takeSlot(
  context: RemediationContext,
  token: string,
  now: number,
): Promise<number | undefined> {
  const { maxConcurrent, executionTimeoutMs } = context.config.remediation;
  for (let i = 0; i < maxConcurrent; i++) {
    if (await context.store().acquireLease(slotKey(i), token, now + executionTimeoutMs, now)) return i;
  }
  return undefined;
}

/** Frees a concurrency slot (the execution ended, or never started). */
export async function releaseSlot(context: RemediationContext, slot: number, token: string): Promise<void> {
  await context.store().releaseLease(slotKey(slot), token);
}
