import * as z from '../../zod';
import { REGION_CODE } from '../../alert/partition';

/**
 * `detail` of a `GuardDuty Finding` event: one finding, camelCase (event-formats.md §5.1). Only
 * `accountId`, `id` and `type` identify it; the rest is read field by field (`parseLenient`):
 * an unreadable `region` is the envelope's, an unreadable `severity` leaves the severity to rules.
 */
export const guardDutyFindingSchema = z.object({
  schemaVersion: z.optional(z.string()),
  accountId: z.string().check(z.regex(/^\d{12}$/, 'a 12-digit account id')),
  region: z.optional(z.string().check(z.maxLength(64), z.regex(REGION_CODE, 'a lower-case Region code'))),
  partition: z.optional(z.string().check(z.regex(/^aws(-[a-z]+)*$/, 'an AWS partition'))),
  id: z.string().check(z.minLength(1), z.maxLength(256)),
  arn: z.optional(z.string().check(z.maxLength(2048))),
  type: z.string().check(z.minLength(1), z.maxLength(256)),
  severity: z.optional(z.number().check(z.gte(0), z.lte(10))),
  title: z.optional(z.string().check(z.minLength(1))),
  description: z.optional(z.string()),
  createdAt: z.optional(z.string().check(z.minLength(1))),
  updatedAt: z.optional(z.string().check(z.minLength(1))),
  resource: z.optional(
    z.object({
      resourceType: z.optional(z.string()),
      instanceDetails: z.optional(z.object({ instanceId: z.optional(z.string()) })),
      accessKeyDetails: z.optional(
        z.object({
          accessKeyId: z.optional(z.string()),
          principalId: z.optional(z.string()),
          userName: z.optional(z.string()),
          userType: z.optional(z.string()),
        }),
      ),
      s3BucketDetails: z.optional(
        z.array(z.object({ name: z.optional(z.string()), arn: z.optional(z.string()) })),
      ),
      eksClusterDetails: z.optional(z.object({ name: z.optional(z.string()) })),
    }),
  ),
  service: z.optional(
    z.object({
      serviceName: z.optional(z.string()),
      detectorId: z.optional(z.string()),
      archived: z.optional(z.boolean()),
      count: z.optional(z.number()),
      eventFirstSeen: z.optional(z.string()),
      eventLastSeen: z.optional(z.string()),
      resourceRole: z.optional(z.string()),
      action: z.optional(z.record(z.string(), z.unknown())),
    }),
  ),
});

/** A parsed GuardDuty finding. */
export type GuardDutyFinding = z.infer<typeof guardDutyFindingSchema>;
