/** The result of parsing JSON text without throwing. */
export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses JSON text, returning the parser's message instead of throwing. */
export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** True for a plain (non-array) object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What stands in for a value nested deeper than a bounded copy follows. */
export const TOO_DEEP = '[nested too deep]';

/**
 * A copy of JSON data with everything nested deeper than `maxDepth` replaced by TOO_DEEP, and
 * whether anything was replaced: JSON.stringify of the copy cannot overflow the stack.
 */
export function boundedCopy(value: unknown, maxDepth = 32): { value: unknown; cut: boolean } {
  let cut = false;
  const copy = (item: unknown, depth: number): unknown => {
    if (typeof item !== 'object' || item === null) return item;
    if (depth >= maxDepth) {
      cut = true;
      return TOO_DEEP;
    }
    if (Array.isArray(item)) return item.map((entry) => copy(entry, depth + 1));
    return Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, copy(entry, depth + 1)]));
  };
  const result = copy(value, 0);
  return { value: result, cut };
}

/** JSON.stringify that cannot overflow the stack (values nested deeper than `maxDepth` become TOO_DEEP). */
export function safeStringify(value: unknown, maxDepth = 32): string | undefined {
  return JSON.stringify(boundedCopy(value, maxDepth).value);
}

/** The most UTF-8 bytes JSON.stringify can write for one UTF-16 unit of a string (`\u001f`). */
const MAX_BYTES_PER_UNIT = 6;

/** The most characters JSON.stringify writes for a number (`-1.2345678901234567e-308` is 24; 32 leaves room). */
const MAX_NUMBER_CHARS = 32;

/**
 * An upper bound on the UTF-8 size of `JSON.stringify(value)` for JSON data, found without
 * copying or serializing it; Infinity when the value holds an object nested `maxDepth` deep or
 * more, anything but plain objects, arrays, strings, numbers, booleans, null and undefined, or its
 * bound passes `limit` (the caller then takes the exact path).
 */
export function jsonBytesBound(value: unknown, limit: number, maxDepth = 32): number {
  let total = 0;
  const walk = (item: unknown, depth: number): boolean => {
    // undefined is written as null in an array and left out of an object: 5 bounds both.
    if (item === null || item === undefined || typeof item === 'boolean') total += 5;
    else if (typeof item === 'number') total += MAX_NUMBER_CHARS;
    else if (typeof item === 'string') total += 2 + MAX_BYTES_PER_UNIT * item.length;
    else if (typeof item !== 'object' || depth >= maxDepth) return false;
    else if (Array.isArray(item)) {
      total += 2 + item.length;
      for (const entry of item) if (!walk(entry, depth + 1)) return false;
    } else {
      if (Object.getPrototypeOf(item) !== Object.prototype) return false;
      total += 2;
      for (const key in item) {
        if (!Object.hasOwn(item, key)) return false;
        total += 4 + MAX_BYTES_PER_UNIT * key.length;
        if (!walk((item as Record<string, unknown>)[key], depth + 1)) return false;
      }
    }
    return total <= limit;
  };
  return walk(value, 0) ? total : Number.POSITIVE_INFINITY;
}
