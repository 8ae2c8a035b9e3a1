import { z } from 'zod';
import { ASFF_LABELS } from '../../security/findings';

/**
 * One ASFF finding (PascalCase), the fields Klaxon reads (event-formats.md §5.2). `Id`,
 * `ProductArn` and `AwsAccountId` identify it; the rest is read field by field (`parseLenient`).
 */
export const asffFindingSchema = z.object({
  SchemaVersion: z.string().optional(),
  Id: z.string().min(1).max(2048),
  ProductArn: z.string().min(1).max(2048),
  ProductName: z.string().optional(),
  CompanyName: z.string().optional(),
  GeneratorId: z.string().optional(),
  AwsAccountId: z.string().regex(/^\d{12}$/, 'a 12-digit account id'),
  Region: z.string().optional(),
  Types: z.array(z.string()).optional(),
  Severity: z
    .object({
      Label: z.enum(ASFF_LABELS).optional(),
      Normalized: z.number().min(0).max(100).optional(),
      Original: z.string().optional(),
    })
    .refine((s) => s.Label !== undefined || s.Normalized !== undefined, 'Severity needs Label or Normalized')
    .optional(),
  Title: z.string().min(1).optional(),
  Description: z.string().optional(),
  Remediation: z
    .object({
      Recommendation: z.object({ Text: z.string().optional(), Url: z.string().optional() }).optional(),
    })
    .optional(),
  Resources: z
    .array(
      z.object({
        Type: z.string(),
        Id: z.string(),
        Partition: z.string().optional(),
        Region: z.string().optional(),
      }),
    )
    .optional(),
  Compliance: z
    .object({
      Status: z.string().optional(),
      SecurityControlId: z.string().optional(),
      RelatedRequirements: z.array(z.string()).optional(),
    })
    .optional(),
  Workflow: z.object({ Status: z.string().optional() }).optional(),
  RecordState: z.string().optional(),
  CreatedAt: z.string().optional(),
  UpdatedAt: z.string().min(1).optional(),
  FirstObservedAt: z.string().optional(),
  LastObservedAt: z.string().optional(),
});

/** `detail` of a `Security Hub Findings - Imported` event: `findings` holds one ASFF finding (documented). */
export const securityHubDetailSchema = z.object({ findings: z.array(asffFindingSchema).min(1) });

/**
 * `detail` of a `Security Hub Findings - Custom Action` event: an analyst sent the findings to a
 * custom action (`actionName`, `actionDescription`, up to 100 findings per event).
 */
export const securityHubCustomActionSchema = z.object({
  actionName: z.string().min(1).max(256).optional(),
  actionDescription: z.string().optional(),
  findings: z.array(asffFindingSchema).min(1),
});

/** A parsed ASFF finding. */
export type AsffFinding = z.infer<typeof asffFindingSchema>;
