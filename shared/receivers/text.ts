/** The marker appended to anything Klaxon cuts to fit a limit. */
export const TRUNCATION_MARKER = '…';

/** The first `end` UTF-16 units of text, one fewer when the cut would split a surrogate pair. */
function sliceWhole(text: string, end: number): string {
  const code = text.charCodeAt(end - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
}

/** Cuts text to at most `max` characters, ending with the truncation marker when cut (never inside a code point). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${sliceWhole(text, Math.max(0, max - TRUNCATION_MARKER.length))}${TRUNCATION_MARKER}`;
}

const MRKDWN_CONTROL = /[&<>]/;

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  // Most alert text has none of the three: hand it back without building three copies.
  if (!MRKDWN_CONTROL.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes, then truncates so the escaped text fits `max` (never cutting an entity in half). */
export function escapeAndTruncate(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  let cut = sliceWhole(escaped, max - TRUNCATION_MARKER.length);
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && amp > cut.length - 5 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return `${cut}${TRUNCATION_MARKER}`;
}

/** Copies a JSON value with every string cut to `max` characters (for payload size budgets). */
export function truncateDeep(value: unknown, max: number): unknown {
  if (typeof value === 'string') return truncate(value, max);
  if (Array.isArray(value)) return value.map((item) => truncateDeep(item, max));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, truncateDeep(item, max)]));
  }
  return value;
}
