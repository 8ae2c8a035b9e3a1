import { describe, expect, it } from 'vitest';
import { runStorm } from '../../../bench/storm';

describe('the storm benchmark', () => {
  it('loses and doubles nothing, sends one message per window and group, with no 429', async () => {
    const report = await runStorm(2_000);
    const lines = report.split('\n');
    for (const receiver of ['chat', 'hook', 'pager']) {
      const line = lines.find((l) => l.startsWith(receiver)) ?? '';
      expect(line).toMatch(/lost 0 /);
      expect(line).toMatch(/twice 0 /);
      expect(line).toMatch(/429s 0 /);
    }
    expect(lines.find((l) => l.startsWith('chat'))).toMatch(/messages 2 .*first 31\.0 s/);
    expect(report).toContain('dead-lettered 0');
  });
});
