import { z } from 'zod';
import { REGION_CODE } from '../../alert/partition';

/**
 * `detail` of a `GuardDuty Finding` event: one finding, camelCase (event-formats.md §5.1). Only
 * `accountId`, `id` and `type` identify it; the rest is read field by field (`parseLenient`):
 * an unreadable `region` is the envelope's, an unreadable `severity` leaves the severity to rules.
 */
export const guardDutyFindingSchema = z.object({
  schemaVersion: z.string().optional(),
  accountId: z.string().regex(/^\d{12}$/, 'a 12-digit account id'),
  region: z.string().max(64).regex(REGION_CODE, 'a lower-case Region code').optional(),
  partition: z
    .string()
    .regex(/^aws(-[a-z]+)*$/, 'an AWS partition')
    .optional(),
  id: z.string().min(1).max(256),
  arn: z.string().max(2048).optional(),
  type: z.string().min(1).max(256),
  severity: z.number().min(0).max(10).optional(),
  title: z.string().min(1).optional(),
  description: z.string().optional(),
  createdAt: z.string().min(1).optional(),
  updatedAt: z.string().min(1).optional(),
  resource: z
    .object({
      resourceType: z.string().optional(),
      instanceDetails: z.object({ instanceId: z.string().optional() }).optional(),
      accessKeyDetails: z
        .object({
          accessKeyId: z.string().optional(),
          principalId: z.string().optional(),
          userName: z.string().optional(),
          userType: z.string().optional(),
        })
        .optional(),
      s3BucketDetails: z
        .array(z.object({ name: z.string().optional(), arn: z.string().optional() }))
        .optional(),
      eksClusterDetails: z.object({ name: z.string().optional() }).optional(),
    })
    .optional(),
  service: z
    .object({
      serviceName: z.string().optional(),
      detectorId: z.string().optional(),
      archived: z.boolean().optional(),
      count: z.number().optional(),
      eventFirstSeen: z.string().optional(),
      eventLastSeen: z.string().optional(),
      resourceRole: z.string().optional(),
      action: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

/** A parsed GuardDuty finding. */
export type GuardDutyFinding = z.infer<typeof guardDutyFindingSchema>;
