import { z } from 'zod';

/** The detail-types AWS Health sends (`source: aws.health`). */
export const HEALTH_EVENT_DETAIL_TYPE = 'AWS Health Event';
/** Reports of abuse from (or against) resources of the account: warning, not info, by default. */
export const HEALTH_ABUSE_DETAIL_TYPE = 'AWS Health Abuse Event';

/**
 * `detail` of an AWS Health event (event-formats.md §6; AWS Health "EventBridge schema"
 * reference). `eventRegion` is the impacted Region (the envelope's is the delivery Region);
 * `affectedAccount` is set in the organizational view, where the envelope account is the
 * management or delegated administrator account.
 */
export const healthEventDetailSchema = z.looseObject({
  eventArn: z
    .string()
    .regex(/^arn:aws(-cn|-us-gov)?:health:[a-z0-9-]*::event\/\S+$/, 'an AWS Health event ARN'),
  service: z.string().min(1),
  eventTypeCode: z.string().min(1),
  eventTypeCategory: z.string().min(1),
  eventScopeCode: z.string().optional(),
  communicationId: z.string().optional(),
  startTime: z.string().optional(),
  endTime: z.string().optional(),
  lastUpdatedTime: z.string().optional(),
  statusCode: z.enum(['open', 'closed', 'upcoming']),
  eventRegion: z
    .string()
    .regex(/^([a-z]{2}(-[a-z]+)+-\d|global)$/, 'an AWS Region code (or "global")')
    .optional(),
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
