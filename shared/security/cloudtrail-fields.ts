import { isRecord } from '../json';
import type { CloudTrailDetail } from '../sources/cloudtrail/schema';

/**
 * Field readers shared by the detection predicates and the CloudTrail normalizer. CloudTrail's
 * `requestParameters` are service-specific (EC2 wraps lists in `{items: [...]}`), so every reader
 * narrows `unknown` and never throws.
 */

/** The user name AWS puts in failed sign-ins whose user name was wrong. It is not a user. */
export const MASKED_USER_NAME = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/** The principal label for a failed sign-in whose user name AWS masked. */
export const MASKED_PRINCIPAL = 'masked-user-name';

/** Reads a dotted path (`ipPermissions.items`) inside any value, or undefined. */
export function pathValue(value: unknown, path: string): unknown {
  let node = value;
  let start = 0;
  for (;;) {
    if (!isRecord(node)) return undefined;
    const dot = path.indexOf('.', start);
    if (dot === -1) return node[path.slice(start)];
    node = node[path.slice(start, dot)];
    start = dot + 1;
  }
}

/** A dotted path inside `requestParameters`. */
export function param(detail: CloudTrailDetail, path: string): unknown {
  return pathValue(detail.requestParameters, path);
}

/** A dotted path inside `requestParameters` when it holds a string. */
export function stringParam(detail: CloudTrailDetail, path: string): string | undefined {
  const value = param(detail, path);
  return typeof value === 'string' ? value : undefined;
}

/** The elements of an EC2-style `{items: [...]}` wrapper, a plain array, or nothing. */
export function itemsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isRecord(value) && Array.isArray(value.items)) return value.items;
  return [];
}

/** `responseElements.ConsoleLogin` of a sign-in event (`Success` / `Failure`). */
export function consoleLoginOutcome(detail: CloudTrailDetail): string | undefined {
  const value = pathValue(detail.responseElements, 'ConsoleLogin');
  return typeof value === 'string' ? value : undefined;
}

/** Whether MFA was used: `yes`, `no` or `unknown`, compared case-insensitively (`Yes`, `YES`, `No`). */
export function mfaOf(detail: CloudTrailDetail): 'yes' | 'no' | 'unknown' {
  const used = pathValue(detail.additionalEventData, 'MFAUsed');
  if (typeof used === 'string') return used.trim().toLowerCase() === 'yes' ? 'yes' : 'no';
  const authenticated = detail.userIdentity.sessionContext?.attributes?.mfaAuthenticated;
  if (authenticated !== undefined) return authenticated.toLowerCase() === 'true' ? 'yes' : 'no';
  return 'unknown';
}

/** True when the call failed (`errorCode` present). Failed console sign-ins carry only `errorMessage`. */
export function failed(detail: CloudTrailDetail): boolean {
  return detail.errorCode !== undefined && detail.errorCode !== '';
}

/** The account the record belongs to: `recipientAccountId`, else the caller's account, else the envelope's. */
export function accountOf(detail: CloudTrailDetail, envelopeAccount: string): string {
  return detail.recipientAccountId ?? detail.userIdentity.accountId ?? envelopeAccount;
}

/**
 * Who acted, as one stable string: the ARN where CloudTrail gives one (assumed-role session ARNs
 * included), the root ARN for root, the calling service for `AWSService`, and
 * {@link MASKED_PRINCIPAL} for sign-ins whose user name AWS masked.
 */
export function principalOf(detail: CloudTrailDetail, envelopeAccount: string): string {
  const identity = detail.userIdentity;
  if (identity.userName === MASKED_USER_NAME) return MASKED_PRINCIPAL;
  const account = identity.accountId ?? accountOf(detail, envelopeAccount);
  if (identity.type === 'Root') return identity.arn ?? `arn:aws:iam::${account}:root`;
  if (identity.type === 'AWSService') return identity.invokedBy ?? identity.principalId ?? 'aws-service';
  if (identity.arn) return identity.arn;
  if (identity.type === 'IAMUser' && identity.userName)
    return `arn:aws:iam::${account}:user/${identity.userName}`;
  return identity.userName ?? identity.principalId ?? `unknown ${identity.type}`;
}

/** The IAM user the caller is, when it is one (for "acting on another user" comparisons). */
export function callerUserName(detail: CloudTrailDetail): string | undefined {
  const identity = detail.userIdentity;
  return identity.type === 'IAMUser' ? identity.userName : undefined;
}

const RESOURCE_PARAMETERS = [
  'groupId',
  'bucketName',
  'name',
  'trailName',
  'keyId',
  'instanceId',
  'snapshotId',
  'imageId',
  'dBSnapshotIdentifier',
  'dBClusterSnapshotIdentifier',
  'dBInstanceIdentifier',
  'dBClusterIdentifier',
  'functionName',
  'roleName',
  'userName',
  'groupName',
  'policyArn',
  'detectorId',
  'configurationRecorderName',
  'deliveryChannelName',
  'networkAclId',
  'routeTableId',
  'internetGatewayId',
  'customerGatewayId',
  'vpcPeeringConnectionId',
  'vpcId',
  'accountId',
  'organizationalUnitId',
  'policyId',
];

/** The main resource a call acted on: a well-known request parameter, else the first resource ARN. */
export function resourceOf(detail: CloudTrailDetail): string | undefined {
  for (const name of RESOURCE_PARAMETERS) {
    const value = param(detail, name);
    if (typeof value === 'string' && value !== '') return value;
  }
  return detail.resources?.find((r) => r.ARN)?.ARN;
}

/** The AWS partition of a Region code. */
export function partitionOfRegion(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * True for a read-only call: `readOnly: true`, or (for records without the flag) a name starting
 * with Get/List/Describe/Head, except STS `GetSessionToken`/`GetFederationToken`, which mint
 * credentials and are changes (EventBridge guide, "Receiving read-only management events").
 */
export function isReadOnlyCall(detail: CloudTrailDetail): boolean {
  if (detail.readOnly !== undefined) return detail.readOnly;
  if (detail.eventName === 'GetSessionToken' || detail.eventName === 'GetFederationToken') return false;
  return READ_ONLY_NAME.test(detail.eventName);
}

const READ_ONLY_NAME = /^(Get|List|Describe|Head)[A-Z]/;
