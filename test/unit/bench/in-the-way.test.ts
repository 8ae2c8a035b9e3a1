import { describe, expect, it } from 'vitest';
import {
  isPipelineWork,
  type MemoryBreakdown,
  memoryInTheWay,
  profileInTheWay,
} from '../../../bench/lib/in-the-way';
import type { ProfileEntry } from '../../../bench/lib/profile';

const entry = (name: string, module: string, selfPercent: number): ProfileEntry => ({
  name,
  module,
  selfMs: selfPercent * 10,
  selfPercent,
});

const profile: ProfileEntry[] = [
  entry('(idle)', '(native)', 20),
  entry('(garbage collector)', '(native)', 9.4),
  entry('processEventText', 'shared/pipeline.ts', 5.9),
  entry('onStreamRead', 'node:internal/readline/interface', 7.2),
  entry('write', 'node:string_decoder', 6.5),
  entry('parse', 'node_modules/zod/v4/core/schemas.js', 4.2),
  entry('copy', 'shared/json.ts', 5.1),
  entry('capRaw', 'shared/alert/caps.ts', 4.1),
];

describe('what stands in the way of a hot-path CPU target', () => {
  it('names the top functions by share, with their module, leaving out idle time', () => {
    expect(profileInTheWay(profile, { top: 4 })).toBe(
      '(garbage collector) 9.4%, onStreamRead (node:internal/readline/interface) 7.2%, write (node:string_decoder) 6.5%, processEventText (shared/pipeline.ts) 5.9%',
    );
  });

  it('leaves out streaming for the JSON-floor ratio, which excludes it on both sides', () => {
    expect(profileInTheWay(profile, { top: 4, workOnly: true })).toBe(
      '(garbage collector) 9.4%, processEventText (shared/pipeline.ts) 5.9%, copy (shared/json.ts) 5.1%, parse (zod/v4/core/schemas.js) 4.2%',
    );
  });

  it('sorts by share whatever order the summary gives', () => {
    const shuffled = [...profile].reverse();
    expect(profileInTheWay(shuffled, { top: 1 })).toBe('(garbage collector) 9.4%');
  });

  it('defaults to five entries and returns nothing for an empty profile', () => {
    expect(profileInTheWay(profile).split(', ')).toHaveLength(5);
    expect(profileInTheWay([])).toBe('');
  });

  it('tells streaming and waiting from pipeline work', () => {
    expect(isPipelineWork({ name: 'onLine', module: 'node:internal/readline/interface' })).toBe(false);
    expect(isPipelineWork({ name: 'read', module: 'node:internal/fs/streams' })).toBe(false);
    expect(isPipelineWork({ name: '(idle)', module: '(native)' })).toBe(false);
    expect(isPipelineWork({ name: '(garbage collector)', module: '(native)' })).toBe(true);
    // A module of ours whose name merely contains "streams" is pipeline work.
    expect(isPipelineWork({ name: 'render', module: 'shared/receivers/streams.ts' })).toBe(true);
  });
});

describe('what stands in the way of the RSS target', () => {
  const MB = 1048576;
  const memory: MemoryBreakdown = {
    rssBeforeBytes: 60 * MB,
    rssBytes: 250 * MB,
    heapTotalBytes: 150 * MB,
    heapUsedBytes: 90 * MB,
    externalBytes: 25 * MB,
    heapSpaces: [
      { name: 'new_space', bytes: 32 * MB },
      { name: 'old_space', bytes: 100 * MB },
      { name: 'code_space', bytes: 5 * MB },
    ],
  };

  it('splits the RSS into heap, other native and external, with the largest heap spaces', () => {
    expect(memoryInTheWay(memory)).toBe(
      'V8 heap 150 MB 60% (90 MB live; old_space 100 MB, new_space 32 MB), other native 75 MB 30%, external 25 MB 10%, 60 MB resident before the first event',
    );
  });

  it('never reports a negative remainder when the heap is not all resident', () => {
    const out = memoryInTheWay({ ...memory, rssBytes: 100 * MB, heapSpaces: [] });
    expect(out).toContain('other native 0 MB 0%');
    expect(out).toContain('(90 MB live)');
  });
});
