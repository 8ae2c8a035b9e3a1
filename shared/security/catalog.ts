import { z } from 'zod';
import { SEVERITIES, type Severity } from '../alert/alert';
import { isRecord, parseJson } from '../json';
import {
  API_CALL_DETAIL_TYPE,
  type CloudTrailEvent,
  SIGN_IN_DETAIL_TYPES,
} from '../sources/cloudtrail/schema';
import {
  callerUserName,
  consoleLoginOutcome,
  itemsOf,
  mfaOf,
  param,
  pathValue,
  stringParam,
} from './cloudtrail-fields';
import { type EventPattern, eventPatternSchema, type PatternCondition } from './pattern';

/**
 * The CloudTrail detection catalog, as data (the Cloud Custodian model): every detection names the
 * EventBridge pattern that delivers its candidate events and, where a pattern cannot express the
 * condition (arrays of objects, two-field comparisons, policy documents), an in-Lambda predicate.
 * Sources: `security-detections.md` §1 (CIS CloudWatch.1–14, CIS 4.15) and §2 (further detections).
 */

/** How a detection treats failed calls (`errorCode` present). */
export type ErrorPolicy =
  /** Only successful calls count (the default: a failed call changed nothing). */
  | 'exclude'
  /** Only failed calls count (CIS CloudWatch.2, unauthorized calls). */
  | 'require'
  /** Both count (root usage: a denied root call still means someone holds root credentials). */
  | 'include';

/** Which identity fields make up a detection's fingerprint, besides its id and the account. */
export type FingerprintScope =
  /** `detection|principal|account`: repeats by one principal fold into one open incident. */
  | 'principal'
  /** Adds the sign-in session, so a root or no-MFA session pages once, not once per call. */
  | 'session'
  /** Adds the source IP (failed sign-ins are counted per principal and IP). */
  | 'principal-ip';

/** An SSM Automation document a detection can hand to the remediation stage, with its parameters. */
export interface RemediationRef {
  /** An AWS-owned runbook, e.g. `AWS-DisablePublicAccessForSecurityGroup`. */
  document: string;
  /** Parameter templates over the alert (`{{ labels.resource }}`, `{{ labels.account }}`). */
  parameters: Readonly<Record<string, string>>;
}

/** One detection of the catalog. */
export interface Detection {
  /** Stable kebab-case id: the `detection` label and part of the fingerprint. */
  id: string;
  title: string;
  severity: Severity;
  /** Compliance controls it maps to, e.g. `CIS CloudWatch.1`, `CIS 1.4 4.3`. */
  controls: readonly string[];
  /** The EventBridge pattern delivering candidate events: scalar fields only (see `pattern.ts`). */
  pattern: EventPattern;
  /** True when the rule needs state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` (read-only calls count). */
  readOnly: boolean;
  errors: ErrorPolicy;
  /** `us-east-1` for global services (IAM, Organizations, root sign-in); `all` for Regional ones. */
  region: 'us-east-1' | 'all';
  /** Where the events arrive, for operators (console sign-in and root caveats). */
  regionNote: string;
  fingerprint: FingerprintScope;
  /** What the pattern cannot express; absent means the pattern is the whole condition. */
  predicate?: (event: CloudTrailEvent) => boolean;
  /** The resource acted on; defaults to the generic request-parameter reader. */
  resource?: (event: CloudTrailEvent) => string | undefined;
  /** A one-line summary; defaults to `<title>: <eventName> on <resource> by <principal> from <ip> in <account>/<region>`. */
  summary?: (event: CloudTrailEvent, facts: SummaryFacts) => string;
  runbookUrl: string;
  remediation?: RemediationRef;
}

/** Facts the normalizer has already extracted, handed to custom summaries. */
export interface SummaryFacts {
  principal: string;
  account: string;
  region: string;
  sourceIp: string;
  resource?: string;
}

/** The catalog failed validation; raised at module load so a broken catalog never deploys. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
}

const SH = 'https://docs.aws.amazon.com/securityhub/latest/userguide';
const cisRunbook = (n: number) => `${SH}/cloudwatch-controls.html#cloudwatch-${n}`;

const NO_ERROR: PatternCondition[] = [{ exists: false }];

/** Builds the pattern of an `AWS API Call via CloudTrail` detection on one service. */
function apiCall(
  service: string,
  eventNames: readonly PatternCondition[],
  more: { detail?: EventPattern; errors?: ErrorPolicy } = {},
): EventPattern {
  const detail: EventPattern = {
    eventSource: [`${service}.amazonaws.com`],
    eventName: [...eventNames],
    ...(more.errors === 'include' ? {} : { errorCode: NO_ERROR }),
    ...more.detail,
  };
  return { source: [`aws.${service}`], 'detail-type': [API_CALL_DETAIL_TYPE], detail };
}

/** Builds the pattern of a console sign-in detection (`source: aws.signin`). */
function signIn(eventName: string, detail: EventPattern): EventPattern {
  return {
    source: ['aws.signin'],
    'detail-type': [...SIGN_IN_DETAIL_TYPES],
    detail: { eventSource: ['signin.amazonaws.com'], eventName: [eventName], ...detail },
  };
}

const GLOBAL_NOTE = 'IAM, STS-global and Organizations events are delivered only in us-east-1.';
const REGIONAL_NOTE = 'Regional: deploy (or forward to the central bus) in every enabled Region.';
const SIGN_IN_NOTE =
  'Root sign-in lands in us-east-1; IAM-user sign-ins land in the sign-in endpoint Region (us-east-1, ' +
  'us-east-2, eu-north-1, ap-southeast-2 for the global endpoint): forward from every enabled Region.';

// ---------------------------------------------------------------------------------------------
// Predicates for what patterns cannot express
// ---------------------------------------------------------------------------------------------

