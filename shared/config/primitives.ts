import * as z from '../zod';
import { SEVERITIES } from '../alert/alert';

/**
 * The building blocks every klaxon.yml section shares: severities, label names, label matchers and
 * secret references. A leaf: it imports no feature, so each feature's config slice can use these
 * and the root schema can compose the slices without an import cycle.
 */

/** One of the alert severities. */
export const severitySchema = z.enum(SEVERITIES);

const regexSource = z.string().check(
  z.superRefine((source, ctx) => {
    try {
      new RegExp(source);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(error as Error).message}` });
    }
  }),
);

const scalarMatcher = z.union([
  z.string().check(z.minLength(1, 'must not be empty')),
  z.strictObject({ regex: regexSource }),
]);

/** One label condition: exact string, glob (`*`, `?`), `{regex}`, or a list of those (any may match). */
export const matcherValueSchema = z.union([
  scalarMatcher,
  z.array(scalarMatcher).check(z.minLength(1, 'must list at least one value')),
]);

/** A label name (a key of a match block, a promoted tag, an inhibition's `equal`). */
export const labelNameSchema = z
  .string()
  .check(z.regex(/^[A-Za-z_][A-Za-z0-9_.:-]*$/, 'label names are letters, digits, _ . : -'));

/** A set of label conditions that must all hold. */
export const matchSchema = z.record(labelNameSchema, matcherValueSchema);

/** The message of a secret reference that is neither form; the config error explains it in words. */
export const SECRET_REF_MESSAGE = 'a secret reference: { ssm: name } or { env: NAME }';

/** A reference to a secret: an SSM parameter name under the deployment's prefix, or an environment variable. */
export const secretRefSchema = z.union(
  [
    z.strictObject({
      ssm: z
        .string()
        .check(
          z.regex(
            /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/,
            'an SSM name relative to the deployment prefix (no leading "/", letters, digits, _ . - and /)',
          ),
        ),
    }),
    z.strictObject({
      env: z.string().check(z.regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name (A-Z, 0-9, _)')),
    }),
  ],
  { error: SECRET_REF_MESSAGE },
);

/** One label condition as written. */
export type MatcherValueInput = z.infer<typeof matcherValueSchema>;
/** A match block from klaxon.yml. */
export type MatchInput = z.infer<typeof matchSchema>;
/** A secret reference from klaxon.yml. */
export type SecretRef = z.infer<typeof secretRefSchema>;
