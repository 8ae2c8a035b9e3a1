import type * as z from '../zod';
import type { ConfigProblem } from '../errors';
import { SECRET_REF_MESSAGE } from './primitives';

/** Renders a zod issue path as `route.routes[1].receiver`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

const KINDS: Record<string, string> = {
  object: 'a mapping (key: value lines)',
  array: 'a list',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

/** What was found, in words; text is quoted only when `show` (never for a possible secret). */
function found(value: unknown, show: boolean): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    if (!show) return 'text (not shown: it may be a secret)';
    return `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`;
  }
  return `${typeof value} ${String(value).slice(0, 60)}`;
}

const list = (values: ReadonlyArray<unknown>) => values.map((v) => String(v)).join(', ');

/** One zod issue in words: where, what was expected, what was found. */
function describe(issue: z.core.$ZodIssue, input: unknown): ConfigProblem[] {
  const path = formatPath(issue.path);
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: 'unknown key (check its spelling and indentation)',
      }));
    case 'invalid_type': {
      const expected = KINDS[issue.expected] ?? issue.expected;
      const message =
        value === undefined
          ? `required: expected ${expected}, found nothing (the key is missing)`
          : `expected ${expected}, found ${found(value, false)}`;
      return [{ path, message }];
    }
    case 'invalid_value':
      return [
        {
          path,
          message: `expected one of ${list(issue.values)}; found ${found(value, true)}`,
        },
      ];
    case 'invalid_union': {
      if ('discriminator' in issue && Array.isArray((issue as { options?: unknown[] }).options)) {
        const options = (issue as unknown as { options: unknown[] }).options;
        return [
          {
            path,
            message: `unknown ${String(issue.discriminator)} ${found(value, true)}; expected one of ${list(options)}`,
          },
        ];
      }
      if (issue.message === SECRET_REF_MESSAGE && (typeof value !== 'object' || value === null)) {
        return [
          {
            path,
            message: `expected a secret reference, found ${found(value, false)}: never write a secret in klaxon.yml; use { ssm: name } (a SecureString under the stage's prefix) or { env: NAME }`,
          },
        ];
      }
      const nested = issue.errors.flat();
      const specific = nested.filter((n) => n.code !== 'invalid_type');
      const chosen = specific.length > 0 ? specific : nested;
      if (chosen.length > 0) {
        const messages = [...new Set(chosen.map((n) => n.message))];
        return [{ path, message: messages.join('; or ') }];
      }
      return [{ path, message: `${issue.message}; found ${found(value, false)}` }];
    }
    default:
      return [{ path, message: issue.message }];
  }
}

/** Every zod issue of klaxon.yml as a problem a person can act on. */
export function zodProblems(error: z.core.$ZodError, input: unknown): ConfigProblem[] {
  return error.issues.flatMap((issue) => describe(issue, input));
}