/** Ports whose exposure to the internet pages (remote administration and file sharing). */
export const ADMIN_PORTS: readonly number[] = [20, 21, 22, 23, 445, 3389, 5985, 5986];
const WORLD_CIDRS = new Set(['0.0.0.0/0', '::/0']);

interface IngressPermission {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
}

function numberOrUndefined(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/** The ingress permissions of an `AuthorizeSecurityGroupIngress` request, in both request shapes. */
export function ingressPermissions(event: CloudTrailEvent): IngressPermission[] {
  const d = event.detail;
  const permissions = itemsOf(param(d, 'ipPermissions')).flatMap((item): IngressPermission[] => {
    if (!isRecord(item)) return [];
    const v4 = itemsOf(item.ipRanges).map((r) => pathValue(r, 'cidrIp'));
    const v6 = itemsOf(item.ipv6Ranges).map((r) => pathValue(r, 'cidrIpv6'));
    return [
      {
        protocol: String(item.ipProtocol ?? ''),
        fromPort: numberOrUndefined(item.fromPort),
        toPort: numberOrUndefined(item.toPort),
        cidrs: [...v4, ...v6].filter((c): c is string => typeof c === 'string'),
      },
    ];
  });
  const legacyCidr = stringParam(d, 'cidrIp');
  if (legacyCidr) {
    permissions.push({
      protocol: String(param(d, 'ipProtocol') ?? ''),
      fromPort: numberOrUndefined(param(d, 'fromPort')),
      toPort: numberOrUndefined(param(d, 'toPort')),
      cidrs: [legacyCidr],
    });
  }
  return permissions;
}

/** True when a permission opens an admin port (or every port) to 0.0.0.0/0 or ::/0. */
export function opensAdminPortToWorld(permission: IngressPermission): boolean {
  if (!permission.cidrs.some((cidr) => WORLD_CIDRS.has(cidr.trim()))) return false;
  const protocol = permission.protocol.toLowerCase();
  if (protocol === '-1' || protocol === 'all') return true;
  if (protocol !== 'tcp' && protocol !== '6' && protocol !== 'udp' && protocol !== '17') return false;
  const from = permission.fromPort ?? 0;
  const to = permission.toPort ?? 65535;
  return ADMIN_PORTS.some((port) => port >= from && port <= to);
}

function sharedTargets(event: CloudTrailEvent): { groups: string[]; accounts: string[] } {
  const d = event.detail;
  const added = [
    ...itemsOf(param(d, 'createVolumePermission.add')),
    ...itemsOf(param(d, 'launchPermission.add')),
  ];
  const groups = added.map((i) => pathValue(i, 'group')).filter((g): g is string => typeof g === 'string');
  const accounts = added.map((i) => pathValue(i, 'userId')).filter((a): a is string => typeof a === 'string');
  if (param(d, 'attributeName') === 'restore') {
    for (const value of itemsOf(param(d, 'valuesToAdd'))) {
      if (value === 'all') groups.push('all');
      else if (typeof value === 'string') accounts.push(value);
    }
  }
  return { groups, accounts };
}

const RESTRICTING_CONDITION_KEYS = new Set(
  [
    'aws:SourceArn',
    'aws:SourceAccount',
    'aws:SourceOwner',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:userid',
    'aws:username',
  ].map((key) => key.toLowerCase()),
);

function isWildcardPrincipal(principal: unknown): boolean {
  if (principal === '*') return true;
  if (!isRecord(principal)) return false;
  const aws = principal.AWS;
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
}

function conditionRestricts(condition: unknown): boolean {
  if (!isRecord(condition)) return false;
  return Object.values(condition).some(
    (block) =>
      isRecord(block) && Object.keys(block).some((key) => RESTRICTING_CONDITION_KEYS.has(key.toLowerCase())),
  );
}

/** True when a bucket policy has an Allow statement for `*` not narrowed to an account, org, VPC or source. */
export function policyIsPublic(policy: unknown): boolean {
  const statements = pathValue(policy, 'Statement');
  const list = Array.isArray(statements) ? statements : isRecord(statements) ? [statements] : [];
  return list.some(
    (s) =>
      isRecord(s) &&
      s.Effect === 'Allow' &&
      isWildcardPrincipal(s.Principal) &&
      !conditionRestricts(s.Condition),
  );
}

const PUBLIC_GROUP_URIS = [
  'http://acs.amazonaws.com/groups/global/AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
];
const PUBLIC_CANNED_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);

function aclIsPublic(event: CloudTrailEvent): boolean {
  const d = event.detail;
  const canned = itemsOf(param(d, 'x-amz-acl')).concat([param(d, 'x-amz-acl')]);
  if (canned.some((acl) => typeof acl === 'string' && PUBLIC_CANNED_ACLS.has(acl))) return true;
  const grants = itemsOf(param(d, 'AccessControlPolicy.AccessControlList.Grant'));
  const single = param(d, 'AccessControlPolicy.AccessControlList.Grant');
  const all = grants.length > 0 ? grants : isRecord(single) ? [single] : [];
  return all.some((grant) => {
    const uri = pathValue(grant, 'Grantee.URI');
    return typeof uri === 'string' && PUBLIC_GROUP_URIS.includes(uri);
  });
}

function bucketPolicyOf(event: CloudTrailEvent): unknown {
  const policy = param(event.detail, 'bucketPolicy');
  if (typeof policy !== 'string') return policy;
  // CloudTrail truncates large request parameters; an unreadable policy cannot be judged public.
  const parsed = parseJson(policy);
  return parsed.ok ? parsed.value : undefined;
}

const BPA_FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'];

