import { API_CALL_DETAIL_TYPE, type CloudTrailEvent } from '../sources/cloudtrail/schema';
import { itemsOf, param, pathValue, stringParam } from './cloudtrail-fields';
import type { Severity } from '../alert/alert';
import type { Detection } from './detection';
import { apiCall, GLOBAL_NOTE, REGIONAL_NOTE, SH } from './detection-patterns';
import type { EventPattern } from './pattern';
import { bucketPolicyOf, foreignPrincipals, grantsFullAdmin, ownAccountOf } from './predicates';
import { isPublicIp, parseIp } from './cidr';

/**
 * Detections beyond CIS, organised by MITRE ATT&CK tactic (cloud matrix). The conditions follow
 * public research (ATT&CK technique pages, Sigma and Elastic CloudTrail rules, Stratus Red Team
 * attack techniques), written anew here. Every entry keeps the catalog's rules: a pattern filtered
 * to `aws.*`, an explicit failed-call policy, and defence-evasion attempts at `error` or above.
 */

const ATTACK = 'https://attack.mitre.org/techniques';
const BUCKET_NOTE = `${REGIONAL_NOTE} Bucket calls are recorded in the bucket's Region.`;
const HOME_REGION_NOTE = `${REGIONAL_NOTE} IAM Identity Center records in its home Region.`;

/** Calls CloudFormation makes on a deployer's behalf (stack updates and deletions) are not tampering. */
function notByCloudFormation({ detail }: CloudTrailEvent): boolean {
  return detail.userIdentity.invokedBy !== 'cloudformation.amazonaws.com';
}

/** A pattern over several services' CloudTrail events, each `aws.<service>` with its endpoint. */
function apiCalls(
  services: Readonly<Record<string, string>>,
  eventNames: readonly string[],
  errors: 'exclude' | 'include',
): EventPattern {
  return {
    source: Object.keys(services).map((service) => `aws.${service}`),
    'detail-type': [API_CALL_DETAIL_TYPE],
    detail: {
      eventSource: Object.values(services),
      eventName: [...eventNames],
      ...(errors === 'include' ? {} : { errorCode: [{ exists: false }] }),
    },
  };
}

/** The common fields of a catalog entry on a Regional service with principal fingerprints. */
function regional(
  severity: Severity,
): Pick<Detection, 'severity' | 'readOnly' | 'region' | 'regionNote' | 'fingerprint'> {
  return { severity, readOnly: false, region: 'all', regionNote: REGIONAL_NOTE, fingerprint: 'principal' };
}

/** The same for IAM (global: us-east-1 only). */
function global(
  severity: Severity,
): Pick<Detection, 'severity' | 'readOnly' | 'region' | 'regionNote' | 'fingerprint'> {
  return {
    severity,
    readOnly: false,
    region: 'us-east-1',
    regionNote: GLOBAL_NOTE,
    fingerprint: 'principal',
  };
}

/** A defence-evasion entry's failed-call policy: denied attempts alert at `error`. */
const ATTEMPTS_ALERT = { errors: 'include', failedSeverity: 'error' } as const;

/** Instances a single call must touch before it counts as "many" (SSM commands, terminations). */
export const MANY_INSTANCES = 10;

const GPU_INSTANCE_TYPE = /^(p\d|g\d|inf\d|trn\d|dl\d)[a-z0-9-]*\./;
const PRIVILEGED_GROUP = /admin|poweruser|root|superuser/i;
const CONSOLE_AGENT = /console|AWS Internal/i;

function countOf(value: unknown): number {
  const items = itemsOf(value);
  return items.length > 0 ? items.length : value === undefined || value === null ? 0 : 1;
}

/** The instance count a `SendCommand` targets, or Infinity when it targets by tag or resource group. */
export function commandTargetCount(event: CloudTrailEvent): number {
  const d = event.detail;
  let count = countOf(param(d, 'instanceIds'));
  for (const target of itemsOf(param(d, 'targets'))) {
    const key = pathValue(target, 'key') ?? pathValue(target, 'Key');
    const values = itemsOf(pathValue(target, 'values') ?? pathValue(target, 'Values'));
    if (key === 'InstanceIds' && !values.includes('*')) count += values.length;
    else return Number.POSITIVE_INFINITY;
  }
  return count;
}

function lifecycleRules(event: CloudTrailEvent): unknown[] {
  const rules = param(event.detail, 'LifecycleConfiguration.Rule');
  return Array.isArray(rules) ? rules : rules === undefined ? [] : [rules];
}

