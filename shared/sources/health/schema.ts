import { z } from 'zod';
import { REGION_CODE } from '../../alert/partition';

/** The detail-types AWS Health sends (`source: aws.health`). */
export const HEALTH_EVENT_DETAIL_TYPE = 'AWS Health Event';
/** Reports of abuse from (or against) resources of the account: warning, not info, by default. */
export const HEALTH_ABUSE_DETAIL_TYPE = 'AWS Health Abuse Event';

/**
 * `detail` of an AWS Health event (event-formats.md §6; AWS Health "EventBridge schema"
 * reference). Only `eventArn`, `service`, `eventTypeCode` and `eventTypeCategory` are required.
 * `eventRegion` is the impacted Region (the envelope's is the delivery Region);
 * `affectedAccount` is set in the organizational view, where the envelope account is the
 * management or delegated administrator account.
 */
export const healthEventDetailSchema = z.looseObject({
  eventArn: z
    .string()
    .max(2048)
    .regex(/^arn:aws(-[a-z]+)*:health:[a-z0-9-]*::event\/\S+$/, 'an AWS Health event ARN'),
  service: z.string().min(1),
  eventTypeCode: z.string().min(1),
  eventTypeCategory: z.string().min(1),
  eventScopeCode: z.string().optional(),
  communicationId: z.string().optional(),
  startTime: z.string().optional(),
  endTime: z.string().optional(),
  lastUpdatedTime: z.string().optional(),
  /** `open`, `closed` or `upcoming`; any other value, or none, is read as `open` (noted). */
  statusCode: z.string().min(1).max(64).optional(),
  eventRegion: z.string().max(64).regex(REGION_CODE, 'a lower-case Region code (or "global")').optional(),
  eventDescription: z
    .array(z.looseObject({ language: z.string().optional(), latestDescription: z.string() }))
    .default([]),
  affectedEntities: z
    .array(z.looseObject({ entityValue: z.string(), tags: z.record(z.string(), z.string()).optional() }))
    .optional(),
  affectedAccount: z
    .string()
    .regex(/^\d{12}$/, 'a 12-digit account id')
    .optional(),
});

/** A parsed AWS Health event detail. */
export type HealthEventDetail = z.infer<typeof healthEventDetailSchema>;
