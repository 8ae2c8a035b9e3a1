import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/yaml';
import { MemoryStateStore } from '../../../shared/state/memory';
import { type CrashOutcome, type KillPoint, runWithKill } from '../../support/crash-harness';
import { testAlert } from '../../support/delivery-fakes';

const config = loadConfig(`
delivery:
  retrySchedule: [60, 300, 900]
receivers:
  chat: { type: slack, webhookUrl: { env: X } }
route: { receiver: chat }
`);

const groups = { chat: { route: 'storm', by: ['region'], windowSeconds: 30 } };

/** The scenarios of the retry and flush paths; each is run once clean, then killed at every step. */
const SCENARIOS = {
  'a delivery that fails twice and is retried from the queue': {
    alerts: [testAlert(1)],
    failures: 2,
    groups: {},
  },
  'a group of three whose flush fails once and is retried': {
    alerts: [testAlert(1), testAlert(2), testAlert(3)],
    failures: 1,
    groups,
  },
  'a group of two flushed at once': { alerts: [testAlert(1), testAlert(2)], failures: 0, groups },
} as const;

/** True when the kill falls between a send that went out and its record: the one place a resend is allowed. */
function afterASend(clean: CrashOutcome, kill: KillPoint): boolean {
  const index = kill.step - 1;
  return kill.when === 'after' ? clean.trace[index] === 'send' : clean.trace[index - 1] === 'send';
}

describe('interrupting the retry and flush paths at every step', () => {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(`${name}: nothing lost, nothing sent twice`, async () => {
      const run = (kill?: KillPoint) =>
        runWithKill({
          config,
          store: new MemoryStateStore(),
          alerts: scenario.alerts.map((alert) => ({ ...alert })),
          receiver: { name: 'chat', type: 'slack', failures: scenario.failures },
          groups: scenario.groups,
          kill,
        });
      const clean = await run();
      expect([...clean.delivered.values()]).toEqual(scenario.alerts.map(() => 1));
      expect(clean.steps).toBeGreaterThan(5);
      const failures: string[] = [];
      for (let step = 1; step <= clean.steps; step++) {
        for (const when of ['before', 'after'] as const) {
          const kill = { step, when };
          const outcome = await run(kill);
          const lost = scenario.alerts.filter((a) => !outcome.delivered.has(a.transitionId)).length;
          const twice = [...outcome.delivered.values()].filter((n) => n > 1).length;
          const allowedTwice = afterASend(clean, kill) ? 1 : 0;
          if (
            lost > 0 ||
            twice > allowedTwice * scenario.alerts.length ||
            outcome.deadLettered ||
            outcome.stranded
          ) {
            failures.push(
              `killed ${when} step ${step} (${clean.trace[step - 1]}): lost ${lost}, twice ${twice}, dead ${outcome.deadLettered}, stranded ${outcome.stranded}`,
            );
          }
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
