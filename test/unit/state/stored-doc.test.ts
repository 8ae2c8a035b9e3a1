import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { StateStoreError } from '../../../shared/errors';
import {
  COMPRESS_FROM_BYTES,
  decodeStoredDoc,
  encodeStoredDoc,
  readStoredDoc,
} from '../../../shared/state/stored-doc';
import { STORED_DOC_DICTIONARY_V1 } from '../../../shared/state/stored-doc-dictionary';

/** Every alert the bundled fixtures become, as the replay golden file holds them. */
const goldenAlerts: Array<Record<string, unknown>> = readFileSync(
  new URL('../../corpus/replay-events.golden.jsonl', import.meta.url),
  'utf8',
)
  .trim()
  .split('\n')
  .flatMap((line) => (JSON.parse(line) as { alerts?: Array<Record<string, unknown>> }).alerts ?? []);

/** An alert-state document as the noise engine saves it, around one of those alerts. */
function alertState(alert: Record<string, unknown>) {
  return {
    status: alert.status,
    transitionId: alert.transitionId,
    at: 1_796_479_953_128,
    alert,
    receivers: alert.receivers,
    groups: {},
    notified: true,
  };
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');
const storedBytes = (attribute: { S?: string; B?: Uint8Array }) =>
  attribute.B ? attribute.B.length : Buffer.byteLength(attribute.S ?? '', 'utf8');

describe('stored documents', () => {
  it('keeps the version 1 dictionary byte for byte: items written with it are read with it', () => {
    // A changed dictionary would make every compressed item in every table unreadable: add a version instead.
    expect(createHash('sha256').update(STORED_DOC_DICTIONARY_V1, 'utf8').digest('hex')).toBe(
      'a32082a823a6d53577ca35d18d8dc59a3864d7308b94e5eaaf91f808630b0340',
    );
  });

  it('reads back every fixture alert exactly, compressed', () => {
    expect(goldenAlerts.length).toBeGreaterThan(200);
    for (const alert of goldenAlerts) {
      const doc = alertState(alert);
      const stored = encodeStoredDoc(doc);
      expect(stored.B, String(alert.fingerprint)).toBeDefined();
      expect(decodeStoredDoc(stored)).toEqual({ value: doc });
    }
  });

  it('stores an alert state in under 1 KB where its JSON takes 1.5 KB or more, so one write unit covers it', () => {
    const docs = goldenAlerts.map(alertState).filter((doc) => bytes(doc) >= 1536);
    expect(docs.length).toBeGreaterThan(100);
    const sizes = docs.map((doc) => storedBytes(encodeStoredDoc(doc)));
    const plain = docs.map((doc) => deflateRawSync(JSON.stringify(doc)).length);
    const over = sizes.filter((size) => size > 900);
    expect(over.length / sizes.length).toBeLessThan(0.05);
    // The dictionary is what takes it under: plain deflate leaves most of them over.
    expect(plain.filter((size) => size > 900).length / plain.length).toBeGreaterThan(0.3);
  });

  it('keeps short documents as JSON text, and never stores more bytes than the text', () => {
    expect(encodeStoredDoc({ resolvedAt: 1 })).toEqual({ S: '{"resolvedAt":1}' });
    expect(encodeStoredDoc('x'.repeat(COMPRESS_FROM_BYTES - 3))).toEqual({
      S: JSON.stringify('x'.repeat(COMPRESS_FROM_BYTES - 3)),
    });
    expect(encodeStoredDoc('x'.repeat(COMPRESS_FROM_BYTES)).B).toBeDefined();
    for (const size of [600, 3000, 50_000]) {
      const noise = randomBytes(size).toString('base64');
      const stored = encodeStoredDoc(noise);
      expect(storedBytes(stored)).toBeLessThanOrEqual(bytes(noise));
      expect(decodeStoredDoc(stored)).toEqual({ value: noise });
    }
  });

  it('round-trips text outside ASCII, escapes and lone surrogates as JSON does', () => {
    const odd = {
      name: `réplica ${'ó'.repeat(300)} \u2028 "q" \\ \ud800 end`,
      nested: [{ a: null }, 1.5, true],
    };
    const stored = encodeStoredDoc(odd);
    expect(stored.B).toBeDefined();
    expect(decodeStoredDoc(stored)).toEqual({ value: JSON.parse(JSON.stringify(odd)) });
  });

  it('reads a document written before compression (JSON text) as before', () => {
    expect(decodeStoredDoc({ S: '{"status":"firing"}' })).toEqual({ value: { status: 'firing' } });
    expect(decodeStoredDoc(undefined)).toBeUndefined();
    expect(decodeStoredDoc({ N: '1' })).toBeUndefined();
  });

  describe('a damaged or hostile item is unreadable, never thrown, never inflated without bound', () => {
    const good = encodeStoredDoc(alertState(goldenAlerts[0] as Record<string, unknown>)).B as Uint8Array;

    it('an unknown dictionary version', () => {
      const other = Uint8Array.from(good);
      other[0] = 2;
      expect(decodeStoredDoc({ B: other })).toBeUndefined();
      expect(decodeStoredDoc({ B: new Uint8Array() })).toBeUndefined();
    });

    it('a cut or corrupted stream', () => {
      expect(decodeStoredDoc({ B: good.subarray(0, good.length - 20) })).toBeUndefined();
      const corrupted = Uint8Array.from(good);
      corrupted.fill(0xff, 5, 40);
      expect(decodeStoredDoc({ B: corrupted })).toBeUndefined();
    });

    it('a bomb: 64 MB of zeros deflated to a few KB stops at the output limit', () => {
      const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024), {
        dictionary: Buffer.from(STORED_DOC_DICTIONARY_V1),
      });
      expect(bomb.length).toBeLessThan(100_000);
      expect(decodeStoredDoc({ B: Uint8Array.from([1, ...bomb]) })).toBeUndefined();
    });

    it('inflates to something that is not JSON', () => {
      const text = deflateRawSync('not json at all, '.repeat(40), {
        dictionary: Buffer.from(STORED_DOC_DICTIONARY_V1),
      });
      expect(decodeStoredDoc({ B: Uint8Array.from([1, ...text]) })).toBeUndefined();
    });

    it('a record that is unreadable is a named error, not taken for absent', () => {
      expect(() => readStoredDoc({ B: good.subarray(0, 10) }, 'record alert#x')).toThrow(StateStoreError);
      expect(() => readStoredDoc({ B: good.subarray(0, 10) }, 'record alert#x')).toThrow(
        'state table record alert#x is not a readable document',
      );
      expect(readStoredDoc(undefined, 'record alert#x')).toBeUndefined();
    });
  });
});
