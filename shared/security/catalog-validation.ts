import * as z from '../zod';
import { compareSeverity, SEVERITIES } from '../alert/alert';
import { ATTACK_TACTICS, type Detection, NO_ERROR } from './detection';
import { type EventPattern, eventPatternSchema } from './pattern';

/** The catalog failed validation; raised at module load so a broken catalog never deploys. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
}

const urlSchema = z.url({ protocol: /^https$/ });
const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'a function');

const detectionSchema = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case id')),
  title: z.string().check(z.minLength(1), z.maxLength(120)),
  severity: z.enum(SEVERITIES),
  controls: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  pattern: eventPatternSchema,
  readOnly: z.boolean(),
  errors: z.enum(['exclude', 'require', 'include']),
  failedSeverity: z.optional(z.enum(SEVERITIES)),
  tactics: z.array(z.enum(ATTACK_TACTICS)).check(z.minLength(1)),
  techniques: z
    .array(z.string().check(z.regex(/^T\d{4}(\.\d{3})?$/, 'an ATT&CK technique id')))
    .check(z.minLength(1)),
  region: z.enum(['us-east-1', 'all']),
  regionNote: z.string().check(z.minLength(1)),
  fingerprint: z.enum(['principal', 'session', 'principal-ip']),
  predicate: z.optional(fn),
  resource: z.optional(fn),
  summary: z.optional(fn),
  runbookUrl: urlSchema,
  remediation: z.optional(
    z.strictObject({
      document: z
        .string()
        .check(z.regex(/^(AWS|AWSConfigRemediation|AWSSupport)-[A-Za-z0-9]+$/, 'an AWS-owned runbook name')),
      parameters: z.record(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9]*$/)), z.string()),
    }),
  ),
});

/** True when a pattern's `source` only admits AWS services (`aws.…`, exact or by prefix). */
function sourceIsAws(source: EventPattern[string] | undefined): boolean {
  if (!Array.isArray(source) || source.length === 0) return false;
  return (source as readonly unknown[]).every(
    (condition) =>
      (typeof condition === 'string' && condition.startsWith('aws.')) ||
      JSON.stringify(condition) === JSON.stringify({ prefix: 'aws.' }),
  );
}

/** Cross-field rules a single-entry schema cannot see. */
function consistencyProblems(detection: Detection): string[] {
  const problems: string[] = [];
  const detail = detection.pattern.detail;
  const errorCode = detail && !Array.isArray(detail) ? (detail as EventPattern).errorCode : undefined;
  const excludesErrors = JSON.stringify(errorCode) === JSON.stringify(NO_ERROR);
  if (!Array.isArray(detection.pattern['detail-type'])) problems.push('pattern must constrain detail-type');
  const signInOnly =
    Array.isArray(detection.pattern.source) && JSON.stringify(detection.pattern.source) === '["aws.signin"]';
  if (detection.errors === 'exclude' && !excludesErrors && !signInOnly) {
    problems.push('errors "exclude" requires detail.errorCode [{"exists": false}] in the pattern');
  }
  if (detection.errors !== 'exclude' && excludesErrors) {
    problems.push(`errors "${detection.errors}" contradicts detail.errorCode [{"exists": false}]`);
  }
  if (detection.errors === 'require' && errorCode === undefined) {
    problems.push('errors "require" needs a detail.errorCode condition');
  }
  if (detection.failedSeverity !== undefined && detection.errors !== 'include') {
    problems.push('failedSeverity needs errors "include"');
  }
  if (detection.tactics.includes('defense-evasion')) {
    const failedAt = detection.failedSeverity ?? detection.severity;
    if (detection.errors !== 'include' || compareSeverity(failedAt, 'error') > 0) {
      problems.push('a defence-evasion detection counts failed attempts at "error" or above');
    }
  }
  if (detection.remediation && detection.errors !== 'exclude') {
    problems.push('a remediable detection ignores failed calls: a denied attempt changed nothing to undo');
  }
  if (!sourceIsAws(detection.pattern.source)) {
    problems.push('pattern must constrain source to aws.* (custom events cannot forge those)');
  }
  return problems;
}

/** Validates catalog entries (schema, unique ids, pattern/policy consistency); throws {@link CatalogError}. */
export function validateCatalog(entries: readonly Detection[]): readonly Detection[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const where = `catalog[${index}] (${entry.id})`;
    const parsed = detectionSchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`${where}.${issue.path.join('.')}: ${issue.message}`);
    }
    if (seen.has(entry.id)) problems.push(`${where}: duplicate id`);
    seen.add(entry.id);
    for (const problem of consistencyProblems(entry)) problems.push(`${where}: ${problem}`);
  });
  if (problems.length > 0) {
    throw new CatalogError(`invalid detection catalog:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return Object.freeze([...entries]);
}
