import * as z from '../../zod';
import { ASFF_LABELS } from '../../security/findings';

/**
 * One ASFF finding (PascalCase), the fields Klaxon reads (event-formats.md §5.2). `Id`,
 * `ProductArn` and `AwsAccountId` identify it; the rest is read field by field (`parseLenient`).
 */
export const asffFindingSchema = z.object({
  SchemaVersion: z.optional(z.string()),
  Id: z.string().check(z.minLength(1), z.maxLength(2048)),
  ProductArn: z.string().check(z.minLength(1), z.maxLength(2048)),
  ProductName: z.optional(z.string()),
  CompanyName: z.optional(z.string()),
  GeneratorId: z.optional(z.string()),
  AwsAccountId: z.string().check(z.regex(/^\d{12}$/, 'a 12-digit account id')),
  Region: z.optional(z.string()),
  Types: z.optional(z.array(z.string())),
  Severity: z.optional(
    z
      .object({
        Label: z.optional(z.enum(ASFF_LABELS)),
        Normalized: z.optional(z.number().check(z.gte(0), z.lte(100))),
        Original: z.optional(z.string()),
      })
      .check(
        z.refine(
          (s) => s.Label !== undefined || s.Normalized !== undefined,
          'Severity needs Label or Normalized',
        ),
      ),
  ),
  Title: z.optional(z.string().check(z.minLength(1))),
  Description: z.optional(z.string()),
  Remediation: z.optional(
    z.object({
      Recommendation: z.optional(z.object({ Text: z.optional(z.string()), Url: z.optional(z.string()) })),
    }),
  ),
  Resources: z.optional(
    z.array(
      z.object({
        Type: z.string(),
        Id: z.string(),
        Partition: z.optional(z.string()),
        Region: z.optional(z.string()),
      }),
    ),
  ),
  Compliance: z.optional(
    z.object({
      Status: z.optional(z.string()),
      SecurityControlId: z.optional(z.string()),
      RelatedRequirements: z.optional(z.array(z.string())),
    }),
  ),
  Workflow: z.optional(z.object({ Status: z.optional(z.string()) })),
  RecordState: z.optional(z.string()),
  CreatedAt: z.optional(z.string()),
  UpdatedAt: z.optional(z.string().check(z.minLength(1))),
  FirstObservedAt: z.optional(z.string()),
  LastObservedAt: z.optional(z.string()),
});

/** `detail` of a `Security Hub Findings - Imported` event: `findings` holds one ASFF finding (documented). */
export const securityHubDetailSchema = z.object({
  findings: z.array(asffFindingSchema).check(z.minLength(1)),
});

/**
 * `detail` of a `Security Hub Findings - Custom Action` event: an analyst sent the findings to a
 * custom action (`actionName`, `actionDescription`, up to 100 findings per event).
 */
export const securityHubCustomActionSchema = z.object({
  actionName: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  actionDescription: z.optional(z.string()),
  findings: z.array(asffFindingSchema).check(z.minLength(1)),
});

/** A parsed ASFF finding. */
export type AsffFinding = z.infer<typeof asffFindingSchema>;
