import * as z from '../zod';
import { isRecord } from '../json';

/**
 * An in-TypeScript EventBridge event-pattern matcher for the subset of the pattern language the
 * detection catalog uses: exact values (string, number, boolean, null), `prefix`, `suffix`,
 * `equals-ignore-case`, `anything-but` (a value, a list of values, or a prefix / suffix /
 * equals-ignore-case), `exists` and `numeric`. `$or`, `wildcard` and `cidr` are not supported and
 * are rejected by {@link eventPatternSchema}, so a catalog entry cannot silently rely on them.
 *
 * Semantics follow the EventBridge user guide ("Comparison operators", "Arrays"): every key of a
 * pattern must match (AND); the values listed for one field are alternatives (OR); when the event's
 * field is an array, the condition holds if any element satisfies it; a missing field satisfies
 * only `{"exists": false}`.
 */

/** A scalar value a pattern can list for exact matching. */
export type PatternScalar = string | number | boolean | null;

/** A string condition nested inside `anything-but`. */
export type AnythingButString = { prefix: string } | { suffix: string } | { 'equals-ignore-case': string };

/** One named comparison operator. */
export type PatternOperator =
  | { prefix: string }
  | { suffix: string }
  | { 'equals-ignore-case': string }
  | { exists: boolean }
  | { 'anything-but': PatternScalar | PatternScalar[] | AnythingButString }
  | { numeric: Array<string | number> };

/** One alternative of a field condition: an exact value or an operator. */
export type PatternCondition = PatternScalar | PatternOperator;

/** An EventBridge event pattern: nested objects ending in non-empty lists of conditions. */
export interface EventPattern {
  [field: string]: readonly PatternCondition[] | EventPattern;
}

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const stringOperand = z.string().check(z.minLength(1, 'an operator value must not be empty'));
const anythingButString = z.union([
  z.strictObject({ prefix: stringOperand }),
  z.strictObject({ suffix: stringOperand }),
  z.strictObject({ 'equals-ignore-case': stringOperand }),
]);
const NUMERIC_OPERATORS = new Set(['<', '<=', '=', '>=', '>']);
const numeric = z.array(z.union([z.string(), z.number()])).check(
  z.minLength(2),
  z.maxLength(4),
  z.superRefine((items, ctx) => {
    if (items.length % 2 !== 0)
      ctx.addIssue({ code: 'custom', message: 'numeric takes operator/value pairs' });
    items.forEach((item, index) => {
      const wantOperator = index % 2 === 0;
      if (wantOperator && !(typeof item === 'string' && NUMERIC_OPERATORS.has(item))) {
        ctx.addIssue({ code: 'custom', message: `numeric[${index}] must be one of < <= = >= >` });
      }
      if (!wantOperator && typeof item !== 'number') {
        ctx.addIssue({ code: 'custom', message: `numeric[${index}] must be a number` });
      }
    });
  }),
);

const operator = z.union([
  z.strictObject({ prefix: stringOperand }),
  z.strictObject({ suffix: stringOperand }),
  z.strictObject({ 'equals-ignore-case': stringOperand }),
  z.strictObject({ exists: z.boolean() }),
  z.strictObject({
    'anything-but': z.union([scalar, z.array(scalar).check(z.minLength(1)), anythingButString]),
  }),
  z.strictObject({ numeric }),
]);

const condition = z.union([scalar, operator]);
const fieldName = z.string().check(
  z.minLength(1),
  z.refine((name) => !name.startsWith('$'), 'only plain field names are supported (no $or)'),
);

/** Validates an event pattern: well-formed operators, non-empty condition lists, no `$or`. */
export const eventPatternSchema: z.ZodMiniType<EventPattern> = z.lazy(() =>
  z
    .record(
      fieldName,
      z.union([
        z.array(condition).check(z.minLength(1, 'a field needs at least one value')),
        eventPatternSchema,
      ]),
    )
    .check(
      z.refine((pattern) => Object.keys(pattern).length > 0, 'a pattern must constrain at least one field'),
    ),
);

function isConditionList(
  node: readonly PatternCondition[] | EventPattern,
): node is readonly PatternCondition[] {
  return Array.isArray(node);
}

function stringOperator(op: AnythingButString, value: string): boolean {
  if ('prefix' in op) return value.startsWith(op.prefix);
  if ('suffix' in op) return value.endsWith(op.suffix);
  return value.toLowerCase() === op['equals-ignore-case'].toLowerCase();
}

function numericHolds(bounds: ReadonlyArray<string | number>, value: number): boolean {
  for (let i = 0; i + 1 < bounds.length; i += 2) {
    const op = bounds[i];
    const bound = Number(bounds[i + 1]);
    const holds =
      op === '<'
        ? value < bound
        : op === '<='
          ? value <= bound
          : op === '='
            ? value === bound
            : op === '>='
              ? value >= bound
              : value > bound;
    if (!holds) return false;
  }
  return true;
}

/** Tests one scalar event value (never an array) against one condition other than `exists`. */
function scalarMatches(condition: PatternCondition, value: unknown): boolean {
  if (condition === null || typeof condition !== 'object') return value === condition;
  if ('exists' in condition) return true;
  if ('numeric' in condition) return typeof value === 'number' && numericHolds(condition.numeric, value);
  if ('anything-but' in condition) {
    const excluded = condition['anything-but'];
    if (Array.isArray(excluded)) return !excluded.includes(value as PatternScalar);
    if (excluded !== null && typeof excluded === 'object') {
      return typeof value === 'string' && !stringOperator(excluded, value);
    }
    return value !== excluded;
  }
  return typeof value === 'string' && stringOperator(condition, value);
}

function fieldMatches(conditions: readonly PatternCondition[], value: unknown): boolean {
  return conditions.some((condition) => {
    if (condition !== null && typeof condition === 'object' && 'exists' in condition) {
      return (value !== undefined) === condition.exists;
    }
    if (value === undefined) return false;
    if (Array.isArray(value)) return value.some((item) => scalarMatches(condition, item));
    return scalarMatches(condition, value);
  });
}

/** True when `event` satisfies every field of `pattern`, with EventBridge's semantics. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return Object.entries(pattern).every(([field, node]) => {
    const value = isRecord(event) ? event[field] : undefined;
    if (isConditionList(node)) return fieldMatches(node, value);
    if (Array.isArray(value)) return value.some((item) => matchesPattern(node, item));
    return matchesPattern(node, isRecord(value) ? value : undefined);
  });
}

/** Every leaf path of a pattern (e.g. `detail.userIdentity.type`), in declaration order. */
export function patternPaths(pattern: EventPattern, prefix = ''): string[] {
  return Object.entries(pattern).flatMap(([field, node]) => {
    const path = prefix ? `${prefix}.${field}` : field;
    return isConditionList(node) ? [path] : patternPaths(node, path);
  });
}

/**
 * True when no pattern path crosses an array in `event`: the pattern then only compares scalar
 * fields, which moto's EventBridge emulator (it cannot descend into arrays of objects) evaluates
 * like AWS does.
 */
export function isScalarOnlyFor(pattern: EventPattern, event: unknown): boolean {
  return patternPaths(pattern).every((path) => {
    let node: unknown = event;
    const parts = path.split('.');
    for (const [index, part] of parts.entries()) {
      if (!isRecord(node)) return true;
      node = node[part];
      if (Array.isArray(node) && index < parts.length - 1) return false;
    }
    return true;
  });
}
