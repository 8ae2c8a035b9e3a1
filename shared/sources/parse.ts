import type * as z from '../zod';

/** Parsing helpers every normalizer shares: how a schema failure and an event time are reported. */

/** A zod error as a short reason naming the bad fields (the first three), for an `invalid` result. */
export function zodReason(error: Pick<z.core.$ZodError, 'issues'>): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** An ISO-8601 UTC time from any text `Date.parse` reads (ISO, RFC-1123), else the fallback. */
export function isoTime(text: string | undefined, fallback: string): string {
  const millis = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(millis) ? fallback : new Date(millis).toISOString();
}

/** A record read field by field: the data, and the fields left out because they could not be read. */
export type LenientParse<T> = { ok: true; data: T; unreadable: string[] } | { ok: false; reason: string };

const MAX_ROUNDS = 25;
const DROPPED = Symbol('dropped');
const MAX_NOTES = 10;

type Path = readonly PropertyKey[];

function valueAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function pathText(path: Path): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : String(key).slice(0, 60))).join('.');
}

/**
 * Parses a record with a schema whose required fields are the ones that identify the alert. A
 * field that fails is left out (the nearest optional field or array element that holds it) and
 * named in `unreadable`; only a failure of a required field, or of the record itself, fails the
 * parse. The input is never modified.
 */
export function parseLenient<T>(schema: z.ZodMiniType<T>, value: unknown): LenientParse<T> {
  let first = schema.safeParse(value);
  if (first.success) return { ok: true, data: first.data, unreadable: [] };
  const initial = first.error;
  // The reason names what first failed in the field that cannot be left out (not "required" after a drop).
  const failure = (error: z.core.$ZodError): LenientParse<T> => {
    const top = error.issues[0]?.path[0];
    const cause = initial.issues.filter((issue) => issue.path[0] === top);
    return { ok: false, reason: zodReason(cause.length > 0 ? { ...initial, issues: cause } : initial) };
  };
  const working: unknown = structuredClone(value);
  const unreadable: string[] = [];
  const dropped = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const compact = new Set<unknown[]>();
    for (const issue of first.error.issues) {
      let path: Path = issue.path;
      // A missing value, or one already left out, is fixed only by leaving out what holds it.
      while (path.length > 0 && (valueAt(working, path) === undefined || dropped.has(pathText(path)))) {
        path = path.slice(0, -1);
      }
      if (path.length === 0) return failure(first.error);
      const parent = valueAt(working, path.slice(0, -1));
      const key = path[path.length - 1] as PropertyKey;
      if (parent === null || typeof parent !== 'object') return failure(first.error);
      const text = pathText(path);
      dropped.add(text);
      if (unreadable.length < MAX_NOTES) unreadable.push(`${text} (${issue.message.slice(0, 120)})`);
      if (Array.isArray(parent) && typeof key === 'number') {
        parent[key] = DROPPED;
        compact.add(parent);
      } else {
        delete (parent as Record<PropertyKey, unknown>)[key];
      }
    }
    for (const list of compact) {
      const kept = list.filter((item) => item !== DROPPED);
      list.splice(0, list.length, ...kept);
    }
    first = schema.safeParse(working);
    if (first.success) return { ok: true, data: first.data, unreadable };
  }
  return failure(first.error);
}

/** The `unreadable` annotation of the fields a normalizer left out, or undefined when there are none. */
export function unreadableNote(fields: readonly string[]): string | undefined {
  if (fields.length === 0) return undefined;
  const text = fields.map((field) => `field ${field}`).join('; ');
  return text.length > 1000 ? `${text.slice(0, 999)}…` : text;
}

/** The drafts with the `unreadable` annotation set, when fields were left out. */
export function withUnreadable<D extends { annotations: Record<string, string | undefined> }>(
  drafts: D[],
  fields: readonly string[],
): D[] {
  const note = unreadableNote(fields);
  if (!note) return drafts;
  return drafts.map((draft) => ({ ...draft, annotations: { ...draft.annotations, unreadable: note } }));
}
