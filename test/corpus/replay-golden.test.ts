import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/klaxon';
import { runCli } from '../support/cli';
import { REPO_ROOT } from '../support/fixtures';

// The replay --json output of every bundled fixture, byte for byte. A change to a decision or a
// payload shows here as a diff of this file: regenerate it with `npm run replay:golden` when the
// change is intended, and review the diff in the commit.
const GOLDEN = 'test/corpus/replay-events.golden.jsonl';

describe('replay of the bundled fixtures', () => {
  it(`prints exactly ${GOLDEN}`, async () => {
    const { code, stdout } = await runCli(
      'replay',
      'events',
      '--json',
      '--out',
      mkdtempSync(join(tmpdir(), 'golden-')),
    );
    expect(code).toBe(EXIT.ok);
    const expected = readFileSync(join(REPO_ROOT, GOLDEN), 'utf8').split('\n');
    const actual = stdout.split('\n');
    const changed = actual.flatMap((line, i) =>
      line === expected[i] ? [] : [`line ${i + 1}: ${line.slice(0, 300)}`],
    );
    expect(changed, `replay output differs from ${GOLDEN} (npm run replay:golden to accept)`).toEqual([]);
    expect(actual).toHaveLength(expected.length);
  });
});
