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
