import { isRecord } from './json';

/**
 * The one redaction list: names of fields whose values never leave Klaxon, and values that are
 * credentials wherever they appear. Both the excerpts of untrusted input (logs, dead letters,
 * records) and the request parameters rendered into security alerts use it.
 */

/**
 * Words that mark a field as secret anywhere in its name, case-insensitively. Keys are named by
 * kind (`apiKey`, `private_key`, `sessionKey`, `keyMaterial`): a bare `key` would also hide
 * identifiers such as a KMS `keyId` or an EC2 `keyName`, which an analyst needs to see.
 */
const SECRET_NAME_WORDS: readonly string[] = [
  'password',
  'passphrase',
  'secret',
  'token',
  'credential',
  '(?:api|private|session|signing|encryption|master)[-_]?key',
  'key[-_]?material',
  'signature',
  'authorization',
  'cookie',
  'userdata',
  'user_data',
  'plaintext',
  'ciphertext',
];

/** Values that are credentials whatever field holds them, with what replaces them. */
const SECRET_VALUES: ReadonlyArray<[RegExp, string]> = [
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, '$1[redacted]'],
  [/https:\/\/hooks\.slack\.com\/[^\s"']+/g, 'https://hooks.slack.com/[redacted]'],
  [/\b[A-Za-z0-9/+]{40}\b/g, '[redacted]'],
];

const SECRET_NAME = new RegExp(`(${SECRET_NAME_WORDS.join('|')})`, 'i');
/** A JSON member with a secret name and a string value (cut short at the end of an excerpt), in flattened text. */
const SECRET_MEMBER = new RegExp(
  `("(?:[^"]*(?:${SECRET_NAME_WORDS.join('|')})[^"]*)"\\s*:\\s*)"[^"]*(?:"|$)`,
  'gi',
);

/**
 * How far past an excerpt's length its input is read: every pattern runs over a bounded prefix,
 * never the whole input (a 255 KB alarm description made the patterns take seconds), and a
 * credential that starts inside the excerpt still ends inside what was read.
 */
const EXCERPT_MARGIN = 256;

/** The placeholder written instead of a redacted value in structured data. */
export const REDACTED = '<redacted>';

const WHITESPACE = /\s+/g;
const MAX_DEPTH = 8;
const MAX_ITEMS = 20;
const MAX_STRING = 300;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function maskSecretValues(text: string): string {
  let result = text;
  for (const [pattern, replacement] of SECRET_VALUES) result = result.replace(pattern, replacement);
  return result;
}

/** True when a field of this name holds a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A short, single-line excerpt of untrusted input with credentials, tokens and webhook URLs masked. */
export function redactedExcerpt(text: string, max = 300): string {
  const flat = text
    .slice(0, 2 * (max + EXCERPT_MARGIN))
    .replace(WHITESPACE, ' ')
    .trim()
    .slice(0, max + EXCERPT_MARGIN);
  const result = maskSecretValues(flat).replace(SECRET_MEMBER, '$1"[redacted]"');
  return result.length > max ? `${result.slice(0, max)}…` : result;
}

/** A copy of `value` with secret names and values redacted, long strings clipped and deep or long structures cut. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string')
    return clip(maskSecretValues(value.slice(0, MAX_STRING + EXCERPT_MARGIN)), MAX_STRING);
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
        isSecretName(key) ? REDACTED : redact(item, depth + 1),
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
