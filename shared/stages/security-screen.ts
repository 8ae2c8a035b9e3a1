import { InMemoryFailedLoginCounter } from '../security/failed-logins';
import { securityStage } from '../security/stage';
import { MemoryStateStore } from '../state/memory';
import type { DraftScreen } from './composition';
import { degraded } from './fail-open';

/** Failed sign-ins counted in this process, when no state table is configured (replays, tests). */
const localFailedLogins = new InMemoryFailedLoginCounter();

/** Threshold windows counted in this process, when no state table is configured (replays, tests). */
const localThresholds = new MemoryStateStore();

/**
 * Screens security drafts before their stages: allowlists, Klaxon's own roles, threshold counts and
 * failed sign-in escalation (shared/security/stage.ts), with this process's counters when the
 * pipeline has no state table.
 */
export const securityScreen: DraftScreen = (drafts, deps) =>
  securityStage(drafts, {
    config: deps.config.security,
    ownRoleArns: deps.ownRoleArns ?? [],
    counter: deps.failedLogins ?? localFailedLogins,
    thresholds: deps.thresholds ?? deps.store ?? localThresholds,
    now: deps.now(),
    degraded: (operation, error) => degraded(deps, operation, error),
  });
