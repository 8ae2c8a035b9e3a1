import * as z from '../../zod';
import { REGION_CODE } from '../../alert/partition';

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
  type: z.optional(z.string()),
  principalId: z.optional(z.string()),
  arn: z.optional(z.string()),
  accountId: z.optional(z.string()),
  userName: z.optional(z.string()),
});

/**
 * `detail.userIdentity` of a CloudTrail record (event-formats.md §4.3). Every field is optional:
 * a record without a readable `type` is an `Unknown` identity.
 */
export const userIdentitySchema = z.object({
  type: z._default(z.string().check(z.minLength(1)), 'Unknown'),
  principalId: z.optional(z.string()),
  arn: z.optional(z.string()),
  accountId: z.optional(z.string()),
  accessKeyId: z.optional(z.string()),
  userName: z.optional(z.string()),
  invokedBy: z.optional(z.string()),
  identityProvider: z.optional(z.string()),
  sessionContext: z.optional(
    z.object({
      sessionIssuer: z.optional(sessionIssuer),
      attributes: z.optional(
        z.object({
          creationDate: z.optional(z.string()),
          mfaAuthenticated: z.optional(z.string()),
        }),
      ),
      sourceIdentity: z.optional(z.string()),
    }),
  ),
});

/**
 * `detail` of `AWS API Call via CloudTrail` and `AWS Console Sign In via CloudTrail` events: one
 * CloudTrail record. `requestParameters`, `responseElements` and `additionalEventData` are
 * service-specific and may be `null`, so they stay `unknown` and predicates narrow them.
 *
 * Only `eventSource`, `eventName` and `eventID` identify the record; the normalizer reads the rest
 * field by field (`parseLenient`). `eventTime` and `awsRegion` default to `''` here and take the
 * envelope's time and Region when unreadable; any lower-case Region code is kept as given.
 */
export const cloudTrailDetailSchema = z.object({
  eventVersion: z.optional(z.string()),
  userIdentity: z._default(userIdentitySchema, { type: 'Unknown' }),
  eventTime: z._default(z.string().check(z.minLength(1)), ''),
  eventSource: z.string().check(z.minLength(1), z.maxLength(256)),
  eventName: z.string().check(z.minLength(1), z.maxLength(256)),
  awsRegion: z._default(
    z.string().check(z.maxLength(64), z.regex(REGION_CODE, 'a lower-case Region code')),
    '',
  ),
  sourceIPAddress: z.optional(z.string()),
  userAgent: z.optional(z.string()),
  errorCode: z.optional(z.string()),
  errorMessage: z.optional(z.string()),
  requestParameters: z.optional(z.unknown()),
  responseElements: z.optional(z.unknown()),
  additionalEventData: z.optional(z.unknown()),
  requestID: z.optional(z.string()),
  eventID: z.string().check(z.minLength(1), z.maxLength(256)),
  readOnly: z.optional(z.boolean()),
  eventType: z.optional(z.string()),
  managementEvent: z.optional(z.boolean()),
  recipientAccountId: z.optional(z.string()),
  eventCategory: z.optional(z.string()),
  sessionCredentialFromConsole: z.optional(z.string()),
  resources: z.optional(
    z.array(
      z.object({
        ARN: z.optional(z.string()),
        accountId: z.optional(z.string()),
        type: z.optional(z.string()),
      }),
    ),
  ),
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
