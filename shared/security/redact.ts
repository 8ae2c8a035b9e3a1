import { isRecord } from '../json';

/**
 * Redaction of CloudTrail request parameters before they reach an alert: values under keys that
 * name secrets, credentials, user data or key material are replaced, deep structures are cut, and
 * the rendered text is truncated. CloudTrail already drops most secrets (`<sensitiveDataRemoved>`),
 * this is the second belt.
 */

/** Keys whose values never leave Klaxon (matched case-insensitively, anywhere in the key). */
const SENSITIVE_KEY =
  /(secret|password|passphrase|token|credential|private_?key|privatekey|session_?key|userdata|user_data|signature|authorization|cookie|keymaterial|plaintext|ciphertext)/i;

/** The placeholder written instead of a redacted value. */
export const REDACTED = '<redacted>';

const WHITESPACE = /\s+/g;
const MAX_DEPTH = 8;
const MAX_ITEMS = 20;
const MAX_STRING = 300;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A copy of `value` with sensitive keys redacted, long strings clipped and deep or long structures cut. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return clip(value, MAX_STRING);
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) return `[${value.length} items]`;
    const items = value.slice(0, MAX_ITEMS).map((item) => redact(item, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`… ${value.length - MAX_ITEMS} more`);
    return items;
  }
  if (isRecord(value)) {
    if (depth >= MAX_DEPTH) return '{…}';
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        SENSITIVE_KEY.test(key) ? REDACTED : redact(item, depth + 1),
      ]),
    );
  }
  return value;
}

/** Redacted, compact JSON of `value`, at most `max` characters (`…` marks a cut). */
export function redactedJson(value: unknown, max = 1000): string {
  const text = JSON.stringify(redact(value)) ?? 'null';
  return clip(text, max);
}

/** Clips free text (user agents, error messages) to `max` characters. */
export function clipText(text: string, max: number): string {
  return clip(text.replace(WHITESPACE, ' ').trim(), max);
}
