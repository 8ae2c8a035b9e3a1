import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERT_CAPS, utf8Bytes } from '../../shared/alert/caps';
import { loadConfig } from '../../shared/config/yaml';
import { processEventText } from '../../shared/pipeline';
import { toReplayLine } from '../../shared/replay/report';
import { parseStored } from '../../shared/state/store';
import { REPO_ROOT, repoText } from '../support/fixtures';
import { previewDeps } from '../support/preview-deps';

/** How many mutants one run makes, and the seed that makes them (change it to explore further). */
const MUTANTS = 300;
const SEED = 0x6b6c6178;

const config = loadConfig(repoText('klaxon.yml'));
const deps = previewDeps(config);

/** mulberry32: a small seeded generator, so a failing mutant can be made again from its number. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every container in a JSON value with the key or index of each of its entries. */
function slots(
  value: Json,
  found: Array<{ parent: Json[] | Record<string, Json>; key: string | number }> = [],
) {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      found.push({ parent: value, key: index });
      slots(item, found);
    });
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      found.push({ parent: value, key });
      slots(item, found);
    }
  }
  return found;
}

const DEEP = '\u0000DEEP\u0000';
const NASTY = '\u0000\u0007\u001b[31m\u202e\u200b\ud800 lone \udfff 😀 ﷽ \\" </script>';

/** The mutations: each changes one place of a parsed fixture (or, for deep nesting, its text). */
const MUTATIONS: Record<string, (event: Json, pick: () => number) => Json> = {
  'type swap': (event, pick) => {
    const all = slots(event);
    const slot = all[Math.floor(pick() * all.length)];
    if (!slot) return 42;
    const options: Json[] = [null, true, 0, -1.5e308, '', 'x', [], {}, ['a'], { a: 1 }];
    (slot.parent as Record<string, Json>)[slot.key] = options[Math.floor(pick() * options.length)] ?? null;
    return event;
  },
  'missing key': (event, pick) => {
    const all = slots(event).filter((s) => !Array.isArray(s.parent));
    const slot = all[Math.floor(pick() * all.length)];
    if (slot) delete (slot.parent as Record<string, Json>)[slot.key];
    return event;
  },
  '300 KB string': (event, pick) => {
    const all = slots(event).filter((s) => typeof (s.parent as Record<string, Json>)[s.key] === 'string');
    const slot = all[Math.floor(pick() * all.length)];
    const long = `${'é😀"\\<'.repeat(10)}${'a'.repeat(300_000)}`;
    if (slot) (slot.parent as Record<string, Json>)[slot.key] = long;
    return event;
  },
  'deep nesting': (event, pick) => {
    const all = slots(event);
    const slot = all[Math.floor(pick() * all.length)];
    if (slot) (slot.parent as Record<string, Json>)[slot.key] = DEEP;
    return event;
  },
  'control and unicode characters': (event, pick) => {
    for (const slot of slots(event)) {
      const value = (slot.parent as Record<string, Json>)[slot.key];
      if (typeof value === 'string' && pick() < 0.5)
        (slot.parent as Record<string, Json>)[slot.key] = `${value}${NASTY}`;
    }
    return event;
  },
  'wrong-shape SNS message': (event, pick) => {
    const shapes = [
      '[]',
      '"just a string"',
      '{"AlarmName": 7}',
      'not json {',
      '{"Records": "x"}',
      'null',
      '{"detail": []}',
    ];
    const records = (event as { Records?: Json }).Records;
    const shape = shapes[Math.floor(pick() * shapes.length)] ?? '[]';
    if (Array.isArray(records)) {
      for (const record of records) {
        const sns = (record as { Sns?: { Message?: Json } }).Sns;
        if (sns && typeof sns === 'object') sns.Message = shape;
      }
      return event;
    }
    return {
      Records: [
        { EventSource: 'aws:sns', Sns: { Message: shape, TopicArn: 'arn:aws:sns:us-east-1:123456789012:t' } },
      ],
    };
  },
  'duplicated records': (event) => {
    const records = (event as { Records?: Json }).Records;
    if (Array.isArray(records) && records.length > 0) {
      (event as { Records: Json[] }).Records = Array.from({ length: 60 }, () => records[0] ?? null);
      return event;
    }
    return { Records: Array.from({ length: 60 }, () => event) };
  },
};

