import { readdirSync, statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALERT_CAPS, capDraft, utf8Bytes } from '../../../shared/alert/caps';
import * as json from '../../../shared/json';
import { fitAlert, MEMBER_MAX_BYTES } from '../../../shared/alert/fit';
import type { AlertDraft } from '../../../shared/sources/types';
import { testAlert } from '../../support/delivery-fakes';
import { alarmDraft } from '../../support/drafts';
import { REPO_ROOT, repoText } from '../../support/fixtures';

// Every importer of shared/json (caps.ts included) gets a boundedCopy that counts its calls.
vi.mock('../../../shared/json', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../shared/json')>();
  return { ...original, boundedCopy: vi.fn(original.boundedCopy) };
});

/** The alarm draft with the given raw event. */
function draft(raw: unknown): AlertDraft {
  return alarmDraft({ raw });
}

/** Every JSON fixture under events/, parsed. */
function fixtures(): Array<[string, unknown]> {
  const found: Array<[string, unknown]> = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(`${REPO_ROOT}${dir}`)) {
      const path = `${dir}/${name}`;
      if (statSync(`${REPO_ROOT}${path}`).isDirectory()) visit(path);
      else if (name.endsWith('.json')) {
        try {
          found.push([path, JSON.parse(repoText(path)) as unknown]);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error; // invalid fixtures are on purpose
        }
      }
    }
  };
  visit('events');
  return found;
}

const nest = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = { d: value };
  return value;
};