/** True when a Put*PublicAccessBlock request turns any of the four protections off. */
function weakensPublicAccessBlock(event: CloudTrailEvent): boolean {
  if (event.detail.eventName.startsWith('Delete')) return true;
  const config = param(event.detail, 'PublicAccessBlockConfiguration') ?? event.detail.requestParameters;
  return BPA_FLAGS.some((flag) => {
    const value = pathValue(config, flag);
    return value === false || value === 'false';
  });
}

function eventSelectorsDisableManagement(event: CloudTrailEvent): boolean {
  const d = event.detail;
  if (d.eventName === 'PutEventSelectors') {
    const selectors = itemsOf(param(d, 'eventSelectors'));
    if (selectors.length === 0) return false;
    return selectors.every(
      (s) =>
        pathValue(s, 'includeManagementEvents') === false || pathValue(s, 'readWriteType') === 'ReadOnly',
    );
  }
  const advanced = itemsOf(param(d, 'advancedEventSelectors'));
  if (advanced.length === 0) return false;
  return !advanced.some((selector) =>
    itemsOf(pathValue(selector, 'fieldSelectors')).some(
      (f) =>
        pathValue(f, 'field') === 'eventCategory' && itemsOf(pathValue(f, 'equals')).includes('Management'),
    ),
  );
}

function otherUserTargeted(event: CloudTrailEvent): boolean {
  const target = stringParam(event.detail, 'userName');
  return target !== undefined && target !== callerUserName(event.detail);
}

function suppressesFindings(event: CloudTrailEvent): boolean {
  const d = event.detail;
  if (d.eventName === 'CreateIPSet' || d.eventName === 'UpdateIPSet') return param(d, 'activate') === true;
  return param(d, 'action') === 'ARCHIVE';
}

function workflowSuppressed(event: CloudTrailEvent): boolean {
  const status = param(event.detail, 'workflow.status') ?? param(event.detail, 'Workflow.Status');
  return status === 'SUPPRESSED';
}

// ---------------------------------------------------------------------------------------------
// The catalog
// ---------------------------------------------------------------------------------------------