function fixtures(): Array<{ file: string; event: Json }> {
  const root = join(REPO_ROOT, 'events');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .flatMap((path) => {
      // A fixture that is not JSON on purpose (an HTML error page) has nothing to mutate.
      const parsed = parseStored(readFileSync(path, 'utf8'));
      return parsed ? [{ file: relative(root, path), event: parsed.value as Json }] : [];
    });
}

/** Where a mutant's alerts break the parse-time caps (empty when they hold). */
function capProblems(result: Awaited<ReturnType<typeof processEventText>>): string[] {
  const problems: string[] = [];
  for (const outcome of result.alerts) {
    const alert = outcome.decision.alert;
    const labels = Object.entries(alert.labels);
    if (labels.length > ALERT_CAPS.labels) problems.push(`${labels.length} labels`);
    for (const [name, value] of labels) {
      if (utf8Bytes(value) > ALERT_CAPS.labelValueBytes) problems.push(`label ${name}`);
    }
    for (const [name, value] of Object.entries(alert.annotations)) {
      if (value !== undefined && utf8Bytes(value) > ALERT_CAPS.annotationBytes)
        problems.push(`annotation ${name}`);
    }
    const raw = JSON.stringify(alert.raw) ?? '';
    // The cut raw event is kept as a JSON string inside JSON: escaping may double what was cut.
    if (utf8Bytes(raw) > 2 * ALERT_CAPS.rawBytes) problems.push(`raw ${utf8Bytes(raw)} bytes`);
  }
  return problems;
}

describe('a seeded mutation fuzzer over events/', () => {
  it(
    `${MUTANTS} mutants: no crash, one NDJSON line each, every alert within the caps, each under 1 s`,
    { timeout: 120_000 },
    async () => {
      const pick = random(SEED);
      const corpus = fixtures();
      const names = Object.keys(MUTATIONS);
      const failures: string[] = [];
      let slowest = 0;
      const outcomes: Record<string, number> = {};
      for (let n = 0; n < MUTANTS; n++) {
        const fixture = corpus[Math.floor(pick() * corpus.length)] as (typeof corpus)[number];
        const name = names[n % names.length] as string;
        const mutated = (MUTATIONS[name] as (e: Json, p: () => number) => Json)(
          structuredClone(fixture.event),
          pick,
        );
        const text = JSON.stringify(mutated).replace(`"${DEEP}"`, `${'['.repeat(6000)}${']'.repeat(6000)}`);
        const label = `mutant ${n} (${name} of ${fixture.file})`;
        const started = performance.now();
        try {
          const result = await processEventText(text, deps);
          outcomes[`${name}:${result.outcome}`] = (outcomes[`${name}:${result.outcome}`] ?? 0) + 1;
          const line = JSON.stringify(toReplayLine(`fuzz/${n}.json`, result));
          if (line.includes('\n') || (JSON.parse(line) as { file: string }).file !== `fuzz/${n}.json`) {
            failures.push(`${label}: not one NDJSON line`);
          }
          for (const problem of capProblems(result)) failures.push(`${label}: ${problem} over the cap`);
        } catch (error) {
          failures.push(
            `${label}: threw ${(error as Error).name}: ${(error as Error).message.slice(0, 200)}`,
          );
        }
        const took = performance.now() - started;
        slowest = Math.max(slowest, took);
        // Shared CI machines stall now and then; the target (1 s) is reported, the test allows 2 s.
        if (took > 2_000) failures.push(`${label}: took ${Math.round(took)} ms`);
      }
      expect(failures).toEqual([]);
      expect(slowest).toBeGreaterThan(0);
      if (process.env.FUZZ_REPORT) console.log(JSON.stringify({ slowest, outcomes }));
    },
  );
});
