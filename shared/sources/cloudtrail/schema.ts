import { z } from 'zod';
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
  type: z.string().optional(),
  principalId: z.string().optional(),
  arn: z.string().optional(),
  accountId: z.string().optional(),
  userName: z.string().optional(),
});

/**
 * `detail.userIdentity` of a CloudTrail record (event-formats.md §4.3). Every field is optional:
 * a record without a readable `type` is an `Unknown` identity.
 */
export const userIdentitySchema = z.object({
  type: z.string().min(1).default('Unknown'),
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
 *
 * Only `eventSource`, `eventName` and `eventID` identify the record; the normalizer reads the rest
 * field by field (`parseLenient`). `eventTime` and `awsRegion` default to `''` here and take the
 * envelope's time and Region when unreadable; any lower-case Region code is kept as given.
 */
export const cloudTrailDetailSchema = z.object({
  eventVersion: z.string().optional(),
  userIdentity: userIdentitySchema.default({ type: 'Unknown' }),
  eventTime: z.string().min(1).default(''),
  eventSource: z.string().min(1).max(256),
  eventName: z.string().min(1).max(256),
  awsRegion: z.string().max(64).regex(REGION_CODE, 'a lower-case Region code').default(''),
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  requestParameters: z.unknown().optional(),
  responseElements: z.unknown().optional(),
  additionalEventData: z.unknown().optional(),
  requestID: z.string().optional(),
  eventID: z.string().min(1).max(256),
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