const CATALOG_INPUT: readonly Detection[] = [
  {
    id: 'cis-cloudwatch-1-root-usage',
    title: 'Root account used',
    severity: 'critical',
    controls: ['CIS CloudWatch.1', 'CIS 1.2 1.1', 'CIS 1.2 3.3', 'CIS 1.4 1.7', 'CIS 1.4 4.3'],
    pattern: {
      'detail-type': [API_CALL_DETAIL_TYPE, ...SIGN_IN_DETAIL_TYPES],
      detail: {
        userIdentity: { type: ['Root'], invokedBy: [{ exists: false }] },
        eventType: [{ 'anything-but': 'AwsServiceEvent' }],
      },
    },
    // Root reads count too (CIS counts every root call); the pattern keeps the volume to root only.
    readOnly: true,
    errors: 'include',
    region: 'all',
    regionNote: `Root sign-in and root IAM calls land in us-east-1; other root calls in the Region they target. ${REGIONAL_NOTE}`,
    fingerprint: 'session',
    predicate: ({ detail }) => {
      if (detail.eventSource !== 'signin.amazonaws.com') return true;
      return detail.eventName === 'ConsoleLogin' && consoleLoginOutcome(detail) === 'Success';
    },
    summary: ({ detail }, f) =>
      detail.eventName === 'ConsoleLogin'
        ? `Root account console sign-in from ${f.sourceIp} in ${f.account} (MFA: ${mfaOf(detail)})`
        : `Root account used: ${detail.eventName} from ${f.sourceIp} in ${f.account}/${f.region}`,
    runbookUrl: cisRunbook(1),
  },
  {
    id: 'cis-cloudwatch-2-unauthorized-api-calls',
    title: 'Unauthorized API call',
    severity: 'info',
    controls: ['CIS CloudWatch.2', 'CIS 1.2 3.1', 'CIS 1.4 4.1'],
    pattern: {
      'detail-type': [API_CALL_DETAIL_TYPE],
      detail: { errorCode: [{ suffix: 'UnauthorizedOperation' }, { prefix: 'AccessDenied' }] },
    },
    readOnly: true,
    errors: 'require',
    region: 'all',
    regionNote: `${REGIONAL_NOTE} Denied reads only arrive with the read-only rule state (high volume).`,
    fingerprint: 'principal',
    // Datadog's exclusions: log delivery probing buckets and HeadBucket existence checks.
    predicate: ({ detail }) =>
      detail.sourceIPAddress !== 'delivery.logs.amazonaws.com' && detail.eventName !== 'HeadBucket',
    runbookUrl: cisRunbook(2),
  },
  {
    id: 'cis-cloudwatch-3-console-sign-in-without-mfa',
    title: 'Console sign-in without MFA',
    severity: 'error',
    controls: ['CIS CloudWatch.3', 'CIS 1.2 3.2', 'CIS 1.4 4.2'],
    // Only IAM users: federated / SSO sign-ins report MFAUsed "No" even when the IdP enforced MFA.
    pattern: signIn('ConsoleLogin', {
      userIdentity: { type: ['IAMUser'] },
      responseElements: { ConsoleLogin: ['Success'] },
      additionalEventData: { MFAUsed: [{ 'anything-but': { 'equals-ignore-case': 'yes' } }] },
    }),
    readOnly: false,
    errors: 'include',
    region: 'all',
    regionNote: SIGN_IN_NOTE,
    fingerprint: 'session',
    predicate: ({ detail }) => mfaOf(detail) === 'no',
    summary: ({ detail }, f) =>
      `Console sign-in without MFA by ${detail.userIdentity.userName ?? f.principal} from ${f.sourceIp} in ${f.account}`,
    runbookUrl: cisRunbook(3),
  },
  {
    id: 'cis-cloudwatch-4-iam-policy-changes',
    title: 'IAM policy changed',
    severity: 'warning',
    controls: ['CIS CloudWatch.4', 'CIS 1.2 3.4', 'CIS 1.4 4.4'],
    pattern: apiCall('iam', [
      'DeleteGroupPolicy',
      'DeleteRolePolicy',
      'DeleteUserPolicy',
      'PutGroupPolicy',
      'PutRolePolicy',
      'PutUserPolicy',
      'CreatePolicy',
      'DeletePolicy',
      'CreatePolicyVersion',
      'DeletePolicyVersion',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'AttachUserPolicy',
      'DetachUserPolicy',
      'AttachGroupPolicy',
      'DetachGroupPolicy',
    ]),
    readOnly: false,
    errors: 'exclude',
    region: 'us-east-1',
    regionNote: GLOBAL_NOTE,
    fingerprint: 'principal',
    runbookUrl: cisRunbook(4),
  },
  {
    id: 'cis-cloudwatch-5-cloudtrail-changes',
    title: 'CloudTrail configuration changed',
    severity: 'warning',
    controls: ['CIS CloudWatch.5', 'CIS 1.2 3.5', 'CIS 1.4 4.5'],
    pattern: apiCall('cloudtrail', [
      'CreateTrail',
      'UpdateTrail',
      'DeleteTrail',
      'StartLogging',
      'StopLogging',
      'PutEventSelectors',
      'PutAdvancedEventSelectors',
    ]),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: `${REGIONAL_NOTE} Trails are managed in their home Region.`,
    fingerprint: 'principal',
    runbookUrl: cisRunbook(5),
  },
  {
    id: 'cis-cloudwatch-6-console-auth-failures',
    title: 'Console sign-in failed',
    // Each failure is recorded at info; FailedLoginCounter raises the threshold alert (failed-logins.ts).
    severity: 'info',
    controls: ['CIS CloudWatch.6', 'CIS 1.2 3.6', 'CIS 1.4 4.6'],
    pattern: signIn('ConsoleLogin', { responseElements: { ConsoleLogin: ['Failure'] } }),
    readOnly: false,
    errors: 'include',
    region: 'all',
    regionNote: SIGN_IN_NOTE,
    fingerprint: 'principal-ip',
    summary: ({ detail }, f) =>
      `Failed console sign-in for ${f.principal} from ${f.sourceIp} in ${f.account}: ${detail.errorMessage ?? 'failure'}`,
    runbookUrl: cisRunbook(6),
  },
  {
    id: 'cis-cloudwatch-7-cmk-disabled-or-deleted',
    title: 'KMS key disabled or scheduled for deletion',
    severity: 'critical',
    controls: ['CIS CloudWatch.7', 'CIS 1.2 3.7', 'CIS 1.4 4.7'],
    pattern: apiCall('kms', ['DisableKey', 'ScheduleKeyDeletion']),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    runbookUrl: cisRunbook(7),
  },
  {
    id: 'cis-cloudwatch-8-s3-bucket-policy-changes',
    title: 'S3 bucket policy changed',
    severity: 'warning',
    controls: ['CIS CloudWatch.8', 'CIS 1.2 3.8', 'CIS 1.4 4.8'],
    pattern: apiCall('s3', [
      'PutBucketAcl',
      'PutBucketPolicy',
      'PutBucketCors',
      'PutBucketLifecycle',
      'PutBucketReplication',
      'DeleteBucketPolicy',
      'DeleteBucketCors',
      'DeleteBucketLifecycle',
      'DeleteBucketReplication',
    ]),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: `${REGIONAL_NOTE} Bucket calls are recorded in the bucket's Region.`,
    fingerprint: 'principal',
    runbookUrl: cisRunbook(8),
  },
  {
    id: 'cis-cloudwatch-9-config-changes',
    title: 'AWS Config configuration changed',
    severity: 'warning',
    controls: ['CIS CloudWatch.9', 'CIS 1.2 3.9', 'CIS 1.4 4.9'],
    pattern: apiCall('config', [
      'StopConfigurationRecorder',
      'DeleteDeliveryChannel',
      'PutDeliveryChannel',
      'PutConfigurationRecorder',
    ]),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    runbookUrl: cisRunbook(9),
  },
  {
    id: 'cis-cloudwatch-10-security-group-changes',
    title: 'Security group changed',
    // Routine in most accounts: logged. Exposure of admin ports pages (sg-open-to-world-admin-port).
    severity: 'info',
    controls: ['CIS CloudWatch.10', 'CIS 1.2 3.10', 'CIS 1.4 4.10'],
    pattern: apiCall('ec2', [
      'AuthorizeSecurityGroupIngress',
      'AuthorizeSecurityGroupEgress',
      'RevokeSecurityGroupIngress',
      'RevokeSecurityGroupEgress',
      'CreateSecurityGroup',
      'DeleteSecurityGroup',
      'ModifySecurityGroupRules',
    ]),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    runbookUrl: cisRunbook(10),
  },
  {
    id: 'cis-cloudwatch-11-nacl-changes',
    title: 'Network ACL changed',
    severity: 'warning',
    controls: ['CIS CloudWatch.11', 'CIS 1.2 3.11', 'CIS 1.4 4.11'],
    pattern: apiCall('ec2', [
      'CreateNetworkAcl',
      'CreateNetworkAclEntry',
      'DeleteNetworkAcl',
      'DeleteNetworkAclEntry',
      'ReplaceNetworkAclEntry',
      'ReplaceNetworkAclAssociation',
    ]),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    runbookUrl: cisRunbook(11),
  },
  {
    id: 'cis-cloudwatch-12-network-gateway-changes',
    title: 'Network gateway changed',
    severity: 'warning',
    controls: ['CIS CloudWatch.12', 'CIS 1.2 3.12', 'CIS 1.4 4.12'],
    pattern: apiCall('ec2', [
      'CreateCustomerGateway',
      'DeleteCustomerGateway',
      'AttachInternetGateway',
      'CreateInternetGateway',
      'DeleteInternetGateway',
      'DetachInternetGateway',
    ]),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    runbookUrl: cisRunbook(12),
  },
  {
    id: 'cis-cloudwatch-13-route-table-changes',
    title: 'Route table changed',
    severity: 'warning',
    controls: ['CIS CloudWatch.13', 'CIS 1.2 3.13', 'CIS 1.4 4.13'],
    pattern: apiCall('ec2', [
      'CreateRoute',
      'CreateRouteTable',
      'ReplaceRoute',
      'ReplaceRouteTableAssociation',
      'DeleteRouteTable',
      'DeleteRoute',
      'DisassociateRouteTable',
    ]),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    runbookUrl: cisRunbook(13),
  },
  {
    id: 'cis-cloudwatch-14-vpc-changes',
    title: 'VPC changed',
    severity: 'warning',
    controls: ['CIS CloudWatch.14', 'CIS 1.2 3.14', 'CIS 1.4 4.14'],
    pattern: apiCall('ec2', [
      'CreateVpc',
      'DeleteVpc',
      'ModifyVpcAttribute',
      'AcceptVpcPeeringConnection',
      'CreateVpcPeeringConnection',
      'DeleteVpcPeeringConnection',
      'RejectVpcPeeringConnection',
      'AttachClassicLinkVpc',
      'DetachClassicLinkVpc',
      'DisableVpcClassicLink',
      'EnableVpcClassicLink',
    ]),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    runbookUrl: cisRunbook(14),
  },
  {
    id: 'cis-4-15-organizations-changes',
    title: 'AWS Organizations changed',
    severity: 'warning',
    controls: ['CIS 1.5 4.15'],
    pattern: apiCall('organizations', [
      'AcceptHandshake',
      'AttachPolicy',
      'CreateAccount',
      'CreateOrganizationalUnit',
      'CreatePolicy',
      'DeclineHandshake',
      'DeleteOrganization',
      'DeleteOrganizationalUnit',
      'DeletePolicy',
      'DetachPolicy',
      'DisablePolicyType',
      'EnablePolicyType',
      'InviteAccountToOrganization',
      'LeaveOrganization',
      'MoveAccount',
      'RemoveAccountFromOrganization',
      'UpdatePolicy',
      'UpdateOrganizationalUnit',
    ]),
    readOnly: false,
    errors: 'exclude',
    region: 'us-east-1',
    regionNote: `${GLOBAL_NOTE} Management-account events, except LeaveOrganization (member account).`,
    fingerprint: 'principal',
    runbookUrl:
      'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_security_incident-response.html',
  },
  // ----- further detections (security-detections.md §2) -----
  {
    id: 'cloudtrail-logging-disabled',
    title: 'CloudTrail logging stopped or trail deleted',
    severity: 'critical',
    controls: ['SD #1', 'CIS CloudWatch.5'],
    pattern: apiCall('cloudtrail', ['StopLogging', 'DeleteTrail']),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: `${REGIONAL_NOTE} Trails are managed in their home Region.`,
    fingerprint: 'principal',
    runbookUrl: `${SH}/cloudtrail-controls.html#cloudtrail-1`,
  },
  {
    id: 'cloudtrail-management-events-disabled',
    title: 'CloudTrail management events turned off by event selectors',
    severity: 'critical',
    controls: ['SD #2'],
    pattern: apiCall('cloudtrail', ['PutEventSelectors', 'PutAdvancedEventSelectors']),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    predicate: eventSelectorsDisableManagement,
    resource: ({ detail }) => stringParam(detail, 'trailName'),
    runbookUrl: `${SH}/cloudtrail-controls.html#cloudtrail-1`,
  },
  {
    id: 'guardduty-detector-disabled',
    title: 'GuardDuty detector deleted or disabled',
    severity: 'critical',
    controls: ['SD #3'],
    pattern: apiCall('guardduty', ['DeleteDetector', 'UpdateDetector']),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    predicate: ({ detail }) => detail.eventName === 'DeleteDetector' || param(detail, 'enable') === false,
    runbookUrl: `${SH}/guardduty-controls.html#guardduty-1`,
  },
  {
    id: 'guardduty-findings-suppressed',
    title: 'GuardDuty findings suppressed (trusted IP list or archive filter)',
    severity: 'error',
    controls: ['SD #3'],
    pattern: apiCall('guardduty', ['CreateIPSet', 'UpdateIPSet', 'CreateFilter', 'UpdateFilter']),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    predicate: suppressesFindings,
    resource: ({ detail }) => stringParam(detail, 'name') ?? stringParam(detail, 'filterName'),
    runbookUrl: 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_upload-lists.html',
  },
  {
    id: 'config-recording-stopped',
    title: 'AWS Config recording stopped or delivery channel deleted',
    severity: 'error',
    controls: ['SD #4', 'CIS CloudWatch.9'],
    pattern: apiCall('config', [
      'StopConfigurationRecorder',
      'DeleteConfigurationRecorder',
      'DeleteDeliveryChannel',
    ]),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    runbookUrl: `${SH}/config-controls.html#config-1`,
  },
  {
    id: 'vpc-flow-logs-deleted',
    title: 'VPC flow logs deleted',
    severity: 'error',
    controls: ['SD #5'],
    pattern: apiCall('ec2', ['DeleteFlowLogs']),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    resource: ({ detail }) => {
      const ids = itemsOf(param(detail, 'DeleteFlowLogsRequest.FlowLogId'))
        .concat([param(detail, 'DeleteFlowLogsRequest.FlowLogId')])
        .map((id) => (isRecord(id) ? id.content : id))
        .filter((id): id is string => typeof id === 'string');
      return ids.length > 0 ? ids.join(',') : undefined;
    },
    runbookUrl: `${SH}/ec2-controls.html#ec2-6`,
  },
  {
    id: 's3-bucket-made-public',
    title: 'S3 bucket made public (policy or ACL)',
    severity: 'critical',
    controls: ['SD #6'],
    pattern: apiCall('s3', ['PutBucketPolicy', 'PutBucketAcl']),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: `${REGIONAL_NOTE} Bucket calls are recorded in the bucket's Region.`,
    fingerprint: 'principal',
    predicate: (event) =>
      event.detail.eventName === 'PutBucketPolicy'
        ? policyIsPublic(bucketPolicyOf(event))
        : aclIsPublic(event),
    runbookUrl:
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html',
    remediation: {
      document: 'AWS-DisableS3BucketPublicReadWrite',
      parameters: { S3BucketName: '{{ labels.resource }}' },
    },
  },
  {
    id: 's3-account-block-public-access-removed',
    title: 'S3 account-level Block Public Access removed or weakened',
    severity: 'critical',
    controls: ['SD #7'],
    pattern: apiCall('s3', ['DeleteAccountPublicAccessBlock', 'PutAccountPublicAccessBlock']),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: 'Account-level S3 control calls are recorded in the Region of the endpoint used.',
    fingerprint: 'principal',
    predicate: weakensPublicAccessBlock,
    resource: (event) => event.detail.recipientAccountId,
    runbookUrl:
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-account.html',
    remediation: {
      document: 'AWSConfigRemediation-ConfigureS3PublicAccessBlock',
      parameters: { AccountId: '{{ labels.account }}' },
    },
  },
  {
    id: 's3-bucket-block-public-access-removed',
    title: 'S3 bucket Block Public Access removed or weakened',
    severity: 'error',
    controls: ['SD #7'],
    pattern: apiCall('s3', ['DeleteBucketPublicAccessBlock', 'PutBucketPublicAccessBlock']),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: `${REGIONAL_NOTE} Bucket calls are recorded in the bucket's Region.`,
    fingerprint: 'principal',
    predicate: weakensPublicAccessBlock,
    runbookUrl:
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-bucket.html',
    remediation: {
      document: 'AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock',
      parameters: { BucketName: '{{ labels.resource }}' },
    },
  },
  {
    id: 'sg-open-to-world-admin-port',
    title: 'Security group opened to the internet on an admin port',
    severity: 'critical',
    controls: ['SD #8', 'CIS CloudWatch.10', 'Security Hub EC2.13', 'Security Hub EC2.14'],
    pattern: apiCall('ec2', ['AuthorizeSecurityGroupIngress']),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    predicate: (event) => ingressPermissions(event).some(opensAdminPortToWorld),
    summary: (event, f) => {
      const open = ingressPermissions(event).filter(opensAdminPortToWorld);
      const what = open
        .map((p) => `${p.protocol === '-1' ? 'all' : p.protocol}/${p.fromPort ?? 0}-${p.toPort ?? 65535}`)
        .join(', ');
      return `Security group ${f.resource ?? ''} opened to the internet (${what}) by ${f.principal} in ${f.account}/${f.region}`;
    },
    runbookUrl: `${SH}/ec2-controls.html#ec2-13`,
    remediation: {
      document: 'AWS-DisablePublicAccessForSecurityGroup',
      parameters: { GroupId: '{{ labels.resource }}' },
    },
  },
  {
    id: 'iam-root-access-key-created',
    title: 'Root access key created',
    severity: 'critical',
    controls: ['SD #9', 'Security Hub IAM.4'],
    pattern: apiCall('iam', ['CreateAccessKey'], { detail: { userIdentity: { type: ['Root'] } } }),
    readOnly: false,
    errors: 'exclude',
    region: 'us-east-1',
    regionNote: GLOBAL_NOTE,
    fingerprint: 'principal',
    // Root creating a key for itself has no userName (requestParameters null); with one, it is another user's key.
    predicate: ({ detail }) => stringParam(detail, 'userName') === undefined,
    resource: ({ detail }) => {
      const key = pathValue(detail.responseElements, 'accessKey.accessKeyId');
      return typeof key === 'string' ? key : undefined;
    },
    runbookUrl: `${SH}/iam-controls.html#iam-4`,
  },
  {
    id: 'iam-mfa-deactivated',
    title: 'MFA device deactivated or deleted',
    severity: 'error',
    controls: ['SD #12'],
    pattern: apiCall('iam', ['DeactivateMFADevice', 'DeleteVirtualMFADevice']),
    readOnly: false,
    errors: 'exclude',
    region: 'us-east-1',
    regionNote: GLOBAL_NOTE,
    fingerprint: 'principal',
    resource: ({ detail }) => stringParam(detail, 'userName') ?? stringParam(detail, 'serialNumber'),
    runbookUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_disable.html',
  },
  {
    id: 'iam-login-profile-for-another-user',
    title: 'Console password set for another user',
    severity: 'error',
    controls: ['SD #13'],
    pattern: apiCall('iam', ['CreateLoginProfile', 'UpdateLoginProfile']),
    readOnly: false,
    errors: 'exclude',
    region: 'us-east-1',
    regionNote: GLOBAL_NOTE,
    fingerprint: 'principal',
    predicate: otherUserTargeted,
    runbookUrl:
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html',
  },
  {
    id: 'iam-access-key-for-another-user',
    title: 'Access key created for another user',
    severity: 'error',
    controls: ['SD #14'],
    pattern: apiCall('iam', ['CreateAccessKey']),
    readOnly: false,
    errors: 'exclude',
    region: 'us-east-1',
    regionNote: GLOBAL_NOTE,
    fingerprint: 'principal',
    predicate: otherUserTargeted,
    runbookUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html',
  },
  {
    id: 'iam-admin-policy-attached',
    title: 'AdministratorAccess attached',
    severity: 'error',
    controls: ['SD #15', 'CIS CloudWatch.4'],
    pattern: apiCall('iam', ['AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy'], {
      detail: { requestParameters: { policyArn: [{ suffix: ':policy/AdministratorAccess' }] } },
    }),
    readOnly: false,
    errors: 'exclude',
    region: 'us-east-1',
    regionNote: GLOBAL_NOTE,
    fingerprint: 'principal',
    resource: ({ detail }) =>
      stringParam(detail, 'userName') ?? stringParam(detail, 'roleName') ?? stringParam(detail, 'groupName'),
    runbookUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege',
  },
  {
    id: 'iam-role-trust-policy-changed',
    title: 'Role trust policy changed',
    severity: 'warning',
    controls: ['SD #16'],
    pattern: apiCall('iam', ['UpdateAssumeRolePolicy']),
    readOnly: false,
    errors: 'exclude',
    region: 'us-east-1',
    regionNote: GLOBAL_NOTE,
    fingerprint: 'principal',
    runbookUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/roles-managingrole-editing-console.html',
  },
  {
    id: 'snapshot-or-image-made-public',
    title: 'Snapshot or AMI made public',
    severity: 'critical',
    controls: ['SD #23', 'Security Hub EC2.1', 'Security Hub RDS.1'],
    pattern: {
      source: ['aws.ec2', 'aws.rds'],
      'detail-type': [API_CALL_DETAIL_TYPE],
      detail: {
        eventName: [
          'ModifySnapshotAttribute',
          'ModifyImageAttribute',
          'ModifyDBSnapshotAttribute',
          'ModifyDBClusterSnapshotAttribute',
        ],
        errorCode: NO_ERROR,
      },
    },
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    predicate: (event) => sharedTargets(event).groups.includes('all'),
    runbookUrl: `${SH}/ec2-controls.html#ec2-1`,
  },
  {
    id: 'snapshot-or-image-shared-cross-account',
    title: 'Snapshot or AMI shared with another account',
    severity: 'error',
    controls: ['SD #23'],
    pattern: {
      source: ['aws.ec2', 'aws.rds'],
      'detail-type': [API_CALL_DETAIL_TYPE],
      detail: {
        eventName: [
          'ModifySnapshotAttribute',
          'ModifyImageAttribute',
          'ModifyDBSnapshotAttribute',
          'ModifyDBClusterSnapshotAttribute',
        ],
        errorCode: NO_ERROR,
      },
    },
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    predicate: (event) => {
      const own = event.detail.recipientAccountId ?? event.envelopeAccount;
      return sharedTargets(event).accounts.some((account) => account !== own);
    },
    summary: (event, f) =>
      `${f.resource ?? 'Snapshot/AMI'} shared with ${sharedTargets(event).accounts.join(', ')} by ${f.principal} in ${f.account}/${f.region}`,
    runbookUrl: 'https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html',
  },
  {
    id: 'ebs-default-encryption-disabled',
    title: 'EBS encryption by default disabled',
    severity: 'error',
    controls: ['SD #20', 'Security Hub EC2.7'],
    pattern: apiCall('ec2', ['DisableEbsEncryptionByDefault']),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    runbookUrl: `${SH}/ec2-controls.html#ec2-7`,
    remediation: { document: 'AWSConfigRemediation-EnableEbsEncryptionByDefault', parameters: {} },
  },
  {
    id: 'organizations-leave',
    title: 'Account left the organization',
    severity: 'critical',
    controls: ['SD #21', 'CIS 1.5 4.15'],
    pattern: apiCall('organizations', ['LeaveOrganization']),
    readOnly: false,
    errors: 'exclude',
    region: 'us-east-1',
    regionNote: `${GLOBAL_NOTE} Emitted by the member account that leaves.`,
    fingerprint: 'principal',
    resource: (event) => event.detail.recipientAccountId,
    runbookUrl: 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_remove.html',
  },
  {
    id: 'kms-key-policy-changed',
    title: 'KMS key policy or key material changed',
    severity: 'warning',
    controls: ['SD #22'],
    pattern: apiCall('kms', ['PutKeyPolicy', 'ImportKeyMaterial', 'DeleteImportedKeyMaterial'], {
      detail: { userIdentity: { type: [{ 'anything-but': 'AWSService' }] } },
    }),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    runbookUrl: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying.html',
  },
  {
    id: 'ec2-user-data-changed',
    title: 'EC2 instance user data changed',
    severity: 'error',
    controls: ['SD #25'],
    pattern: apiCall('ec2', ['ModifyInstanceAttribute']),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    predicate: ({ detail }) =>
      param(detail, 'attribute') === 'userData' || param(detail, 'userData') !== undefined,
    runbookUrl: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html',
  },
  {
    id: 's3-versioning-suspended',
    title: 'S3 bucket versioning suspended',
    severity: 'warning',
    controls: ['SD #26'],
    pattern: apiCall('s3', ['PutBucketVersioning'], {
      detail: { requestParameters: { VersioningConfiguration: { Status: ['Suspended'] } } },
    }),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: `${REGIONAL_NOTE} Bucket calls are recorded in the bucket's Region.`,
    fingerprint: 'principal',
    runbookUrl: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html',
  },
  {
    id: 'lambda-function-url-public',
    title: 'Lambda function URL made public (auth type NONE)',
    severity: 'error',
    controls: ['SD #27'],
    // CloudTrail appends the API version to Lambda event names (CreateFunctionUrlConfig20211031).
    pattern: apiCall(
      'lambda',
      [{ prefix: 'CreateFunctionUrlConfig' }, { prefix: 'UpdateFunctionUrlConfig' }],
      {
        detail: { requestParameters: { authType: ['NONE'] } },
      },
    ),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    runbookUrl: 'https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
  },
  {
    id: 'rds-instance-made-public',
    title: 'RDS database made publicly accessible',
    severity: 'error',
    controls: ['SD #24', 'Security Hub RDS.2'],
    pattern: apiCall('rds', ['ModifyDBInstance', 'CreateDBInstance', 'RestoreDBInstanceFromDBSnapshot'], {
      detail: { requestParameters: { publiclyAccessible: [true] } },
    }),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: REGIONAL_NOTE,
    fingerprint: 'principal',
    runbookUrl: `${SH}/rds-controls.html#rds-2`,
  },
  {
    id: 'securityhub-findings-suppressed',
    title: 'Security Hub findings suppressed',
    severity: 'warning',
    controls: ['SD #29'],
    pattern: apiCall('securityhub', ['BatchUpdateFindings']),
    readOnly: false,
    errors: 'exclude',
    region: 'all',
    regionNote: `${REGIONAL_NOTE} Exclude Klaxon's own role (allowlist) so its updates never trigger it.`,
    fingerprint: 'principal',
    predicate: workflowSuppressed,
    runbookUrl: 'https://docs.aws.amazon.com/securityhub/latest/userguide/finding-workflow-status.html',
  },
  {
    id: 'root-password-recovery-requested',
    title: 'Root password recovery requested',
    severity: 'error',
    controls: ['SD #10'],
    pattern: signIn('PasswordRecoveryRequested', {}),
    readOnly: false,
    errors: 'include',
    region: 'us-east-1',
    regionNote: 'Root sign-in events land in us-east-1.',
    fingerprint: 'principal',
    predicate: ({ detail }) => pathValue(detail.responseElements, 'PasswordRecoveryRequested') === 'Success',
    summary: (_event, f) => `Root password recovery requested from ${f.sourceIp} for ${f.account}`,
    runbookUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-password.html',
  },
  {
    id: 'sts-assume-root',
    title: 'Privileged root session assumed (AssumeRoot)',
    severity: 'error',
    controls: ['SD #11'],
    pattern: apiCall('sts', ['AssumeRoot']),
    // STS marks credential-vending calls like AssumeRole read-only; AssumeRoot is assumed to follow.
    readOnly: true,
    errors: 'exclude',
    region: 'all',
    regionNote: 'STS Regional endpoints record in their Region; the global endpoint in us-east-1.',
    fingerprint: 'principal',
    resource: ({ detail }) => stringParam(detail, 'targetPrincipal'),
    runbookUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html',
  },
];

