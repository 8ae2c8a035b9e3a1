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
