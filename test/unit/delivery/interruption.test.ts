import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../../shared/state/memory';
import { KILL_SCENARIOS, killAtEveryStep } from '../../support/crash-harness';

describe('interrupting the retry and flush paths at every step (in-memory store)', () => {
  for (const [name, scenario] of Object.entries(KILL_SCENARIOS)) {
    it(`${name}: nothing lost, nothing sent twice`, async () => {
      const result = await killAtEveryStep(scenario, () => new MemoryStateStore());
      expect(result.steps).toBeGreaterThan(5);
      expect(result.failures).toEqual([]);
      // Only the two kill points around the send that succeeded (after it; before its record) resend.
      expect(result.resentInGap).toBeLessThanOrEqual(2);
    });
  }
});