// ---------------------------------------------------------------------------------------------
// Validation at load
// ---------------------------------------------------------------------------------------------

const urlSchema = z.url({ protocol: /^https$/ });
const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'a function');

const detectionSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case id'),
  title: z.string().min(1).max(120),
  severity: z.enum(SEVERITIES),
  controls: z.array(z.string().min(1)).min(1),
  pattern: eventPatternSchema,
  readOnly: z.boolean(),
  errors: z.enum(['exclude', 'require', 'include']),
  region: z.enum(['us-east-1', 'all']),
  regionNote: z.string().min(1),
  fingerprint: z.enum(['principal', 'session', 'principal-ip']),
  predicate: fn.optional(),
  resource: fn.optional(),
  summary: fn.optional(),
  runbookUrl: urlSchema,
  remediation: z
    .strictObject({
      document: z
        .string()
        .regex(/^(AWS|AWSConfigRemediation|AWSSupport)-[A-Za-z0-9]+$/, 'an AWS-owned runbook name'),
      parameters: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/), z.string()),
    })
    .optional(),
});

/** Cross-field rules a single-entry schema cannot see. */
function consistencyProblems(detection: Detection): string[] {
  const problems: string[] = [];
  const detail = detection.pattern.detail;
  const errorCode = detail && !Array.isArray(detail) ? (detail as EventPattern).errorCode : undefined;
  const excludesErrors = JSON.stringify(errorCode) === JSON.stringify(NO_ERROR);
  if (!Array.isArray(detection.pattern['detail-type'])) problems.push('pattern must constrain detail-type');
  const signInOnly =
    Array.isArray(detection.pattern.source) && JSON.stringify(detection.pattern.source) === '["aws.signin"]';
  if (detection.errors === 'exclude' && !excludesErrors && !signInOnly) {
    problems.push('errors "exclude" requires detail.errorCode [{"exists": false}] in the pattern');
  }
  if (detection.errors !== 'exclude' && excludesErrors) {
    problems.push(`errors "${detection.errors}" contradicts detail.errorCode [{"exists": false}]`);
  }
  if (detection.errors === 'require' && errorCode === undefined) {
    problems.push('errors "require" needs a detail.errorCode condition');
  }
  return problems;
}

/** Validates catalog entries (schema, unique ids, pattern/policy consistency); throws {@link CatalogError}. */
export function validateCatalog(entries: readonly Detection[]): readonly Detection[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const where = `catalog[${index}] (${entry.id})`;
    const parsed = detectionSchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`${where}.${issue.path.join('.')}: ${issue.message}`);
    }
    if (seen.has(entry.id)) problems.push(`${where}: duplicate id`);
    seen.add(entry.id);
    for (const problem of consistencyProblems(entry)) problems.push(`${where}: ${problem}`);
  });
  if (problems.length > 0) {
    throw new CatalogError(`invalid detection catalog:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return Object.freeze([...entries]);
}

/** The validated detection catalog (validated once, at module load). */
export const DETECTIONS: readonly Detection[] = validateCatalog(CATALOG_INPUT);

/** The ids of every detection, for config validation. */
export const DETECTION_IDS: ReadonlySet<string> = new Set(DETECTIONS.map((d) => d.id));

/** Looks a detection up by id. */
export function detectionById(id: string): Detection | undefined {
  return DETECTIONS.find((d) => d.id === id);
}