/** Values whose serialized size is hard to bound: escapes, astral and lone surrogates, long numbers. */
const ADVERSARIAL: Array<[string, unknown]> = [
  ['control characters', { text: '\u0000\u0001\u001f'.repeat(3000) }],
  ['lone surrogates', { text: '\uD800x\uDC00'.repeat(3000) }],
  ['astral characters', { text: '😀'.repeat(5000) }],
  ['three-byte characters', ['€'.repeat(10_000)]],
  ['quotes and backslashes', { '"\\': '"\\'.repeat(5000) }],
  ['long numbers', Array.from({ length: 2000 }, (_, i) => -1.2345678901234567e-308 * (i + 1))],
  ['non-finite numbers', [Number.NaN, Number.POSITIVE_INFINITY, -0]],
  ['31 levels', nest(31)],
  ['32 levels', nest(32)],
  ['33 levels', nest(33)],
  ['undefined in an array', [1, undefined, 2]],
  ['undefined in an object', { a: undefined, b: 1 }],
  ['a function', { f: () => 1 }],
  ['a date', { at: new Date(0) }],
  ['just under the cap', { text: 'x'.repeat(ALERT_CAPS.rawBytes - 12) }],
  ['just over the cap', { text: 'x'.repeat(ALERT_CAPS.rawBytes) }],
  ['a sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
  ['undefined', undefined],
  ['a string', 'plain'],
  ['null', null],
];

describe('capDraft raw event, fast path', () => {
  beforeEach(() => vi.mocked(json.boundedCopy).mockClear());
  // Only the JSON.stringify spy is restored: restoreAllMocks would also undo the module mock.
  afterEach(() => vi.mocked(JSON.stringify).mockRestore?.());

  it('neither copies nor serializes a raw event that is shallow and under the cap', () => {
    const stringify = vi.spyOn(JSON, 'stringify');
    const raw = JSON.parse(
      repoText('events/cloudtrail/eventbridge-account-contacts-changed-positive.json'),
    ) as unknown;
    const capped = capDraft(draft(raw));
    expect(capped.raw).toBe(raw);
    expect(json.boundedCopy).not.toHaveBeenCalled();
    expect(stringify).not.toHaveBeenCalled();
  });

  it('still takes the exact path for a raw event over the cap or nested too deep', () => {
    capDraft(draft({ text: 'x'.repeat(ALERT_CAPS.rawBytes) }));
    capDraft(draft(nest(40)));
    expect(json.boundedCopy).toHaveBeenCalledTimes(2);
  });

  it.each([...fixtures(), ...ADVERSARIAL])('keeps what the exact path keeps: %s', (_name, raw) => {
    const capped = capDraft(draft(raw));
    const bound = json.jsonBytesBound(raw, Number.POSITIVE_INFINITY);
    if (Number.isFinite(bound)) {
      // The bound never undercounts, so whatever it passes, the exact path passes unchanged.
      expect(bound).toBeGreaterThanOrEqual(utf8Bytes(JSON.stringify(raw) ?? ''));
    }
    const exact = json.boundedCopy(raw, 32);
    const text = JSON.stringify(exact.value);
    const fits = text === undefined || utf8Bytes(text) <= ALERT_CAPS.rawBytes;
    if (fits && !exact.cut) {
      expect(capped.raw).toBe(raw);
      expect(capped.annotations.truncated).toBeUndefined();
    } else {
      expect(capped.annotations.truncated).toMatch(/raw event/);
    }
  });

  it('gives up (Infinity) as soon as the bound passes the limit, past 32 levels, or on non-JSON values', () => {
    expect(json.jsonBytesBound({ a: 'x'.repeat(100) }, 50)).toBe(Number.POSITIVE_INFINITY);
    // 32 objects sit at depths 0-31, which boundedCopy keeps; a 33rd would be cut.
    expect(json.jsonBytesBound(nest(32), Number.POSITIVE_INFINITY)).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(json.jsonBytesBound(nest(33), Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(json.jsonBytesBound({ at: new Date(0) }, Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(json.jsonBytesBound(Object.create({ inherited: 1 }) as unknown, 1e9)).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});

describe('fitAlert, fast path', () => {
  afterEach(() => vi.restoreAllMocks());

  it('does not serialize an alert far under the limit, and returns it as it was', () => {
    const alert = { ...testAlert(1), metric: undefined };
    const stringify = vi.spyOn(JSON, 'stringify');
    expect(fitAlert(alert, MEMBER_MAX_BYTES)).toBe(alert);
    expect(stringify).not.toHaveBeenCalled();
  });

  it('measures exactly when the bound is over the limit: an alert that fits is still kept whole', () => {
    // 10,000 three-byte characters: bound 60 KB+, exact 30 KB.
    const alert = { ...testAlert(1), annotations: { summary: 'ALARM', note: '€'.repeat(10_000) } };
    expect(json.jsonBytesBound(alert, 32 * 1024, 64)).toBe(Number.POSITIVE_INFINITY);
    expect(fitAlert(alert, 32 * 1024)).toBe(alert);
    const big = { ...testAlert(1), annotations: { summary: 'ALARM', note: '€'.repeat(20_000) } };
    const fitted = fitAlert(big, 32 * 1024);
    expect(fitted).not.toBe(big);
    expect(utf8Bytes(JSON.stringify(fitted))).toBeLessThanOrEqual(32 * 1024);
  });
});

describe('capDraft copies only what it cuts', () => {
  it('keeps the labels object when only an annotation is cut, and never writes to its input', () => {
    const input = draft({ AlarmName: 'api-5xx' });
    Object.freeze(input.labels);
    Object.freeze(input.annotations);
    const long = Object.freeze({ ...input, annotations: Object.freeze({ summary: 'x'.repeat(5000) }) });
    const capped = capDraft(long);
    expect(capped.labels).toBe(input.labels);
    expect(capped.annotations.truncated).toBe('Klaxon cut: annotation summary');
  });

  it('keeps the annotations it did not cut when only a label is cut', () => {
    const input = draft({ AlarmName: 'api-5xx' });
    const long = Object.freeze({
      ...input,
      labels: Object.freeze({ ...input.labels, team: 'y'.repeat(2000) }),
      annotations: Object.freeze({ summary: 'ALARM: api-5xx', runbook: 'https://runbooks.example.com/api' }),
    });
    const capped = capDraft(long);
    expect(capped.labels).not.toBe(long.labels);
    expect(capped.labels.team).toMatch(/…\[truncated\]$/);
    expect(capped.annotations).toEqual({
      summary: 'ALARM: api-5xx',
      runbook: 'https://runbooks.example.com/api',
      truncated: 'Klaxon cut: label team',
    });
  });
});
