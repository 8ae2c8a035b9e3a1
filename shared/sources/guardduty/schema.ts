import { z } from 'zod';

/** `detail` of a `GuardDuty Finding` event: one finding, camelCase (event-formats.md §5.1). */
export const guardDutyFindingSchema = z.object({
  schemaVersion: z.string().optional(),
  accountId: z.string().regex(/^\d{12}$/, 'a 12-digit account id'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS Region code'),
  partition: z.enum(['aws', 'aws-cn', 'aws-us-gov']).optional(),
  id: z.string().min(1),
  arn: z.string().optional(),
  type: z.string().min(1),
  severity: z.number().min(0).max(10),
  title: z.string().min(1),
  description: z.string().optional(),
  createdAt: z.string().min(1),
  updatedAt: z.string().min(1),
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
