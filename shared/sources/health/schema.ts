import * as z from '../../zod';
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
    .check(
      z.maxLength(2048),
      z.regex(/^arn:aws(-[a-z]+)*:health:[a-z0-9-]*::event\/\S+$/, 'an AWS Health event ARN'),
    ),
  service: z.string().check(z.minLength(1)),
  eventTypeCode: z.string().check(z.minLength(1)),
  eventTypeCategory: z.string().check(z.minLength(1)),
  eventScopeCode: z.optional(z.string()),
  communicationId: z.optional(z.string()),
  startTime: z.optional(z.string()),
  endTime: z.optional(z.string()),
  lastUpdatedTime: z.optional(z.string()),
  /** `open`, `closed` or `upcoming`; any other value, or none, is read as `open` (noted). */
  statusCode: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  eventRegion: z.optional(
    z.string().check(z.maxLength(64), z.regex(REGION_CODE, 'a lower-case Region code (or "global")')),
  ),
  eventDescription: z._default(
    z.array(z.looseObject({ language: z.optional(z.string()), latestDescription: z.string() })),
    [],
  ),
  affectedEntities: z.optional(
    z.array(z.looseObject({ entityValue: z.string(), tags: z.optional(z.record(z.string(), z.string())) })),
  ),
  affectedAccount: z.optional(z.string().check(z.regex(/^\d{12}$/, 'a 12-digit account id'))),
});

/** A parsed AWS Health event detail. */
export type HealthEventDetail = z.infer<typeof healthEventDetailSchema>;
