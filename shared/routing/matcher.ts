import type { MatchInput } from '../config/primitives';

/** A label condition compiled once at config load, so nothing is compiled per event. */
export type CompiledCondition = (value: string | undefined) => boolean;

/** A compiled match block: every listed label must satisfy its condition. */
export interface CompiledMatcher {
  /** The label names it reads, in the order written. */
  readonly labels: readonly string[];
  /** True when every condition holds for the given labels. */
  matches(labels: Readonly<Record<string, string | undefined>>): boolean;
  /** A human description, e.g. `alarmName=~"api-*-5xx", severity="critical"`. */
  readonly description: string;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles a glob (`*` any run, `?` one character) into an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : escapeRegex(char)))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

type ScalarInput = string | { regex: string };

function compileScalar(input: ScalarInput): { test: CompiledCondition; text: string } {
  if (typeof input !== 'string') {
    const regex = new RegExp(input.regex);
    return { test: (value) => value !== undefined && regex.test(value), text: `~/${input.regex}/` };
  }
  if (input.includes('*') || input.includes('?')) {
    const regex = globToRegExp(input);
    return { test: (value) => value !== undefined && regex.test(value), text: `~"${input}"` };
  }
  return { test: (value) => value === input, text: `="${input}"` };
}

/** Compiles a match block from klaxon.yml; an empty or missing block matches everything. */
export function compileMatcher(match: MatchInput | undefined): CompiledMatcher {
  const entries = Object.entries(match ?? {});
  const conditions = entries.map(([label, input]) => {
    const parts = (Array.isArray(input) ? input : [input]).map(compileScalar);
    const test: CompiledCondition =
      parts.length === 1 && parts[0] ? parts[0].test : (value) => parts.some((part) => part.test(value));
    const text =
      parts.length === 1
        ? `${label}${parts[0]?.text}`
        : `${label} in [${parts.map((p) => p.text).join(', ')}]`;
    return { label, test, text };
  });
  return {
    labels: conditions.map((c) => c.label),
    matches: (labels) => conditions.every((c) => c.test(labels[c.label])),
    description: conditions.length === 0 ? '(everything)' : conditions.map((c) => c.text).join(', '),
  };
}
