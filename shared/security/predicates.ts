import { isRecord, parseJson } from '../json';
import type { CloudTrailEvent } from '../sources/cloudtrail/schema';
import { exposesToInternet } from './cidr';
import { callerUserName, itemsOf, param, pathValue, stringParam } from './cloudtrail-fields';

/**
 * Predicates for what EventBridge patterns cannot express (arrays of objects, two-field
 * comparisons, policy documents); the detection catalog refers to them by name.
 */

/** Ports whose exposure to the internet pages (remote administration and file sharing). */
export const ADMIN_PORTS: readonly number[] = [20, 21, 22, 23, 445, 3389, 5985, 5986];

/** One ingress rule of a security-group request, in the shape the predicates compare. */
export interface IngressPermission {
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

/** True when a permission opens an admin port (or every port) to the internet (see `exposesToInternet`). */
export function opensAdminPortToWorld(permission: IngressPermission): boolean {
  if (!permission.cidrs.some(exposesToInternet)) return false;
  const protocol = permission.protocol.toLowerCase();
  if (protocol === '-1' || protocol === 'all') return true;
  if (protocol !== 'tcp' && protocol !== '6' && protocol !== 'udp' && protocol !== '17') return false;
  const from = permission.fromPort ?? 0;
  const to = permission.toPort ?? 65535;
  return ADMIN_PORTS.some((port) => port >= from && port <= to);
}

/** The groups and accounts a snapshot or image sharing request adds. */
export function sharedTargets(event: CloudTrailEvent): { groups: string[]; accounts: string[] } {
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

/** True when an ACL request grants a canned public ACL or a grant to AllUsers/AuthenticatedUsers. */
export function aclIsPublic(event: CloudTrailEvent): boolean {
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

/** The bucket policy of a PutBucketPolicy request, parsed; undefined when unreadable. */
export function bucketPolicyOf(event: CloudTrailEvent): unknown {
  const policy = param(event.detail, 'bucketPolicy');
  if (typeof policy !== 'string') return policy;
  // CloudTrail truncates large request parameters; an unreadable policy cannot be judged public.
  const parsed = parseJson(policy);
  return parsed.ok ? parsed.value : undefined;
}

const BPA_FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'];

/** True when a Put*PublicAccessBlock request turns any of the four protections off. */
export function weakensPublicAccessBlock(event: CloudTrailEvent): boolean {
  if (event.detail.eventName.startsWith('Delete')) return true;
  const config = param(event.detail, 'PublicAccessBlockConfiguration') ?? event.detail.requestParameters;
  return BPA_FLAGS.some((flag) => {
    const value = pathValue(config, flag);
    return value === false || value === 'false';
  });
}

/** True when new event selectors stop a trail from recording management events. */
export function eventSelectorsDisableManagement(event: CloudTrailEvent): boolean {
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

/** True when the request names a user other than the caller. */
export function otherUserTargeted(event: CloudTrailEvent): boolean {
  const target = stringParam(event.detail, 'userName');
  return target !== undefined && target !== callerUserName(event.detail);
}

/** True when a GuardDuty request activates a trusted IP set or archives findings by filter. */
export function suppressesFindings(event: CloudTrailEvent): boolean {
  const d = event.detail;
  if (d.eventName === 'CreateIPSet' || d.eventName === 'UpdateIPSet') return param(d, 'activate') === true;
  return param(d, 'action') === 'ARCHIVE';
}

/** True when a Security Hub request sets a finding's workflow status to SUPPRESSED. */
export function workflowSuppressed(event: CloudTrailEvent): boolean {
  const status = param(event.detail, 'workflow.status') ?? param(event.detail, 'Workflow.Status');
  return status === 'SUPPRESSED';
}

/** The statements of an IAM-style policy document (one object or a list), parsed from JSON text when needed. */
export function policyStatements(document: unknown): Record<string, unknown>[] {
  let policy = document;
  if (typeof policy === 'string') {
    // CloudTrail truncates large request parameters; an unreadable document has no statements.
    const parsed = parseJson(policy);
    policy = parsed.ok ? parsed.value : undefined;
  }
  const statements = pathValue(policy, 'Statement');
  const list = Array.isArray(statements) ? statements : [statements];
  return list.filter(isRecord);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

const ACCOUNT_IN_PRINCIPAL = /^(?:arn:aws[a-z-]*:(?:iam|sts)::)?(\d{12})(?::|$)/;

/**
 * The AWS principals an Allow statement admits that lie outside `ownAccount`: other account ids
 * (bare or in ARNs), and `*` when no condition narrows it to an account, organization or source.
 */
export function foreignPrincipals(document: unknown, ownAccount: string): string[] {
  const found: string[] = [];
  for (const statement of policyStatements(document)) {
    if (statement.Effect !== 'Allow') continue;
    const principal = statement.Principal;
    const aws = principal === '*' ? ['*'] : isRecord(principal) ? asList(principal.AWS) : [];
    for (const entry of aws) {
      if (typeof entry !== 'string') continue;
      if (entry === '*') {
        // A condition can narrow `*` to an account: to an outside one, that is still foreign.
        if (!conditionRestricts(statement.Condition)) found.push('*');
        else found.push(...accountsIn(statement.Condition).filter((a) => a !== ownAccount));
        continue;
      }
      const account = ACCOUNT_IN_PRINCIPAL.exec(entry)?.[1];
      if (account !== undefined && account !== ownAccount) found.push(entry);
    }
  }
  return found;
}

/** The twelve-digit account ids anywhere in a condition block's values (bounded by the document's size). */
function accountsIn(condition: unknown): string[] {
  return [...new Set(JSON.stringify(condition ?? null).match(/(?<!\d)\d{12}(?!\d)/g) ?? [])];
}

/** True when a policy document allows every action on every resource (administrator access). */
export function grantsFullAdmin(document: unknown): boolean {
  return policyStatements(document).some(
    (s) => s.Effect === 'Allow' && asList(s.Action).includes('*') && asList(s.Resource).includes('*'),
  );
}

/** The account a record belongs to, for "another account" comparisons. */
export function ownAccountOf(event: CloudTrailEvent): string {
  return event.detail.recipientAccountId ?? event.detail.userIdentity.accountId ?? event.envelopeAccount;
}

/** The twelve-digit account ids inside ARNs (or bare ids) that differ from `ownAccount`. */
export function foreignAccountsIn(values: readonly unknown[], ownAccount: string): string[] {
  return values
    .map((value) => (typeof value === 'string' ? /(?:^|:)(\d{12})(?::|$)/.exec(value)?.[1] : undefined))
    .filter((account): account is string => account !== undefined && account !== ownAccount);
}
