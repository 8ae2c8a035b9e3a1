import { z } from 'zod';

/** The detail-type of CloudTrail management API calls on the default event bus. */
export const API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/**
 * The detail-type of console sign-in events (`source: aws.signin`). Working rules and captured events
 * spell it "Sign In"; one EventBridge guide page spells it "Signin", which is accepted too (see
 * {@link SIGN_IN_DETAIL_TYPES}).
 */
export const SIGN_IN_DETAIL_TYPE = 'AWS Console Sign In via CloudTrail';

/** Both spellings of the sign-in detail-type: the rules list both so neither spelling is missed. */
export const SIGN_IN_DETAIL_TYPES = [SIGN_IN_DETAIL_TYPE, 'AWS Console Signin via CloudTrail'] as const;

const sessionIssuer = z.object({
  type: z.string().optional(),
  principalId: z.string().optional(),
  arn: z.string().optional(),
  accountId: z.string().optional(),
  userName: z.string().optional(),
});

/** `detail.userIdentity` of a CloudTrail record (event-formats.md §4.3); every field but `type` is optional. */
export const userIdentitySchema = z.object({
  type: z.string().min(1),
  principalId: z.string().optional(),
  arn: z.string().optional(),
  accountId: z.string().optional(),
  accessKeyId: z.string().optional(),
  userName: z.string().optional(),
  invokedBy: z.string().optional(),
  identityProvider: z.string().optional(),
  sessionContext: z
    .object({
      sessionIssuer: sessionIssuer.optional(),
      attributes: z
        .object({
          creationDate: z.string().optional(),
          mfaAuthenticated: z.string().optional(),
        })
        .optional(),
      sourceIdentity: z.string().optional(),
    })
    .optional(),
});

/**
 * `detail` of `AWS API Call via CloudTrail` and `AWS Console Sign In via CloudTrail` events: one
 * CloudTrail record. `requestParameters`, `responseElements` and `additionalEventData` are
 * service-specific and may be `null`, so they stay `unknown` and predicates narrow them.
 */
export const cloudTrailDetailSchema = z.object({
  eventVersion: z.string().optional(),
  userIdentity: userIdentitySchema,
  eventTime: z.string().min(1),
  eventSource: z.string().min(1),
  eventName: z.string().min(1),
  awsRegion: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS Region code'),
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  requestParameters: z.unknown().optional(),
  responseElements: z.unknown().optional(),
  additionalEventData: z.unknown().optional(),
  requestID: z.string().optional(),
  eventID: z.string().min(1),
  readOnly: z.boolean().optional(),
  eventType: z.string().optional(),
  managementEvent: z.boolean().optional(),
  recipientAccountId: z.string().optional(),
  eventCategory: z.string().optional(),
  sessionCredentialFromConsole: z.string().optional(),
  resources: z
    .array(
      z.object({ ARN: z.string().optional(), accountId: z.string().optional(), type: z.string().optional() }),
    )
    .optional(),
});

/** A parsed CloudTrail record. */
export type CloudTrailDetail = z.infer<typeof cloudTrailDetailSchema>;

/** A CloudTrail event as the detection catalog sees it: the envelope fields it needs and the record. */
export interface CloudTrailEvent {
  source: string;
  detailType: string;
  /** The receiving account (envelope); the record's own account wins where present. */
  envelopeAccount: string;
  detail: CloudTrailDetail;
}