function days(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** True when an enabled lifecycle rule expires current or noncurrent objects within a day. */
export function lifecycleExpiresFast(event: CloudTrailEvent): boolean {
  return lifecycleRules(event).some((rule) => {
    if (pathValue(rule, 'Status') !== 'Enabled') return false;
    const current = days(pathValue(rule, 'Expiration.Days'));
    const noncurrent = days(pathValue(rule, 'NoncurrentVersionExpiration.NoncurrentDays'));
    return (current !== undefined && current <= 1) || (noncurrent !== undefined && noncurrent <= 1);
  });
}

/** True when new CloudTrail event selectors exclude some management event sources (KMS, RDS Data API). */
export function selectorsExcludeSources(event: CloudTrailEvent): boolean {
  const d = event.detail;
  if (d.eventName === 'PutEventSelectors') {
    return itemsOf(param(d, 'eventSelectors')).some(
      (s) => itemsOf(pathValue(s, 'excludeManagementEventSources')).length > 0,
    );
  }
  return itemsOf(param(d, 'advancedEventSelectors')).some((selector) =>
    itemsOf(pathValue(selector, 'fieldSelectors')).some(
      (f) => pathValue(f, 'field') === 'eventSource' && itemsOf(pathValue(f, 'notEquals')).length > 0,
    ),
  );
}

/** True when an `UpdateTrail` moves the logs or turns off validation, multi-Region or global events. */
export function trailWeakened({ detail }: CloudTrailEvent): boolean {
  return (
    param(detail, 'enableLogFileValidation') === false ||
    param(detail, 'isMultiRegionTrail') === false ||
    param(detail, 'includeGlobalServiceEvents') === false ||
    typeof param(detail, 's3BucketName') === 'string' ||
    param(detail, 'kmsKeyId') === ''
  );
}

/** True when an `UpdateDetector` turns off a GuardDuty protection plan or data source. */
export function guardDutyProtectionDisabled({ detail }: CloudTrailEvent): boolean {
  const features = itemsOf(param(detail, 'features'));
  const featureOff = features.some(
    (f) =>
      pathValue(f, 'status') === 'DISABLED' ||
      itemsOf(pathValue(f, 'additionalConfiguration')).some((c) => pathValue(c, 'status') === 'DISABLED'),
  );
  const sources = param(detail, 'dataSources');
  const sourceOff = [
    's3Logs.enable',
    'kubernetes.auditLogs.enable',
    'malwareProtection.scanEc2InstanceWithFindings.ebsVolumes',
  ].some((path) => pathValue(sources, path) === false);
  return featureOff || sourceOff;
}

/** True when a `ModifyInstanceMetadataOptions` (or the account default) allows IMDSv1. */
export function allowsImdsV1({ detail }: CloudTrailEvent): boolean {
  const tokens =
    param(detail, 'httpTokens') ??
    param(detail, 'ModifyInstanceMetadataOptionsRequest.HttpTokens') ??
    param(detail, 'ModifyInstanceMetadataDefaultsRequest.HttpTokens');
  return typeof tokens === 'string' && tokens.toLowerCase() === 'optional';
}

/** The replication destinations of a `PutBucketReplication` that name another account. */
export function foreignReplicationAccounts(event: CloudTrailEvent): string[] {
  const rules = param(event.detail, 'ReplicationConfiguration.Rule');
  const own = ownAccountOf(event);
  return (Array.isArray(rules) ? rules : [rules])
    .map((rule) => pathValue(rule, 'Destination.Account'))
    .filter((account): account is string => typeof account === 'string' && account !== own);
}

/** The instance ids of a `TerminateInstances` request. */
function terminatedInstances({ detail }: CloudTrailEvent): string[] {
  return itemsOf(param(detail, 'instancesSet'))
    .map((i) => pathValue(i, 'instanceId'))
    .filter((id): id is string => typeof id === 'string');
}

/**
 * The services whose List, Describe and Get calls count toward a discovery burst: those enumeration
 * tools (Pacu, ScoutSuite, enumerate-iam) sweep first. Secrets Manager, Parameter Store and KMS are
 * left out: applications read them all day, and every read would invoke the responder.
 */
export const DISCOVERY_SERVICES: readonly string[] = [
  'iam',
  'sts',
  'organizations',
  'ec2',
  's3',
  'lambda',
  'rds',
  'dynamodb',
  'ecr',
  'ecs',
  'eks',
  'cloudtrail',
  'guardduty',
  'sns',
  'sqs',
  'cloudformation',
];

/** An EC2 instance id, as instance-profile sessions are named (`assumed-role/<role>/i-…`). */
const INSTANCE_SESSION = /:assumed-role\/[^/]+\/i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

/**
 * True when instance-profile credentials (session named after the instance) made the call from a
 * public address that is no AWS service name: a call through a VPC endpoint (private address) or
 * by a service on the role's behalf is not "elsewhere". `security.egressCidrs` then decides.
 */
export function instanceCredentialsFromPublicIp({ detail }: CloudTrailEvent): boolean {
  if (detail.userIdentity.invokedBy !== undefined) return false;
  if (!INSTANCE_SESSION.test(detail.userIdentity.arn ?? '')) return false;
  const ip = parseIp(detail.sourceIPAddress ?? '');
  return ip !== undefined && isPublicIp(ip);
}

/** The detections led by ATT&CK tactics, unvalidated: `catalog.ts` validates them once at load. */
export const ATTACK_DETECTION_ENTRIES: readonly Detection[] = [
  // ----- credential access -----
  {
    id: 'ec2-password-data-retrieved',
    title: 'Windows administrator password data retrieved',
    ...regional('warning'),
    readOnly: true,
    controls: ['ATT&CK T1552'],
    pattern: apiCall('ec2', ['GetPasswordData'], { errors: 'include' }),
    // Stratus Red Team's variant sprays denied calls over many instances: attempts count too.
    errors: 'include',
    tactics: ['credential-access'],
    techniques: ['T1552'],
    runbookUrl: `${ATTACK}/T1552/`,
  },
  {
    id: 'secrets-batch-retrieved',
    title: 'Secrets retrieved in bulk (BatchGetSecretValue)',
    ...regional('warning'),
    readOnly: true,
    controls: ['SD #17'],
    pattern: apiCall('secretsmanager', ['BatchGetSecretValue'], { errors: 'include' }),
    errors: 'include',
    tactics: ['credential-access'],
    techniques: ['T1555.006'],
    resource: ({ detail }) => {
      const ids = itemsOf(param(detail, 'secretIdList')).filter((id) => typeof id === 'string');
      return ids.length > 0 ? ids.join(',') : 'filtered secrets';
    },
    runbookUrl: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets.html',
  },
  {
    id: 'ec2-imdsv1-allowed',
    title: 'Instance metadata service v1 allowed (session tokens optional)',
    ...regional('warning'),
    controls: ['Security Hub EC2.8'],
    pattern: apiCall('ec2', ['ModifyInstanceMetadataOptions', 'ModifyInstanceMetadataDefaults']),
    errors: 'exclude',
    tactics: ['credential-access'],
    techniques: ['T1552.005'],
    predicate: allowsImdsV1,
    resource: ({ detail }) =>
      stringParam(detail, 'ModifyInstanceMetadataOptionsRequest.InstanceId') ??
      stringParam(detail, 'instanceId') ??
      'account default',
    runbookUrl: `${SH}/ec2-controls.html#ec2-8`,
  },
  {
    id: 'instance-credentials-used-elsewhere',
    title: 'EC2 instance-role credentials used from outside the account’s egress ranges',
    ...regional('error'),
    controls: ['ATT&CK T1552.005'],
    pattern: {
      source: [{ prefix: 'aws.' }],
      'detail-type': [API_CALL_DETAIL_TYPE],
      detail: {
        // Present only on calls made with credentials the instance metadata service delivered.
        userIdentity: { type: ['AssumedRole'], sessionContext: { ec2RoleDelivery: [{ exists: true }] } },
        // Management calls only: an instance's own S3 and DynamoDB data traffic would be most of it.
        managementEvent: [true],
      },
    },
    // A denied call from elsewhere still proves the credentials left the instance.
    errors: 'include',
    tactics: ['credential-access', 'initial-access'],
    techniques: ['T1552.005', 'T1078.004'],
    predicate: instanceCredentialsFromPublicIp,
    needsEgressCidrs: true,
    summary: ({ detail }, f) =>
      `Credentials of instance ${detail.userIdentity.arn?.split('/').at(-1) ?? 'unknown'} (role ${detail.userIdentity.sessionContext?.sessionIssuer?.userName ?? 'unknown'}) called ${detail.eventSource} ${detail.eventName} from ${f.sourceIp}, outside security.egressCidrs, in ${f.account}/${f.region}`,
    runbookUrl:
      'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html#unauthorizedaccess-iam-instancecredentialexfiltrationoutsideaws',
  },
  // ----- persistence -----
  {
    id: 'iam-user-created',
    title: 'IAM user created',
    ...global('warning'),
    controls: ['ATT&CK T1136.003'],
    pattern: apiCall('iam', ['CreateUser']),
    errors: 'exclude',
    tactics: ['persistence'],
    techniques: ['T1136.003'],
    runbookUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_create.html',
  },
  {
    id: 'iam-role-trusts-foreign-account',
    title: 'Role trust policy admits another account or anyone',
    ...global('error'),
    controls: ['SD #16'],
    pattern: apiCall('iam', ['CreateRole', 'UpdateAssumeRolePolicy']),
    errors: 'exclude',
    tactics: ['persistence', 'privilege-escalation'],
    techniques: ['T1098.003'],
    predicate: (event) =>
      foreignPrincipals(
        param(event.detail, 'assumeRolePolicyDocument') ?? param(event.detail, 'policyDocument'),
        ownAccountOf(event),
      ).length > 0,
    summary: (event, f) =>
      `Role ${f.resource ?? ''} now trusts ${foreignPrincipals(
        param(event.detail, 'assumeRolePolicyDocument') ?? param(event.detail, 'policyDocument'),
        ownAccountOf(event),
      ).join(', ')} (set by ${f.principal} in ${f.account})`,
    runbookUrl:
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_aws-accounts.html',
  },
  {
    id: 'iam-root-login-profile-created',
    title: 'Console password created for the root user',
    ...global('critical'),
    controls: ['SD #11'],
    pattern: apiCall('iam', ['CreateLoginProfile', 'UpdateLoginProfile'], {
      detail: { userIdentity: { type: ['Root'] } },
    }),
    errors: 'exclude',
    tactics: ['persistence'],
    techniques: ['T1098.001'],
    // A root session (AssumeRoot) naming no user sets the root user's own password.
    predicate: ({ detail }) => stringParam(detail, 'userName') === undefined,
    resource: (event) => ownAccountOf(event),
    runbookUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html',
  },
  {
    id: 'iam-saml-provider-changed',
    title: 'SAML identity provider created or updated',
    ...global('error'),
    controls: ['ATT&CK T1484.002'],
    pattern: apiCall('iam', ['CreateSAMLProvider', 'UpdateSAMLProvider']),
    errors: 'exclude',
    tactics: ['persistence', 'privilege-escalation'],
    techniques: ['T1484.002', 'T1606.002'],
    resource: ({ detail }) => stringParam(detail, 'name') ?? stringParam(detail, 'sAMLProviderArn'),
    runbookUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_saml.html',
  },
  {
    id: 'iam-oidc-provider-changed',
    title: 'OpenID Connect identity provider created or changed',
    ...global('warning'),
    controls: ['ATT&CK T1484.002'],
    pattern: apiCall('iam', [
      'CreateOpenIDConnectProvider',
      'UpdateOpenIDConnectProviderThumbprint',
      'AddClientIDToOpenIDConnectProvider',
    ]),
    errors: 'exclude',
    tactics: ['persistence', 'privilege-escalation'],
    techniques: ['T1484.002'],
    resource: ({ detail }) => stringParam(detail, 'url') ?? stringParam(detail, 'openIDConnectProviderArn'),
    runbookUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html',
  },
  {
    id: 'iam-user-added-to-privileged-group',
    title: 'User added to an administrator group',
    ...global('error'),
    controls: ['ATT&CK T1098.003'],
    pattern: apiCall('iam', ['AddUserToGroup']),
    errors: 'exclude',
    tactics: ['persistence', 'privilege-escalation'],
    techniques: ['T1098.003'],
    // The group's policies are not in the event: its name is the only signal without an IAM read.
    predicate: ({ detail }) => PRIVILEGED_GROUP.test(stringParam(detail, 'groupName') ?? ''),
    summary: ({ detail }, f) =>
      `${stringParam(detail, 'userName') ?? 'a user'} added to group ${stringParam(detail, 'groupName') ?? ''} by ${f.principal} in ${f.account}`,
    runbookUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_add-remove-users.html',
  },
  {
    id: 'iam-mfa-device-registered-by-session',
    title: 'MFA device registered with temporary credentials outside the console',
    ...global('warning'),
    controls: ['SD #12'],
    pattern: apiCall('iam', ['CreateVirtualMFADevice', 'EnableMFADevice']),
    errors: 'exclude',
    tactics: ['persistence'],
    techniques: ['T1556.006'],
    // A stolen session registering its own MFA device survives a password reset.
    predicate: ({ detail }) =>
      (detail.userIdentity.accessKeyId ?? '').startsWith('ASIA') &&
      !CONSOLE_AGENT.test(detail.userAgent ?? '') &&
      detail.sourceIPAddress !== 'AWS Internal',
    resource: ({ detail }) => stringParam(detail, 'userName') ?? stringParam(detail, 'virtualMFADeviceName'),
    runbookUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html',
  },
  {
    id: 'identity-center-permissions-changed',
    title: 'IAM Identity Center permission set or account assignment changed',
    ...regional('warning'),
    regionNote: HOME_REGION_NOTE,
    controls: ['ATT&CK T1098.003'],
    pattern: apiCall('sso', [
      'CreatePermissionSet',
      'UpdatePermissionSet',
      'AttachManagedPolicyToPermissionSet',
      'AttachCustomerManagedPolicyReferenceToPermissionSet',
      'PutInlinePolicyToPermissionSet',
      'CreateAccountAssignment',
    ]),
    errors: 'exclude',
    tactics: ['persistence', 'privilege-escalation'],
    techniques: ['T1098.003'],
    resource: ({ detail }) =>
      stringParam(detail, 'permissionSetArn') ??
      stringParam(detail, 'name') ??
      stringParam(detail, 'targetId'),
    runbookUrl: 'https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html',
  },
  {
    id: 'ec2-instance-connect-key-pushed',
    title: 'SSH public key pushed to an instance (EC2 Instance Connect)',
    ...regional('info'),
    controls: ['ATT&CK T1098.004'],
    pattern: apiCall('ec2-instance-connect', ['SendSSHPublicKey']),
    errors: 'exclude',
    tactics: ['lateral-movement', 'persistence'],
    techniques: ['T1098.004', 'T1021.004'],
    resource: ({ detail }) => stringParam(detail, 'instanceId'),
    runbookUrl: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/connect-linux-inst-eic.html',
  },
  // ----- privilege escalation -----
  {
    id: 'iam-admin-inline-policy',
    title: 'Policy granting every action on every resource written',
    ...global('error'),
    controls: ['Security Hub IAM.1', 'CIS CloudWatch.4'],
    pattern: apiCall('iam', [
      'PutUserPolicy',
      'PutRolePolicy',
      'PutGroupPolicy',
      'CreatePolicy',
      'CreatePolicyVersion',
    ]),
    errors: 'exclude',
    tactics: ['privilege-escalation'],
    techniques: ['T1098.003'],
    predicate: ({ detail }) => grantsFullAdmin(param(detail, 'policyDocument')),
    resource: ({ detail }) =>
      stringParam(detail, 'userName') ??
      stringParam(detail, 'roleName') ??
      stringParam(detail, 'groupName') ??
      stringParam(detail, 'policyName') ??
      stringParam(detail, 'policyArn'),
    runbookUrl: `${SH}/iam-controls.html#iam-1`,
  },
  {
    id: 'iam-policy-default-version-changed',
    title: 'Managed policy default version switched',
    ...global('warning'),
    controls: ['CIS CloudWatch.4'],
    pattern: apiCall('iam', ['SetDefaultPolicyVersion']),
    errors: 'exclude',
    tactics: ['privilege-escalation'],
    techniques: ['T1098.003'],
    runbookUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html',
  },
  // ----- defence evasion -----
  {
    id: 'cloudtrail-sources-excluded',
    title: 'CloudTrail stops recording some management event sources',
    ...regional('error'),
    controls: ['SD #2', 'CIS CloudWatch.5'],
    pattern: apiCall('cloudtrail', ['PutEventSelectors', 'PutAdvancedEventSelectors'], { errors: 'include' }),
    ...ATTEMPTS_ALERT,
    tactics: ['defense-evasion'],
    techniques: ['T1562.008'],
    predicate: selectorsExcludeSources,
    resource: ({ detail }) => stringParam(detail, 'trailName'),
    runbookUrl:
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html',
  },
  {
    id: 'cloudtrail-trail-weakened',
    title: 'Trail redirected or weakened (bucket, key, validation, Regions)',
    ...regional('error'),
    controls: ['CIS CloudWatch.5', 'Security Hub CloudTrail.4'],
    pattern: apiCall('cloudtrail', ['UpdateTrail'], { errors: 'include' }),
    ...ATTEMPTS_ALERT,
    tactics: ['defense-evasion'],
    techniques: ['T1562.008'],
    predicate: trailWeakened,
    resource: ({ detail }) => stringParam(detail, 'name'),
    runbookUrl: `${SH}/cloudtrail-controls.html#cloudtrail-4`,
  },
  {
    id: 'guardduty-monitoring-reduced',
    title: 'GuardDuty members disassociated or findings export removed',
    ...regional('error'),
    controls: ['Security Hub GuardDuty.1'],
    pattern: apiCall(
      'guardduty',
      [
        'DisassociateFromMasterAccount',
        'DisassociateFromAdministratorAccount',
        'DisassociateMembers',
        'DeleteMembers',
        'StopMonitoringMembers',
        'DeletePublishingDestination',
      ],
      { errors: 'include' },
    ),
    ...ATTEMPTS_ALERT,
    tactics: ['defense-evasion'],
    techniques: ['T1562.001'],
    runbookUrl: 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_accounts.html',
  },
  {
    id: 'guardduty-protection-disabled',
    title: 'GuardDuty protection plan or data source turned off',
    ...regional('error'),
    controls: ['Security Hub GuardDuty.1'],
    pattern: apiCall('guardduty', ['UpdateDetector'], { errors: 'include' }),
    ...ATTEMPTS_ALERT,
    tactics: ['defense-evasion'],
    techniques: ['T1562.001'],
    predicate: guardDutyProtectionDisabled,
    runbookUrl: 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-features-activation-model.html',
  },
  {
    id: 'securityhub-disabled',
    title: 'Security Hub, a standard or a finding integration disabled',
    ...regional('critical'),
    controls: ['SD #29'],
    pattern: apiCall(
      'securityhub',
      [
        'DisableSecurityHub',
        'BatchDisableStandards',
        'DisableImportFindingsForProduct',
        'DisassociateFromAdministratorAccount',
        'DisassociateFromMasterAccount',
      ],
      { errors: 'include' },
    ),
    ...ATTEMPTS_ALERT,
    tactics: ['defense-evasion'],
    techniques: ['T1562.001'],
    runbookUrl: 'https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-disable.html',
  },
  {
    id: 'security-service-disabled',
    title: 'Inspector, Macie, Detective or IAM Access Analyzer turned off',
    ...regional('error'),
    controls: ['ATT&CK T1562.001'],
    pattern: apiCalls(
      {
        inspector2: 'inspector2.amazonaws.com',
        macie2: 'macie2.amazonaws.com',
        detective: 'detective.amazonaws.com',
        'access-analyzer': 'access-analyzer.amazonaws.com',
      },
      ['Disable', 'DisableMacie', 'DeleteGraph', 'DisassociateMembership', 'DeleteAnalyzer'],
      'include',
    ),
    ...ATTEMPTS_ALERT,
    tactics: ['defense-evasion'],
    techniques: ['T1562.001'],
    resource: ({ detail }) => stringParam(detail, 'analyzerName') ?? stringParam(detail, 'graphArn'),
    runbookUrl: `${ATTACK}/T1562/001/`,
  },
  {
    id: 'dns-query-logging-removed',
    title: 'DNS query logging deleted or detached',
    ...regional('error'),
    controls: ['ATT&CK T1562.008'],
    pattern: apiCalls(
      { route53resolver: 'route53resolver.amazonaws.com', route53: 'route53.amazonaws.com' },
      ['DeleteResolverQueryLogConfig', 'DisassociateResolverQueryLogConfig', 'DeleteQueryLoggingConfig'],
      'include',
    ),
    ...ATTEMPTS_ALERT,
    regionNote: `${REGIONAL_NOTE} Public hosted zone query logging (route53) records in us-east-1.`,
    tactics: ['defense-evasion'],
    techniques: ['T1562.008'],
    resource: ({ detail }) => stringParam(detail, 'resolverQueryLogConfigId') ?? stringParam(detail, 'id'),
    runbookUrl: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs.html',
  },
  {
    id: 'cloudwatch-alarms-silenced',
    title: 'CloudWatch alarms deleted or their actions disabled',
    ...regional('warning'),
    controls: ['SD #28'],
    pattern: apiCall('cloudwatch', ['DeleteAlarms', 'DisableAlarmActions'], {
      errors: 'include',
      eventSource: 'monitoring.amazonaws.com',
    }),
    ...ATTEMPTS_ALERT,
    tactics: ['defense-evasion'],
    techniques: ['T1562.001'],
    predicate: notByCloudFormation,
    resource: ({ detail }) => {
      const names = itemsOf(param(detail, 'alarmNames')).filter((n) => typeof n === 'string');
      return names.length > 0 ? names.join(',') : undefined;
    },
    runbookUrl: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html',
  },
  {
    id: 'eventbridge-rule-disabled',
    title: 'EventBridge rule disabled, deleted or stripped of targets',
    ...regional('warning'),
    controls: ['SD #28'],
    pattern: apiCall('events', ['DisableRule', 'DeleteRule', 'RemoveTargets'], { errors: 'include' }),
    ...ATTEMPTS_ALERT,
    tactics: ['defense-evasion'],
    techniques: ['T1562.001'],
    predicate: notByCloudFormation,
    resource: ({ detail }) => stringParam(detail, 'name') ?? stringParam(detail, 'rule'),
    runbookUrl: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rules.html',
  },
  {
    id: 'log-group-deleted',
    title: 'CloudWatch log group, stream or subscription deleted',
    ...regional('warning'),
    controls: ['ATT&CK T1070'],
    pattern: apiCall('logs', ['DeleteLogGroup', 'DeleteLogStream', 'DeleteSubscriptionFilter'], {
      errors: 'include',
    }),
    ...ATTEMPTS_ALERT,
    tactics: ['defense-evasion'],
    techniques: ['T1070', 'T1562.008'],
    predicate: notByCloudFormation,
    resource: ({ detail }) => stringParam(detail, 'logGroupName'),
    runbookUrl:
      'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html',
  },
  {
    id: 's3-access-logging-disabled',
    title: 'S3 server access logging turned off',
    ...regional('warning'),
    regionNote: BUCKET_NOTE,
    controls: ['Security Hub S3.9'],
    pattern: apiCall('s3', ['PutBucketLogging'], { errors: 'include' }),
    ...ATTEMPTS_ALERT,
    tactics: ['defense-evasion'],
    techniques: ['T1562.008'],
    predicate: ({ detail }) =>
      param(detail, 'BucketLoggingStatus') !== undefined &&
      param(detail, 'BucketLoggingStatus.LoggingEnabled') === undefined,
    runbookUrl: `${SH}/s3-controls.html#s3-9`,
  },
  {
    id: 'config-rules-deleted',
    title: 'AWS Config rules, conformance packs or aggregators deleted',
    ...regional('warning'),
    controls: ['CIS CloudWatch.9'],
    pattern: apiCall(
      'config',
      [
        'DeleteConfigRule',
        'DeleteOrganizationConfigRule',
        'DeleteConformancePack',
        'DeleteOrganizationConformancePack',
        'DeleteConfigurationAggregator',
        'DeleteRemediationConfiguration',
      ],
      { errors: 'include' },
    ),
    ...ATTEMPTS_ALERT,
    tactics: ['defense-evasion'],
    techniques: ['T1562.001'],
    predicate: notByCloudFormation,
    resource: ({ detail }) =>
      stringParam(detail, 'configRuleName') ??
      stringParam(detail, 'conformancePackName') ??
      stringParam(detail, 'configurationAggregatorName'),
    runbookUrl: 'https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config.html',
  },
  // ----- discovery -----
  {
    id: 'iam-authorization-details-enumerated',
    title: 'Every IAM user, role and policy enumerated (GetAccountAuthorizationDetails)',
    ...global('warning'),
    readOnly: true,
    controls: ['ATT&CK T1087.004'],
    pattern: apiCall('iam', ['GetAccountAuthorizationDetails'], { errors: 'include' }),
    // Pacu, ScoutSuite and enumerate-iam start here; a denied attempt is as telling as a success.
    errors: 'include',
    tactics: ['discovery'],
    techniques: ['T1087.004', 'T1069.003'],
    runbookUrl: `${ATTACK}/T1087/004/`,
  },
  {
    id: 'iam-credential-report-read',
    title: 'IAM credential report generated or read',
    ...global('info'),
    readOnly: true,
    controls: ['ATT&CK T1087.004'],
    pattern: apiCall('iam', ['GenerateCredentialReport', 'GetCredentialReport'], { errors: 'include' }),
    errors: 'include',
    tactics: ['discovery'],
    techniques: ['T1087.004'],
    runbookUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html',
  },
  {
    id: 'discovery-burst',
    title: 'Discovery burst: many distinct List, Describe and Get calls by one principal',
    ...regional('warning'),
    readOnly: true,
    controls: ['ATT&CK T1580'],
    pattern: {
      source: DISCOVERY_SERVICES.map((service) => `aws.${service}`),
      'detail-type': [API_CALL_DETAIL_TYPE],
      detail: {
        eventName: [{ prefix: 'List' }, { prefix: 'Describe' }, { prefix: 'Get' }],
        // Management events only (never S3 GetObject or DynamoDB GetItem data events), and only
        // calls a principal made itself, not those a service made on its behalf.
        managementEvent: [true],
        userIdentity: { invokedBy: [{ exists: false }] },
      },
    },
    // Enumeration tools meet AccessDenied all the time: a denied discovery call counts as much.
    errors: 'include',
    tactics: ['discovery'],
    techniques: ['T1580', 'T1526', 'T1087.004', 'T1069.003'],
    threshold: { counts: 'distinct-calls', count: 100, windowSeconds: 300 },
    runbookUrl: `${ATTACK}/T1580/`,
  },
  // ----- impact -----
  {
    id: 's3-mass-object-deletion',
    title: 'Many S3 objects deleted by one principal (DeleteObject, DeleteObjects)',
    ...regional('error'),
    regionNote: `${BUCKET_NOTE} Object deletions are data events: a trail must log S3 write data events.`,
    controls: ['ATT&CK T1485'],
    pattern: apiCall('s3', ['DeleteObject', 'DeleteObjects'], {
      detail: { userIdentity: { invokedBy: [{ exists: false }] } },
    }),
    // A denied deletion deleted nothing. CloudTrail names no keys for DeleteObjects (up to 1,000
    // objects): each call counts once, so the count is of calls, a floor on the objects.
    errors: 'exclude',
    tactics: ['impact'],
    techniques: ['T1485', 'T1490'],
    threshold: { counts: 'calls', count: 100, windowSeconds: 300 },
    resource: ({ detail }) => stringParam(detail, 'bucketName'),
    runbookUrl: `${ATTACK}/T1485/`,
  },
  {
    id: 's3-object-lock-removed',
    title: 'S3 Object Lock default retention removed',
    ...regional('error'),
    regionNote: BUCKET_NOTE,
    controls: ['ATT&CK T1490'],
    pattern: apiCall('s3', ['PutBucketObjectLockConfiguration', 'PutObjectLockConfiguration']),
    errors: 'exclude',
    tactics: ['impact'],
    techniques: ['T1490', 'T1485'],
    predicate: ({ detail }) => param(detail, 'ObjectLockConfiguration.Rule') === undefined,
    runbookUrl: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html',
  },
  {
    id: 's3-lifecycle-expires-objects',
    title: 'S3 lifecycle rule expires objects within a day',
    ...regional('error'),
    regionNote: BUCKET_NOTE,
    controls: ['CIS CloudWatch.8'],
    pattern: apiCall('s3', ['PutBucketLifecycle', 'PutBucketLifecycleConfiguration']),
    errors: 'exclude',
    tactics: ['impact'],
    techniques: ['T1485'],
    predicate: lifecycleExpiresFast,
    runbookUrl: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html',
  },
  {
    id: 'ec2-instances-mass-terminated',
    title: `Many instances terminated in one call (${MANY_INSTANCES} or more)`,
    ...regional('error'),
    controls: ['ATT&CK T1485'],
    pattern: apiCall('ec2', ['TerminateInstances']),
    errors: 'exclude',
    tactics: ['impact'],
    techniques: ['T1485', 'T1489'],
    // Auto Scaling and other services terminate on the owner's behalf (invokedBy set).
    predicate: (event) =>
      event.detail.userIdentity.invokedBy === undefined &&
      terminatedInstances(event).length >= MANY_INSTANCES,
    resource: (event) => `${terminatedInstances(event).length} instances`,
    runbookUrl: `${ATTACK}/T1485/`,
  },
  {
    id: 'rds-deleted-without-backup',
    title: 'Database deleted without a final snapshot or with its backups',
    ...regional('error'),
    controls: ['ATT&CK T1485'],
    pattern: apiCall('rds', ['DeleteDBInstance', 'DeleteDBCluster']),
    errors: 'exclude',
    tactics: ['impact'],
    techniques: ['T1485', 'T1490'],
    predicate: ({ detail }) =>
      param(detail, 'skipFinalSnapshot') === true || param(detail, 'deleteAutomatedBackups') === true,
    runbookUrl: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html',
  },
  {
    id: 'backup-recovery-points-deleted',
    title: 'AWS Backup recovery points, vault, plan or vault lock deleted',
    ...regional('error'),
    controls: ['ATT&CK T1490'],
    pattern: apiCall('backup', [
      'DeleteRecoveryPoint',
      'DeleteBackupVault',
      'DeleteBackupPlan',
      'DeleteBackupVaultLockConfiguration',
    ]),
    errors: 'exclude',
    tactics: ['impact'],
    techniques: ['T1490'],
    resource: ({ detail }) =>
      stringParam(detail, 'recoveryPointArn') ??
      stringParam(detail, 'backupVaultName') ??
      stringParam(detail, 'backupPlanId'),
    runbookUrl: 'https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html',
  },
  {
    id: 'ec2-gpu-instances-launched',
    title: 'GPU or accelerator instances launched',
    ...regional('warning'),
    controls: ['ATT&CK T1496'],
    pattern: apiCall('ec2', ['RunInstances']),
    errors: 'exclude',
    tactics: ['impact'],
    techniques: ['T1496'],
    predicate: ({ detail }) => GPU_INSTANCE_TYPE.test(stringParam(detail, 'instanceType') ?? ''),
    summary: ({ detail }, f) =>
      `${String(param(detail, 'instancesSet.items.0.maxCount') ?? countOf(pathValue(detail.responseElements, 'instancesSet')))} ${stringParam(detail, 'instanceType') ?? ''} instance(s) launched by ${f.principal} in ${f.account}/${f.region}`,
    runbookUrl: `${ATTACK}/T1496/`,
  },
  {
    id: 'account-contacts-changed',
    title: 'Account contact or alternate contact changed',
    ...global('warning'),
    regionNote: 'Account Management calls are recorded in us-east-1.',
    controls: ['Security Hub Account.1'],
    pattern: apiCall('account', ['PutAlternateContact', 'DeleteAlternateContact', 'PutContactInformation']),
    errors: 'exclude',
    tactics: ['impact', 'persistence'],
    techniques: ['T1531'],
    resource: ({ detail }) => stringParam(detail, 'alternateContactType') ?? 'primary contact',
    runbookUrl: 'https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact.html',
  },
  // ----- exfiltration -----
  {
    id: 's3-replication-to-foreign-account',
    title: 'S3 replication to another account',
    ...regional('error'),
    regionNote: BUCKET_NOTE,
    controls: ['CIS CloudWatch.8'],
    pattern: apiCall('s3', ['PutBucketReplication']),
    errors: 'exclude',
    tactics: ['exfiltration'],
    techniques: ['T1537'],
    predicate: (event) => foreignReplicationAccounts(event).length > 0,
    summary: (event, f) =>
      `Bucket ${f.resource ?? ''} replicates to account ${foreignReplicationAccounts(event).join(', ')} (set by ${f.principal} in ${f.account}/${f.region})`,
    runbookUrl: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-walkthrough-2.html',
  },
  {
    id: 's3-bucket-policy-foreign-account',
    title: 'S3 bucket policy grants another account',
    ...regional('error'),
    regionNote: BUCKET_NOTE,
    controls: ['CIS CloudWatch.8'],
    pattern: apiCall('s3', ['PutBucketPolicy']),
    errors: 'exclude',
    tactics: ['exfiltration'],
    techniques: ['T1537'],
    // `*` is s3-bucket-made-public's; this one names accounts.
    predicate: (event) =>
      foreignPrincipals(bucketPolicyOf(event), ownAccountOf(event)).some((p) => p !== '*'),
    summary: (event, f) =>
      `Bucket ${f.resource ?? ''} opened to ${foreignPrincipals(bucketPolicyOf(event), ownAccountOf(event))
        .filter((p) => p !== '*')
        .join(', ')} by ${f.principal} in ${f.account}/${f.region}`,
    runbookUrl:
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example2.html',
  },
  {
    id: 'snapshot-or-image-exported',
    title: 'Snapshot or image exported to S3',
    ...regional('warning'),
    controls: ['ATT&CK T1537'],
    pattern: apiCalls(
      { ec2: 'ec2.amazonaws.com', rds: 'rds.amazonaws.com' },
      ['CreateStoreImageTask', 'ExportImage', 'CreateInstanceExportTask', 'StartExportTask'],
      'exclude',
    ),
    errors: 'exclude',
    tactics: ['exfiltration'],
    techniques: ['T1537'],
    resource: ({ detail }) =>
      stringParam(detail, 'sourceArn') ?? stringParam(detail, 'imageId') ?? stringParam(detail, 'instanceId'),
    runbookUrl: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ExportSnapshot.html',
  },
  {
    id: 'vpc-traffic-mirroring-created',
    title: 'VPC traffic mirroring session or target created',
    ...regional('error'),
    controls: ['ATT&CK T1020.001'],
    pattern: apiCall('ec2', ['CreateTrafficMirrorSession', 'CreateTrafficMirrorTarget']),
    errors: 'exclude',
    tactics: ['exfiltration', 'collection'],
    techniques: ['T1020.001', 'T1040'],
    resource: ({ detail }) =>
      stringParam(detail, 'CreateTrafficMirrorSessionRequest.NetworkInterfaceId') ??
      stringParam(detail, 'networkInterfaceId'),
    runbookUrl: 'https://docs.aws.amazon.com/vpc/latest/mirroring/what-is-traffic-mirroring.html',
  },
  {
    id: 'ram-share-external',
    title: 'Resource share open to principals outside the organization',
    ...regional('warning'),
    controls: ['ATT&CK T1537'],
    pattern: apiCall('ram', ['CreateResourceShare', 'UpdateResourceShare']),
    errors: 'exclude',
    tactics: ['exfiltration'],
    techniques: ['T1537'],
    // CreateResourceShare allows external principals unless told otherwise.
    predicate: ({ detail }) =>
      detail.eventName === 'CreateResourceShare'
        ? param(detail, 'allowExternalPrincipals') !== false
        : param(detail, 'allowExternalPrincipals') === true,
    resource: ({ detail }) => stringParam(detail, 'name') ?? stringParam(detail, 'resourceShareArn'),
    runbookUrl: 'https://docs.aws.amazon.com/ram/latest/userguide/working-with-sharing-create.html',
  },
  // ----- execution -----
  {
    id: 'ssm-command-on-many-instances',
    title: `SSM command sent to many instances (${MANY_INSTANCES} or more, or by tag)`,
    ...regional('error'),
    controls: ['SD #30'],
    pattern: apiCall('ssm', ['SendCommand']),
    errors: 'exclude',
    tactics: ['execution'],
    techniques: ['T1651'],
    predicate: (event) => commandTargetCount(event) >= MANY_INSTANCES,
    resource: ({ detail }) => stringParam(detail, 'documentName'),
    summary: (event, f) => {
      const count = commandTargetCount(event);
      return `${f.resource ?? 'SSM command'} sent to ${Number.isFinite(count) ? `${count} instances` : 'instances by tag or resource group'} by ${f.principal} in ${f.account}/${f.region}`;
    },
    runbookUrl: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/send-commands-multiple.html',
  },
  {
    id: 'ssm-session-started',
    title: 'Session Manager shell opened on an instance',
    ...regional('info'),
    controls: ['SD #30'],
    pattern: apiCall('ssm', ['StartSession']),
    errors: 'exclude',
    tactics: ['execution', 'lateral-movement'],
    techniques: ['T1651', 'T1021.007'],
    resource: ({ detail }) => stringParam(detail, 'target'),
    runbookUrl: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html',
  },
  {
    id: 'ecs-execute-command',
    title: 'Interactive command run in an ECS container (ECS Exec)',
    ...regional('info'),
    controls: ['ATT&CK T1609'],
    pattern: apiCall('ecs', ['ExecuteCommand']),
    errors: 'exclude',
    tactics: ['execution'],
    techniques: ['T1609', 'T1651'],
    resource: ({ detail }) => stringParam(detail, 'task') ?? stringParam(detail, 'container'),
    runbookUrl: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html',
  },
];
