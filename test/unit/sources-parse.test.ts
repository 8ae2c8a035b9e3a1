import { describe, expect, it } from 'vitest';
import * as z from '../../shared/zod';
import { parseLenient, unreadableNote } from '../../shared/sources/parse';

const schema = z.object({
  id: z.string().check(z.minLength(1)),
  region: z.optional(z.string().check(z.regex(/^[a-z0-9-]+$/, 'a Region code'))),
  nested: z.optional(z.object({ must: z.string(), may: z.optional(z.number()) })),
  items: z.optional(z.array(z.object({ name: z.string() }))),
  kept: z._default(z.string(), 'fallback'),
});

describe('reading a record field by field', () => {
  it('leaves out what it cannot read, names it, and never touches the input', () => {
    const input = {
      id: 'a',
      region: 'EU (Ireland)',
      nested: { must: 5, may: 'x' },
      items: [{ name: 'one' }, { name: 2 }, { name: 'three' }],
      kept: 7,
    };
    const before = structuredClone(input);
    const parsed = parseLenient(schema, input);
    expect(parsed).toEqual({
      ok: true,
      data: { id: 'a', items: [{ name: 'one' }, { name: 'three' }], kept: 'fallback' },
      unreadable: expect.arrayContaining([
        'region (a Region code)',
        expect.stringMatching(/^nested\.must \(/),
        expect.stringMatching(/^items\.\[1\]\.name \(/),
        expect.stringMatching(/^kept \(/),
      ]),
    });
    expect(input).toEqual(before);
  });

  it('fails only for a field that identifies the record, naming its first failure', () => {
    expect(parseLenient(schema, { id: 42, region: 'x' })).toEqual({
      ok: false,
      reason: 'id: Invalid input: expected string, received number',
    });
    expect(parseLenient(schema, 'text')).toMatchObject({ ok: false });
    expect(parseLenient(schema, { id: 'a' })).toEqual({
      ok: true,
      data: { id: 'a', kept: 'fallback' },
      unreadable: [],
    });
  });

  it('bounds the note: ten fields at most, keys cut, 1,000 characters', () => {
    const wide = z.object(
      Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, z.optional(z.number())])),
    );
    const parsed = parseLenient(
      wide,
      Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, 'x'])),
    );
    expect(parsed.ok && parsed.unreadable).toHaveLength(10);
    expect(unreadableNote(['k'.repeat(5000)])?.length).toBeLessThanOrEqual(1000);
    expect(unreadableNote([])).toBeUndefined();
  });
});
