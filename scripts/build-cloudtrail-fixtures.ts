/**
 * Writes the CloudTrail fixtures under events/cloudtrail/ from compact specs: a positive and a
 * negative event for every detection, plus the traps (root `invokedBy`, read-only calls, AccessDenied,
 * MFAUsed casing, /32 vs 0.0.0.0/0, federated sign-in, masked user names).
 *
 *   npx tsx scripts/build-cloudtrail-fixtures.ts
 *
 * Every event is a full EventBridge envelope around a CloudTrail record with the fields real
 * records carry (event-formats.md §4), redacted: documentation account ids and IP ranges, made-up
 * resource ids, deterministic event ids. The JSON files are the test data; this script only keeps
 * them consistent. Re-running it rewrites them byte for byte.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const OUT = fileURLToPath(new URL('../events/cloudtrail/', import.meta.url));
const ACCOUNT = '123456789012';
const MEMBER = '111122223333';
const OUTSIDE = '444455556666';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Identity = { [key: string]: Json };

function uuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const identities = {
  alice: (account = ACCOUNT): Identity => ({
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLEALICE00001',
    arn: `arn:aws:iam::${account}:user/alice`,
    accountId: account,
    accessKeyId: 'AKIAEXAMPLEALICE0001',
    userName: 'alice',
  }),
  admin: (account = ACCOUNT, role = 'platform-admin', session = 'alice@example.com'): Identity => ({
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEPLATFORM01:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    accessKeyId: 'ASIAEXAMPLESESSION001',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEPLATFORM01',
        arn: `arn:aws:iam::${account}:role/${role}`,
        accountId: account,
        userName: role,
      },
      attributes: { creationDate: '2026-03-14T09:02:11Z', mfaAuthenticated: 'true' },
    },
  }),
  ci: (account = ACCOUNT): Identity => ({
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLECIDEPLOY01:gha-run-8812',
    arn: `arn:aws:sts::${account}:assumed-role/ci-deployer/gha-run-8812`,
    accountId: account,
    accessKeyId: 'ASIAEXAMPLECISESS001',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLECIDEPLOY01',
        arn: `arn:aws:iam::${account}:role/ci-deployer`,
        accountId: account,
        userName: 'ci-deployer',
      },
      webIdFederationData: {
        federatedProvider: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`,
        attributes: {},
      },
      attributes: { creationDate: '2026-03-14T09:38:50Z', mfaAuthenticated: 'false' },
    },
  }),
  rootSession: (): Identity => ({
    type: 'Root',
    principalId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:root`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAEXAMPLEROOTSESS1',
    sessionContext: { attributes: { creationDate: '2026-03-14T09:12:03Z', mfaAuthenticated: 'true' } },
  }),
  rootSignIn: (): Identity => ({
    type: 'Root',
    principalId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:root`,
    accountId: ACCOUNT,
    accessKeyId: '',
  }),
  service: (invokedBy: string): Identity => ({ type: 'AWSService', invokedBy }),
};

const CLI =
  'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8 md/installer#exe';
const CONSOLE_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36';
const TERRAFORM =
  'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0';

interface ApiSpec {
  service: string;
  eventName: string;
  identity?: Identity;
  request?: Json;
  response?: Json;
  region?: string;
  account?: string;
  readOnly?: boolean;
  errorCode?: string;
  errorMessage?: string;
  sourceIp?: string;
  userAgent?: string;
  resources?: Json[];
  additional?: Json;
  time?: string;
  eventSource?: string;
}

function apiEvent(name: string, spec: ApiSpec): Json {
  const region = spec.region ?? 'us-east-1';
  const account = spec.account ?? ACCOUNT;
  const time = spec.time ?? '2026-03-14T09:41:05Z';
  const eventSource = spec.eventSource ?? `${spec.service}.amazonaws.com`;
  const detail: { [key: string]: Json } = {
    eventVersion: '1.09',
    userIdentity: spec.identity ?? identities.admin(account),
    eventTime: time,
    eventSource,
    eventName: spec.eventName,
    awsRegion: region,
    sourceIPAddress: spec.sourceIp ?? '203.0.113.25',
    userAgent: spec.userAgent ?? CLI,
  };
  if (spec.errorCode) detail.errorCode = spec.errorCode;
  if (spec.errorMessage) detail.errorMessage = spec.errorMessage;
  detail.requestParameters = spec.request ?? null;
  detail.responseElements = spec.errorCode ? null : (spec.response ?? null);
  if (spec.additional !== undefined) detail.additionalEventData = spec.additional;
  detail.requestID = uuid(`${name}/request`);
  detail.eventID = uuid(`${name}/event`);
  detail.readOnly = spec.readOnly ?? false;
  if (spec.resources) detail.resources = spec.resources;
  detail.eventType = 'AwsApiCall';
  detail.managementEvent = true;
  detail.recipientAccountId = account;
  detail.eventCategory = 'Management';
  detail.tlsDetails = {
    tlsVersion: 'TLSv1.3',
    cipherSuite: 'TLS_AES_128_GCM_SHA256',
    clientProvidedHostHeader: `${spec.service === 'iam' || spec.service === 'organizations' ? spec.service : `${spec.service}.${region}`}.amazonaws.com`,
  };
  return {
    version: '0',
    id: uuid(`${name}/envelope`),
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${spec.service}`,
    account,
    time,
    region,
    resources: [],
    detail,
  };
}

interface SignInSpec {
  eventName?: string;
  identity: Identity;
  outcome: 'Success' | 'Failure';
  mfa?: string;
  errorMessage?: string;
  region?: string;
  sourceIp?: string;
  time?: string;
  responseKey?: string;
}

function signInEvent(name: string, spec: SignInSpec): Json {
  const region = spec.region ?? 'us-east-1';
  const time = spec.time ?? '2026-03-14T09:12:03Z';
  const eventName = spec.eventName ?? 'ConsoleLogin';
  const detail: { [key: string]: Json } = {
    eventVersion: '1.09',
    userIdentity: spec.identity,
    eventTime: time,
    eventSource: 'signin.amazonaws.com',
    eventName,
    awsRegion: region,
    sourceIPAddress: spec.sourceIp ?? '203.0.113.10',
    userAgent: CONSOLE_UA,
  };
  if (spec.errorMessage) detail.errorMessage = spec.errorMessage;
  detail.requestParameters = null;
  detail.responseElements = { [spec.responseKey ?? 'ConsoleLogin']: spec.outcome };
  if (eventName === 'ConsoleLogin') {
    const additional: { [key: string]: Json } = {
      LoginTo: `https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_${region}_c1e3a2f4b5d6e7f8`,
      MobileVersion: 'No',
    };
    if (spec.mfa !== undefined) additional.MFAUsed = spec.mfa;
    if (spec.mfa?.toLowerCase() === 'yes')
      additional.MFAIdentifier = `arn:aws:iam::${ACCOUNT}:mfa/root-hardware-key`;
    detail.additionalEventData = additional;
  }
  detail.eventID = uuid(`${name}/event`);
  detail.readOnly = false;
  detail.eventType = 'AwsConsoleSignIn';
  detail.managementEvent = true;
  detail.recipientAccountId = ACCOUNT;
  detail.eventCategory = 'Management';
  detail.tlsDetails = {
    tlsVersion: 'TLSv1.3',
    cipherSuite: 'TLS_AES_128_GCM_SHA256',
    clientProvidedHostHeader:
      region === 'us-east-1' ? 'signin.aws.amazon.com' : `${region}.signin.aws.amazon.com`,
  };
  return {
    version: '0',
    id: uuid(`${name}/envelope`),
    'detail-type': 'AWS Console Sign In via CloudTrail',
    source: 'aws.signin',
    account: ACCOUNT,
    time,
    region,
    resources: [],
    detail,
  };
}

const sgIngress = (cidr: { v4?: string; v6?: string }, port: number): Json => ({
  groupId: 'sg-0a1b2c3d4e5f60718',
  ipPermissions: {
    items: [
      {
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        groups: {},
        ipRanges: cidr.v4 ? { items: [{ cidrIp: cidr.v4, description: 'temporary access' }] } : {},
        ipv6Ranges: cidr.v6 ? { items: [{ cidrIpv6: cidr.v6 }] } : {},
        prefixListIds: {},
      },
    ],
  },
});

const sgIngressResponse = (cidr: { v4?: string; v6?: string }, port: number, name: string): Json => ({
  requestId: uuid(`${name}/request`),
  _return: true,
  securityGroupRuleSet: {
    items: [
      {
        groupOwnerId: ACCOUNT,
        groupId: 'sg-0a1b2c3d4e5f60718',
        securityGroupRuleId: 'sgr-0f1e2d3c4b5a69788',
        isEgress: false,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        ...(cidr.v4 ? { cidrIpv4: cidr.v4 } : { cidrIpv6: cidr.v6 ?? '' }),
        description: 'temporary access',
      },
    ],
  },
});

const bucketPolicy = (principal: Json, condition?: Json): Json => ({
  bucketPolicy: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PublicRead',
        Effect: 'Allow',
        Principal: principal,
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::example-reports-prod/*',
        ...(condition === undefined ? {} : { Condition: condition }),
      },
    ],
  },
  bucketName: 'example-reports-prod',
  Host: 'example-reports-prod.s3.us-east-1.amazonaws.com',
  policy: '',
});

const s3Extra: Json = {
  SignatureVersion: 'SigV4',
  CipherSuite: 'TLS_AES_128_GCM_SHA256',
  bytesTransferredIn: 0,
  AuthenticationMethod: 'AuthHeader',
  'x-amz-id-2': 'EXAMPLEx7HdUrGbZnm8A9wYRbFq0mXxD1s2V3hK6jL4pQ5rS7tU8vW9yZ0aB1cD2eF3gH4iJ5kL=',
  bytesTransferredOut: 0,
};

const bpa = (allTrue: boolean, bucket?: string): Json => ({
  PublicAccessBlockConfiguration: {
    xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: allTrue,
    RestrictPublicBuckets: allTrue,
  },
  ...(bucket
    ? { bucketName: bucket, Host: `${bucket}.s3.us-east-1.amazonaws.com`, publicAccessBlock: '' }
    : {}),
});

const readOnly = (service: string, eventName: string, request: Json = null): ApiSpec => ({
  service,
  eventName,
  request,
  readOnly: true,
  userAgent: CONSOLE_UA,
});

/** name → event: `eventbridge-<detection>-positive[-variant]` / `-negative[-trap]`. */
const FIXTURES: Record<string, (name: string) => Json> = {
  // ----- CIS CloudWatch.1: root usage -----
  'cis-cloudwatch-1-root-usage-positive': (n) =>
    signInEvent(n, { identity: identities.rootSignIn(), outcome: 'Success', mfa: 'YES' }),
  'cis-cloudwatch-1-root-usage-positive-session-call': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'DescribeInstances',
      identity: identities.rootSession(),
      request: { instancesSet: {}, filterSet: {} },
      readOnly: true,
      time: '2026-03-14T09:20:44Z',
      sourceIp: '203.0.113.10',
      userAgent: CONSOLE_UA,
    }),
  'cis-cloudwatch-1-root-usage-negative-invoked-by-service': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'DescribeRegions',
      identity: { ...identities.rootSession(), invokedBy: 'trustedadvisor.amazonaws.com' },
      request: { regionSet: {} },
      readOnly: true,
      sourceIp: 'trustedadvisor.amazonaws.com',
      userAgent: 'trustedadvisor.amazonaws.com',
    }),
  'cis-cloudwatch-1-root-usage-negative-failed-login': (n) =>
    signInEvent(n, {
      identity: identities.rootSignIn(),
      outcome: 'Failure',
      errorMessage: 'Failed authentication',
      sourceIp: '198.51.100.77',
    }),
  // ----- CIS CloudWatch.2: unauthorized API calls -----
  'cis-cloudwatch-2-unauthorized-api-calls-positive': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'RunInstances',
      identity: identities.alice(),
      errorCode: 'Client.UnauthorizedOperation',
      errorMessage:
        'You are not authorized to perform this operation. Encoded authorization failure message: <redacted>',
      request: {
        instancesSet: { items: [{ imageId: 'ami-0abcdef1234567890', minCount: 1, maxCount: 1 }] },
        instanceType: 'p5.48xlarge',
      },
      region: 'eu-west-1',
      sourceIp: '198.51.100.23',
    }),
  'cis-cloudwatch-2-unauthorized-api-calls-positive-access-denied-read': (n) =>
    apiEvent(n, {
      service: 's3',
      eventName: 'GetBucketPolicy',
      identity: identities.alice(),
      errorCode: 'AccessDenied',
      errorMessage: 'Access Denied',
      request: {
        bucketName: 'example-audit-logs',
        Host: 'example-audit-logs.s3.us-east-1.amazonaws.com',
        policy: '',
      },
      readOnly: true,
      additional: s3Extra,
    }),
  'cis-cloudwatch-2-unauthorized-api-calls-negative': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'RunInstances',
      identity: identities.ci(),
      request: {
        instancesSet: { items: [{ imageId: 'ami-0abcdef1234567890', minCount: 1, maxCount: 1 }] },
        instanceType: 't4g.small',
      },
      response: { requestId: uuid(`${n}/request`), reservationId: 'r-0123456789abcdef0', ownerId: ACCOUNT },
      region: 'eu-west-1',
      userAgent: TERRAFORM,
    }),
  'cis-cloudwatch-2-unauthorized-api-calls-negative-head-bucket': (n) =>
    apiEvent(n, {
      service: 's3',
      eventName: 'HeadBucket',
      identity: identities.alice(),
      errorCode: 'AccessDenied',
      errorMessage: 'Access Denied',
      request: { bucketName: 'example-audit-logs', Host: 'example-audit-logs.s3.us-east-1.amazonaws.com' },
      readOnly: true,
      additional: s3Extra,
    }),
  // ----- CIS CloudWatch.3: sign-in without MFA -----
  'cis-cloudwatch-3-console-sign-in-without-mfa-positive': (n) =>
    signInEvent(n, {
      identity: identities.alice(),
      outcome: 'Success',
      mfa: 'No',
      region: 'us-east-2',
      sourceIp: '198.51.100.23',
      time: '2026-03-14T08:55:31Z',
    }),
  'cis-cloudwatch-3-console-sign-in-without-mfa-negative': (n) =>
    signInEvent(n, { identity: identities.alice(), outcome: 'Success', mfa: 'Yes', region: 'us-east-2' }),
  'cis-cloudwatch-3-console-sign-in-without-mfa-negative-mfa-upper-case': (n) =>
    signInEvent(n, { identity: identities.alice(), outcome: 'Success', mfa: 'YES', region: 'eu-north-1' }),
  'cis-cloudwatch-3-console-sign-in-without-mfa-negative-federated': (n) =>
    signInEvent(n, {
      identity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLESSOADMIN01:alice@example.com',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com`,
        accountId: ACCOUNT,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLESSOADMIN01',
            arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef`,
            accountId: ACCOUNT,
            userName: 'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
          },
          attributes: { creationDate: '2026-03-14T09:12:03Z', mfaAuthenticated: 'false' },
        },
      },
      outcome: 'Success',
      mfa: 'No',
    }),
  // ----- CIS CloudWatch.4: IAM policy changes -----
  'cis-cloudwatch-4-iam-policy-changes-positive': (n) =>
    apiEvent(n, {
      service: 'iam',
      eventName: 'PutRolePolicy',
      request: {
        roleName: 'orders-worker',
        policyName: 'orders-queue-access',
        policyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:*"],"Resource":"arn:aws:sqs:us-east-1:123456789012:orders"}]}',
      },
    }),
  'cis-cloudwatch-4-iam-policy-changes-negative': (n) =>
    apiEvent(
      n,
      readOnly('iam', 'GetRolePolicy', { roleName: 'orders-worker', policyName: 'orders-queue-access' }),
    ),
  'cis-cloudwatch-4-iam-policy-changes-negative-access-denied': (n) =>
    apiEvent(n, {
      service: 'iam',
      eventName: 'PutRolePolicy',
      identity: identities.alice(),
      errorCode: 'AccessDenied',
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: iam:PutRolePolicy on resource: role orders-worker because no identity-based policy allows the iam:PutRolePolicy action`,
      request: {
        roleName: 'orders-worker',
        policyName: 'escalate',
        policyDocument: '{"Version":"2012-10-17","Statement":[]}',
      },
      sourceIp: '198.51.100.23',
    }),
  // ----- CIS CloudWatch.5: CloudTrail changes -----
  'cis-cloudwatch-5-cloudtrail-changes-positive': (n) =>
    apiEvent(n, {
      service: 'cloudtrail',
      eventName: 'UpdateTrail',
      request: { name: 'org-trail', enableLogFileValidation: false },
      response: {
        name: 'org-trail',
        s3BucketName: 'example-org-cloudtrail',
        isMultiRegionTrail: true,
        trailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`,
        logFileValidationEnabled: false,
        isOrganizationTrail: true,
      },
    }),
  'cis-cloudwatch-5-cloudtrail-changes-negative': (n) =>
    apiEvent(n, readOnly('cloudtrail', 'GetTrailStatus', { name: 'org-trail' })),
  // ----- CIS CloudWatch.6: console authentication failures -----
  'cis-cloudwatch-6-console-auth-failures-positive': (n) =>
    signInEvent(n, {
      identity: {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLEBOB000001',
        accountId: ACCOUNT,
        accessKeyId: '',
        userName: 'bob',
      },
      outcome: 'Failure',
      errorMessage: 'Failed authentication',
      sourceIp: '192.0.2.200',
    }),
  'cis-cloudwatch-6-console-auth-failures-positive-masked-user-name': (n) =>
    signInEvent(n, {
      identity: {
        type: 'IAMUser',
        accountId: ACCOUNT,
        accessKeyId: '',
        userName: 'HIDDEN_DUE_TO_SECURITY_REASONS',
      },
      outcome: 'Failure',
      errorMessage: 'No username found in supplied account',
      sourceIp: '192.0.2.200',
    }),
  'cis-cloudwatch-6-console-auth-failures-negative': (n) =>
    signInEvent(n, { identity: identities.alice(), outcome: 'Success', mfa: 'Yes', sourceIp: '192.0.2.200' }),
  // ----- CIS CloudWatch.7: CMK disabled / scheduled for deletion -----
  'cis-cloudwatch-7-cmk-disabled-or-deleted-positive': (n) =>
    apiEvent(n, {
      service: 'kms',
      eventName: 'ScheduleKeyDeletion',
      request: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', pendingWindowInDays: 7 },
      response: {
        keyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        deletionDate: 'Mar 21, 2026, 9:41:05 AM',
        keyState: 'PendingDeletion',
        pendingWindowInDays: 7,
      },
      resources: [
        {
          accountId: ACCOUNT,
          type: 'AWS::KMS::Key',
          ARN: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        },
      ],
    }),
  'cis-cloudwatch-7-cmk-disabled-or-deleted-negative': (n) =>
    apiEvent(n, {
      service: 'kms',
      eventName: 'CancelKeyDeletion',
      request: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' },
      response: { keyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` },
    }),
  // ----- CIS CloudWatch.8: S3 bucket policy changes -----
  'cis-cloudwatch-8-s3-bucket-policy-changes-positive': (n) =>
    apiEvent(n, {
      service: 's3',
      eventName: 'PutBucketLifecycle',
      request: {
        bucketName: 'example-audit-logs',
        Host: 'example-audit-logs.s3.us-east-1.amazonaws.com',
        lifecycle: '',
        LifecycleConfiguration: {
          Rule: { ID: 'expire-7d', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 7 } },
        },
      },
      additional: s3Extra,
    }),
  'cis-cloudwatch-8-s3-bucket-policy-changes-negative': (n) =>
    apiEvent(n, {
      ...readOnly('s3', 'GetBucketPolicy', {
        bucketName: 'example-audit-logs',
        Host: 'example-audit-logs.s3.us-east-1.amazonaws.com',
        policy: '',
      }),
      additional: s3Extra,
    }),
  // ----- CIS CloudWatch.9: Config changes -----
  'cis-cloudwatch-9-config-changes-positive': (n) =>
    apiEvent(n, {
      service: 'config',
      eventName: 'PutConfigurationRecorder',
      request: {
        configurationRecorder: {
          name: 'default',
          roleARN: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
          recordingGroup: {
            allSupported: false,
            includeGlobalResourceTypes: false,
            resourceTypes: ['AWS::EC2::Instance'],
          },
        },
      },
      region: 'eu-west-1',
    }),
  'cis-cloudwatch-9-config-changes-negative': (n) =>
    apiEvent(n, { ...readOnly('config', 'DescribeConfigurationRecorders', {}), region: 'eu-west-1' }),
  // ----- CIS CloudWatch.10: security group changes -----
  'cis-cloudwatch-10-security-group-changes-positive': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'RevokeSecurityGroupIngress',
      identity: identities.ci(),
      request: {
        groupId: 'sg-0a1b2c3d4e5f60718',
        ipPermissions: {
          items: [
            {
              ipProtocol: 'tcp',
              fromPort: 5432,
              toPort: 5432,
              groups: {},
              ipRanges: { items: [{ cidrIp: '10.20.0.0/16' }] },
              ipv6Ranges: {},
              prefixListIds: {},
            },
          ],
        },
      },
      response: { requestId: uuid(`${n}/request`), _return: true },
      userAgent: TERRAFORM,
    }),
  'cis-cloudwatch-10-security-group-changes-negative': (n) =>
    apiEvent(
      n,
      readOnly('ec2', 'DescribeSecurityGroups', {
        securityGroupSet: {},
        securityGroupIdSet: { items: [{ groupId: 'sg-0a1b2c3d4e5f60718' }] },
      }),
    ),
  // ----- CIS CloudWatch.11: NACL changes -----
  'cis-cloudwatch-11-nacl-changes-positive': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'CreateNetworkAclEntry',
      request: {
        networkAclId: 'acl-0123456789abcdef0',
        ruleNumber: 90,
        egress: false,
        ruleAction: 'allow',
        icmpTypeCode: {},
        portRange: { from: 22, to: 22 },
        aclProtocol: '6',
        cidrBlock: '0.0.0.0/0',
      },
      response: { requestId: uuid(`${n}/request`), _return: true },
    }),
  'cis-cloudwatch-11-nacl-changes-negative': (n) =>
    apiEvent(n, readOnly('ec2', 'DescribeNetworkAcls', { networkAclIdSet: {}, filterSet: {} })),
  // ----- CIS CloudWatch.12: network gateway changes -----
  'cis-cloudwatch-12-network-gateway-changes-positive': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'AttachInternetGateway',
      request: { internetGatewayId: 'igw-0123456789abcdef0', vpcId: 'vpc-0fedcba9876543210' },
      response: { requestId: uuid(`${n}/request`), _return: true },
    }),
  'cis-cloudwatch-12-network-gateway-changes-negative': (n) =>
    apiEvent(n, readOnly('ec2', 'DescribeInternetGateways', { internetGatewayIdSet: {}, filterSet: {} })),
  // ----- CIS CloudWatch.13: route table changes -----
  'cis-cloudwatch-13-route-table-changes-positive': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'CreateRoute',
      request: {
        routeTableId: 'rtb-0123456789abcdef0',
        destinationCidrBlock: '0.0.0.0/0',
        gatewayId: 'igw-0123456789abcdef0',
      },
      response: { requestId: uuid(`${n}/request`), _return: true },
    }),
  'cis-cloudwatch-13-route-table-changes-negative': (n) =>
    apiEvent(n, readOnly('ec2', 'DescribeRouteTables', { routeTableIdSet: {}, filterSet: {} })),
  // ----- CIS CloudWatch.14: VPC changes -----
  'cis-cloudwatch-14-vpc-changes-positive': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'CreateVpcPeeringConnection',
      request: {
        vpcId: 'vpc-0fedcba9876543210',
        peerVpcId: 'vpc-0aaaabbbbccccdddd',
        peerOwnerId: OUTSIDE,
        peerRegion: 'us-east-1',
      },
      response: {
        requestId: uuid(`${n}/request`),
        vpcPeeringConnection: {
          vpcPeeringConnectionId: 'pcx-0123456789abcdef0',
          status: { code: 'initiating-request', message: `Initiating Request to ${OUTSIDE}` },
        },
      },
    }),
  'cis-cloudwatch-14-vpc-changes-negative': (n) =>
    apiEvent(n, readOnly('ec2', 'DescribeVpcs', { vpcSet: {}, filterSet: {} })),
  // ----- CIS 4.15: Organizations changes -----
  'cis-4-15-organizations-changes-positive': (n) =>
    apiEvent(n, {
      service: 'organizations',
      eventName: 'CreateAccount',
      request: {
        accountName: 'sandbox-7',
        email: 'aws+sandbox-7@example.com',
        iamUserAccessToBilling: 'DENY',
      },
      response: {
        createAccountStatus: {
          id: 'car-0123456789abcdef0123456789abcdef',
          accountName: 'sandbox-7',
          state: 'IN_PROGRESS',
          requestedTimestamp: 'Mar 14, 2026, 9:41:05 AM',
        },
      },
    }),
  'cis-4-15-organizations-changes-negative': (n) =>
    apiEvent(n, readOnly('organizations', 'DescribeOrganization')),
  // ----- further detections -----
  'cloudtrail-logging-disabled-positive': (n) =>
    apiEvent(n, {
      service: 'cloudtrail',
      eventName: 'StopLogging',
      identity: identities.alice(),
      request: { name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` },
      sourceIp: '198.51.100.23',
      resources: [
        {
          accountId: ACCOUNT,
          type: 'AWS::CloudTrail::Trail',
          ARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`,
        },
      ],
    }),
  'cloudtrail-logging-disabled-negative': (n) =>
    apiEvent(n, {
      service: 'cloudtrail',
      eventName: 'StartLogging',
      request: { name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` },
    }),
  'cloudtrail-management-events-disabled-positive': (n) =>
    apiEvent(n, {
      service: 'cloudtrail',
      eventName: 'PutEventSelectors',
      request: {
        trailName: 'org-trail',
        eventSelectors: [
          {
            readWriteType: 'All',
            includeManagementEvents: false,
            dataResources: [],
            excludeManagementEventSources: [],
          },
        ],
      },
      response: {
        trailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`,
        eventSelectors: [
          {
            readWriteType: 'All',
            includeManagementEvents: false,
            dataResources: [],
            excludeManagementEventSources: [],
          },
        ],
      },
    }),
  'cloudtrail-management-events-disabled-negative': (n) =>
    apiEvent(n, {
      service: 'cloudtrail',
      eventName: 'PutEventSelectors',
      request: {
        trailName: 'org-trail',
        eventSelectors: [
          {
            readWriteType: 'All',
            includeManagementEvents: true,
            dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::example-reports-prod/'] }],
            excludeManagementEventSources: [],
          },
        ],
      },
      response: { trailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` },
    }),
  'guardduty-detector-disabled-positive': (n) =>
    apiEvent(n, {
      service: 'guardduty',
      eventName: 'UpdateDetector',
      identity: identities.alice(),
      request: { detectorId: '12abc34d567e8fa901bc2d34e56789f0', enable: false },
      sourceIp: '198.51.100.23',
      region: 'eu-central-1',
    }),
  'guardduty-detector-disabled-negative': (n) =>
    apiEvent(n, {
      service: 'guardduty',
      eventName: 'UpdateDetector',
      request: {
        detectorId: '12abc34d567e8fa901bc2d34e56789f0',
        enable: true,
        findingPublishingFrequency: 'FIFTEEN_MINUTES',
      },
      region: 'eu-central-1',
    }),
  'guardduty-findings-suppressed-positive': (n) =>
    apiEvent(n, {
      service: 'guardduty',
      eventName: 'CreateFilter',
      request: {
        detectorId: '12abc34d567e8fa901bc2d34e56789f0',
        name: 'hide-recon',
        action: 'ARCHIVE',
        rank: 1,
        findingCriteria: { criterion: { type: { eq: ['Recon:EC2/PortProbeUnprotectedPort'] } } },
      },
      response: { name: 'hide-recon' },
    }),
  'guardduty-findings-suppressed-negative': (n) =>
    apiEvent(n, {
      service: 'guardduty',
      eventName: 'CreateFilter',
      request: {
        detectorId: '12abc34d567e8fa901bc2d34e56789f0',
        name: 'saved-view-prod',
        action: 'NOOP',
        rank: 2,
        findingCriteria: { criterion: { 'resource.instanceDetails.tags.value': { eq: ['prod'] } } },
      },
      response: { name: 'saved-view-prod' },
    }),
  'config-recording-stopped-positive': (n) =>
    apiEvent(n, {
      service: 'config',
      eventName: 'StopConfigurationRecorder',
      request: { configurationRecorderName: 'default' },
      region: 'eu-west-1',
    }),
  'config-recording-stopped-negative': (n) =>
    apiEvent(n, {
      service: 'config',
      eventName: 'StartConfigurationRecorder',
      request: { configurationRecorderName: 'default' },
      region: 'eu-west-1',
    }),
  'vpc-flow-logs-deleted-positive': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'DeleteFlowLogs',
      request: { DeleteFlowLogsRequest: { FlowLogId: { content: 'fl-0123456789abcdef0', tag: 1 } } },
      response: {
        DeleteFlowLogsResponse: {
          xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
          requestId: uuid(`${n}/request`),
          unsuccessful: '',
        },
      },
    }),
  'vpc-flow-logs-deleted-negative': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'DeleteFlowLogs',
      identity: identities.alice(),
      errorCode: 'Client.UnauthorizedOperation',
      errorMessage: 'You are not authorized to perform this operation.',
      request: { DeleteFlowLogsRequest: { FlowLogId: { content: 'fl-0123456789abcdef0', tag: 1 } } },
      sourceIp: '198.51.100.23',
    }),
  's3-bucket-made-public-positive': (n) =>
    apiEvent(n, {
      service: 's3',
      eventName: 'PutBucketPolicy',
      request: bucketPolicy('*'),
      additional: s3Extra,
    }),
  's3-bucket-made-public-positive-acl': (n) =>
    apiEvent(n, {
      service: 's3',
      eventName: 'PutBucketAcl',
      request: {
        bucketName: 'example-reports-prod',
        Host: 'example-reports-prod.s3.us-east-1.amazonaws.com',
        acl: '',
        AccessControlPolicy: {
          xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
          Owner: { ID: 'EXAMPLE0canonical0user0id0000000000000000000000000000000000000000' },
          AccessControlList: {
            Grant: [
              {
                Grantee: {
                  'xsi:type': 'CanonicalUser',
                  ID: 'EXAMPLE0canonical0user0id0000000000000000000000000000000000000000',
                  xmlns: 'http://www.w3.org/2001/XMLSchema-instance',
                },
                Permission: 'FULL_CONTROL',
              },
              {
                Grantee: {
                  'xsi:type': 'Group',
                  URI: 'http://acs.amazonaws.com/groups/global/AllUsers',
                  xmlns: 'http://www.w3.org/2001/XMLSchema-instance',
                },
                Permission: 'READ',
              },
            ],
          },
        },
      },
      additional: s3Extra,
    }),
  's3-bucket-made-public-negative': (n) =>
    apiEvent(n, {
      service: 's3',
      eventName: 'PutBucketPolicy',
      request: bucketPolicy('*', { StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorg1' } }),
      additional: s3Extra,
    }),
  's3-account-block-public-access-removed-positive': (n) =>
    apiEvent(n, {
      service: 's3',
      eventName: 'DeleteAccountPublicAccessBlock',
      request: { accountId: ACCOUNT, Host: `${ACCOUNT}.s3-control.us-east-1.amazonaws.com` },
      identity: identities.alice(),
      sourceIp: '198.51.100.23',
      additional: s3Extra,
    }),
  's3-account-block-public-access-removed-negative': (n) =>
    apiEvent(n, {
      service: 's3',
      eventName: 'PutAccountPublicAccessBlock',
      request: {
        ...(bpa(true) as { [key: string]: Json }),
        accountId: ACCOUNT,
        Host: `${ACCOUNT}.s3-control.us-east-1.amazonaws.com`,
      },
      additional: s3Extra,
    }),
  's3-bucket-block-public-access-removed-positive': (n) =>
    apiEvent(n, {
      service: 's3',
      eventName: 'PutBucketPublicAccessBlock',
      request: bpa(false, 'example-reports-prod'),
      additional: s3Extra,
    }),
  's3-bucket-block-public-access-removed-negative': (n) =>
    apiEvent(n, {
      service: 's3',
      eventName: 'PutBucketPublicAccessBlock',
      request: bpa(true, 'example-reports-prod'),
      additional: s3Extra,
    }),
  'sg-open-to-world-admin-port-positive': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'AuthorizeSecurityGroupIngress',
      identity: identities.alice(),
      request: sgIngress({ v4: '0.0.0.0/0' }, 22),
      response: sgIngressResponse({ v4: '0.0.0.0/0' }, 22, n),
      sourceIp: '198.51.100.23',
    }),
  'sg-open-to-world-admin-port-positive-ipv6': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'AuthorizeSecurityGroupIngress',
      identity: identities.alice(),
      request: sgIngress({ v6: '::/0' }, 3389),
      response: sgIngressResponse({ v6: '::/0' }, 3389, n),
      sourceIp: '2001:db8:85a3::8a2e:370:7334',
    }),
  'sg-open-to-world-admin-port-negative': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'AuthorizeSecurityGroupIngress',
      identity: identities.alice(),
      request: sgIngress({ v4: '198.51.100.7/32' }, 22),
      response: sgIngressResponse({ v4: '198.51.100.7/32' }, 22, n),
      sourceIp: '198.51.100.23',
    }),
  'sg-open-to-world-admin-port-negative-https': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'AuthorizeSecurityGroupIngress',
      identity: identities.ci(),
      request: sgIngress({ v4: '0.0.0.0/0' }, 443),
      response: sgIngressResponse({ v4: '0.0.0.0/0' }, 443, n),
      userAgent: TERRAFORM,
    }),
  'iam-root-access-key-created-positive': (n) =>
    apiEvent(n, {
      service: 'iam',
      eventName: 'CreateAccessKey',
      identity: { ...identities.rootSession(), invokedBy: 'signin.amazonaws.com' },
      request: null,
      response: {
        accessKey: {
          accessKeyId: 'AKIAEXAMPLEROOTKEY01',
          status: 'Active',
          createDate: 'Mar 14, 2026, 9:41:05 AM',
        },
      },
      sourceIp: '203.0.113.10',
      userAgent: 'signin.amazonaws.com',
    }),
  'iam-root-access-key-created-negative': (n) =>
    apiEvent(n, {
      service: 'iam',
      eventName: 'CreateAccessKey',
      identity: identities.alice(),
      request: null,
      response: {
        accessKey: {
          accessKeyId: 'AKIAEXAMPLEALICE0002',
          status: 'Active',
          userName: 'alice',
          createDate: 'Mar 14, 2026, 9:41:05 AM',
        },
      },
    }),
  'iam-mfa-deactivated-positive': (n) =>
    apiEvent(n, {
      service: 'iam',
      eventName: 'DeactivateMFADevice',
      request: { userName: 'bob', serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/bob-phone` },
    }),
  'iam-mfa-deactivated-negative': (n) =>
    apiEvent(n, {
      service: 'iam',
      eventName: 'EnableMFADevice',
      identity: identities.alice(),
      request: { userName: 'alice', serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/alice-phone` },
      userAgent: CONSOLE_UA,
    }),
  'iam-login-profile-for-another-user-positive': (n) =>
    apiEvent(n, {
      service: 'iam',
      eventName: 'CreateLoginProfile',
      identity: identities.alice(),
      request: { userName: 'bob', passwordResetRequired: false },
      response: {
        loginProfile: {
          userName: 'bob',
          createDate: 'Mar 14, 2026, 9:41:05 AM',
          passwordResetRequired: false,
        },
      },
      sourceIp: '198.51.100.23',
    }),
  'iam-login-profile-for-another-user-negative': (n) =>
    apiEvent(n, {
      service: 'iam',
      eventName: 'UpdateLoginProfile',
      identity: identities.alice(),
      request: { userName: 'alice', passwordResetRequired: false },
      userAgent: CONSOLE_UA,
    }),
  'iam-access-key-for-another-user-positive': (n) =>
    apiEvent(n, {
      service: 'iam',
      eventName: 'CreateAccessKey',
      identity: identities.ci(),
      request: { userName: 'svc-legacy-export' },
      response: {
        accessKey: {
          accessKeyId: 'AKIAEXAMPLELEGACY001',
          status: 'Active',
          userName: 'svc-legacy-export',
          createDate: 'Mar 14, 2026, 9:41:05 AM',
        },
      },
      userAgent: TERRAFORM,
    }),
  'iam-access-key-for-another-user-negative': (n) =>
    apiEvent(n, {
      service: 'iam',
      eventName: 'CreateAccessKey',
      identity: identities.alice(),
      request: { userName: 'alice' },
      response: {
        accessKey: {
          accessKeyId: 'AKIAEXAMPLEALICE0003',
          status: 'Active',
          userName: 'alice',
          createDate: 'Mar 14, 2026, 9:41:05 AM',
        },
      },
    }),
  'iam-admin-policy-attached-positive': (n) =>
    apiEvent(n, {
      service: 'iam',
      eventName: 'AttachRolePolicy',
      identity: identities.ci(),
      request: { roleName: 'orders-worker', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      userAgent: TERRAFORM,
    }),
  'iam-admin-policy-attached-negative': (n) =>
    apiEvent(n, {
      service: 'iam',
      eventName: 'AttachRolePolicy',
      identity: identities.ci(),
      request: { roleName: 'orders-worker', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      userAgent: TERRAFORM,
    }),
  'iam-role-trust-policy-changed-positive': (n) =>
    apiEvent(n, {
      service: 'iam',
      eventName: 'UpdateAssumeRolePolicy',
      request: {
        roleName: 'orders-worker',
        policyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${OUTSIDE}:root"},"Action":"sts:AssumeRole"}]}`,
      },
    }),
  'iam-role-trust-policy-changed-negative': (n) =>
    apiEvent(n, readOnly('iam', 'GetRole', { roleName: 'orders-worker' })),
  'snapshot-or-image-made-public-positive': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'ModifySnapshotAttribute',
      identity: identities.alice(),
      request: {
        snapshotId: 'snap-0123456789abcdef0',
        createVolumePermission: { add: { items: [{ group: 'all' }] } },
        attributeType: 'CREATE_VOLUME_PERMISSION',
      },
      response: { requestId: uuid(`${n}/request`), _return: true },
      sourceIp: '198.51.100.23',
    }),
  'snapshot-or-image-made-public-positive-ami': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'ModifyImageAttribute',
      request: {
        imageId: 'ami-0abcdef1234567890',
        launchPermission: { add: { items: [{ group: 'all' }] } },
        attributeType: 'launchPermission',
      },
      response: { requestId: uuid(`${n}/request`), _return: true },
      region: 'eu-west-1',
    }),
  'snapshot-or-image-made-public-negative': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'ModifySnapshotAttribute',
      request: {
        snapshotId: 'snap-0123456789abcdef0',
        createVolumePermission: { remove: { items: [{ group: 'all' }] } },
        attributeType: 'CREATE_VOLUME_PERMISSION',
      },
      response: { requestId: uuid(`${n}/request`), _return: true },
    }),
  'snapshot-or-image-shared-cross-account-positive': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'ModifySnapshotAttribute',
      identity: identities.alice(),
      request: {
        snapshotId: 'snap-0123456789abcdef0',
        createVolumePermission: { add: { items: [{ userId: OUTSIDE }] } },
        attributeType: 'CREATE_VOLUME_PERMISSION',
      },
      response: { requestId: uuid(`${n}/request`), _return: true },
      sourceIp: '198.51.100.23',
    }),
  'snapshot-or-image-shared-cross-account-positive-rds': (n) =>
    apiEvent(n, {
      service: 'rds',
      eventName: 'ModifyDBSnapshotAttribute',
      request: {
        dBSnapshotIdentifier: 'orders-db-2026-03-14',
        attributeName: 'restore',
        valuesToAdd: [OUTSIDE],
      },
      response: {
        dBSnapshotIdentifier: 'orders-db-2026-03-14',
        dBSnapshotAttributes: [{ attributeName: 'restore', attributeValues: [OUTSIDE] }],
      },
    }),
  'snapshot-or-image-shared-cross-account-negative': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'ModifyImageAttribute',
      request: {
        imageId: 'ami-0abcdef1234567890',
        launchPermission: { remove: { items: [{ userId: OUTSIDE }] } },
        attributeType: 'launchPermission',
      },
      response: { requestId: uuid(`${n}/request`), _return: true },
    }),
  'ebs-default-encryption-disabled-positive': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'DisableEbsEncryptionByDefault',
      request: { DisableEbsEncryptionByDefaultRequest: '' },
      response: {
        DisableEbsEncryptionByDefaultResponse: {
          xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
          requestId: uuid(`${n}/request`),
          ebsEncryptionByDefault: false,
        },
      },
      region: 'ap-southeast-2',
    }),
  'ebs-default-encryption-disabled-negative': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'EnableEbsEncryptionByDefault',
      request: { EnableEbsEncryptionByDefaultRequest: '' },
      response: {
        EnableEbsEncryptionByDefaultResponse: {
          xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
          requestId: uuid(`${n}/request`),
          ebsEncryptionByDefault: true,
        },
      },
      region: 'ap-southeast-2',
    }),
  'organizations-leave-positive': (n) =>
    apiEvent(n, {
      service: 'organizations',
      eventName: 'LeaveOrganization',
      identity: identities.admin(MEMBER),
      account: MEMBER,
    }),
  'organizations-leave-negative': (n) =>
    apiEvent(n, {
      service: 'organizations',
      eventName: 'LeaveOrganization',
      identity: identities.alice(MEMBER),
      account: MEMBER,
      errorCode: 'AccessDeniedException',
      errorMessage: `You don't have permissions to access this resource.`,
      sourceIp: '198.51.100.23',
    }),
  'kms-key-policy-changed-positive': (n) =>
    apiEvent(n, {
      service: 'kms',
      eventName: 'PutKeyPolicy',
      request: {
        keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
        policyName: 'default',
        policy: `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM policies","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${OUTSIDE}:root"},"Action":"kms:*","Resource":"*"}]}`,
        bypassPolicyLockoutSafetyCheck: false,
      },
      resources: [
        {
          accountId: ACCOUNT,
          type: 'AWS::KMS::Key',
          ARN: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        },
      ],
    }),
  'kms-key-policy-changed-negative': (n) =>
    apiEvent(n, {
      service: 'kms',
      eventName: 'PutKeyPolicy',
      identity: identities.service('cloudformation.amazonaws.com'),
      request: {
        keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
        policyName: 'default',
        policy: '{"Version":"2012-10-17","Statement":[]}',
      },
      sourceIp: 'cloudformation.amazonaws.com',
      userAgent: 'cloudformation.amazonaws.com',
    }),
  'ec2-user-data-changed-positive': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'ModifyInstanceAttribute',
      identity: identities.alice(),
      request: { instanceId: 'i-0123456789abcdef0', userData: '<sensitiveDataRemoved>' },
      response: { requestId: uuid(`${n}/request`), _return: true },
      sourceIp: '198.51.100.23',
    }),
  'ec2-user-data-changed-negative': (n) =>
    apiEvent(n, {
      service: 'ec2',
      eventName: 'ModifyInstanceAttribute',
      request: { instanceId: 'i-0123456789abcdef0', instanceType: { value: 'm7g.large' } },
      response: { requestId: uuid(`${n}/request`), _return: true },
    }),
  's3-versioning-suspended-positive': (n) =>
    apiEvent(n, {
      service: 's3',
      eventName: 'PutBucketVersioning',
      request: {
        bucketName: 'example-backups',
        Host: 'example-backups.s3.us-east-1.amazonaws.com',
        versioning: '',
        VersioningConfiguration: { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/', Status: 'Suspended' },
      },
      additional: s3Extra,
    }),
  's3-versioning-suspended-negative': (n) =>
    apiEvent(n, {
      service: 's3',
      eventName: 'PutBucketVersioning',
      request: {
        bucketName: 'example-backups',
        Host: 'example-backups.s3.us-east-1.amazonaws.com',
        versioning: '',
        VersioningConfiguration: { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/', Status: 'Enabled' },
      },
      additional: s3Extra,
    }),
  'lambda-function-url-public-positive': (n) =>
    apiEvent(n, {
      service: 'lambda',
      eventName: 'CreateFunctionUrlConfig20211031',
      request: { functionName: 'orders-export', authType: 'NONE', cors: { allowOrigins: ['*'] } },
      response: {
        functionUrl: 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/',
        functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:orders-export`,
        authType: 'NONE',
        creationTime: '2026-03-14T09:41:05.101Z',
      },
    }),
  'lambda-function-url-public-negative': (n) =>
    apiEvent(n, {
      service: 'lambda',
      eventName: 'CreateFunctionUrlConfig20211031',
      request: { functionName: 'orders-export', authType: 'AWS_IAM' },
      response: {
        functionUrl: 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/',
        functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:orders-export`,
        authType: 'AWS_IAM',
        creationTime: '2026-03-14T09:41:05.101Z',
      },
    }),
  'rds-instance-made-public-positive': (n) =>
    apiEvent(n, {
      service: 'rds',
      eventName: 'ModifyDBInstance',
      identity: identities.alice(),
      request: {
        dBInstanceIdentifier: 'orders-db',
        publiclyAccessible: true,
        applyImmediately: true,
        allowMajorVersionUpgrade: false,
      },
      response: {
        dBInstanceIdentifier: 'orders-db',
        dBInstanceStatus: 'available',
        publiclyAccessible: false,
      },
      sourceIp: '198.51.100.23',
    }),
  'rds-instance-made-public-negative': (n) =>
    apiEvent(n, {
      service: 'rds',
      eventName: 'ModifyDBInstance',
      request: {
        dBInstanceIdentifier: 'orders-db',
        publiclyAccessible: false,
        applyImmediately: true,
        allowMajorVersionUpgrade: false,
      },
      response: {
        dBInstanceIdentifier: 'orders-db',
        dBInstanceStatus: 'available',
        publiclyAccessible: true,
      },
    }),
  'securityhub-findings-suppressed-positive': (n) =>
    apiEvent(n, {
      service: 'securityhub',
      eventName: 'BatchUpdateFindings',
      identity: identities.alice(),
      request: {
        findingIdentifiers: [
          {
            id: `arn:aws:securityhub:us-east-1:${ACCOUNT}:security-control/EC2.13/finding/0a1b2c3d-4e5f-4061-8a9b-0c1d2e3f4a5b`,
            productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          },
        ],
        workflow: { status: 'SUPPRESSED' },
        note: { text: 'accepted risk', updatedBy: 'alice' },
      },
      response: { processedFindings: [], unprocessedFindings: [] },
      sourceIp: '198.51.100.23',
    }),
  'securityhub-findings-suppressed-negative': (n) =>
    apiEvent(n, {
      service: 'securityhub',
      eventName: 'BatchUpdateFindings',
      request: {
        findingIdentifiers: [
          {
            id: `arn:aws:securityhub:us-east-1:${ACCOUNT}:security-control/EC2.13/finding/0a1b2c3d-4e5f-4061-8a9b-0c1d2e3f4a5b`,
            productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          },
        ],
        workflow: { status: 'NOTIFIED' },
      },
      response: { processedFindings: [], unprocessedFindings: [] },
    }),
  'root-password-recovery-requested-positive': (n) =>
    signInEvent(n, {
      eventName: 'PasswordRecoveryRequested',
      identity: {
        type: 'Root',
        principalId: ACCOUNT,
        arn: `arn:aws:iam::${ACCOUNT}:root`,
        accountId: ACCOUNT,
      },
      outcome: 'Success',
      responseKey: 'PasswordRecoveryRequested',
      sourceIp: '192.0.2.200',
    }),
  'root-password-recovery-requested-negative': (n) =>
    signInEvent(n, {
      eventName: 'PasswordRecoveryRequested',
      identity: {
        type: 'Root',
        principalId: ACCOUNT,
        arn: `arn:aws:iam::${ACCOUNT}:root`,
        accountId: ACCOUNT,
      },
      outcome: 'Failure',
      responseKey: 'PasswordRecoveryRequested',
      errorMessage: 'Failed authentication',
      sourceIp: '192.0.2.200',
    }),
  'sts-assume-root-positive': (n) =>
    apiEvent(n, {
      service: 'sts',
      eventName: 'AssumeRoot',
      identity: identities.admin(ACCOUNT, 'org-root-admin', 'bob@example.com'),
      request: {
        targetPrincipal: MEMBER,
        taskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials' },
        durationSeconds: 900,
      },
      response: {
        credentials: {
          accessKeyId: 'ASIAEXAMPLEROOTTASK1',
          sessionToken: 'EXAMPLE-NOT-A-REAL-SESSION-TOKEN',
          expiration: 'Mar 14, 2026, 9:56:05 AM',
        },
        sourceIdentity: 'bob@example.com',
      },
      readOnly: true,
    }),
  'sts-assume-root-negative': (n) =>
    apiEvent(n, {
      service: 'sts',
      eventName: 'AssumeRoot',
      identity: identities.alice(),
      errorCode: 'AccessDenied',
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRoot`,
      request: {
        targetPrincipal: MEMBER,
        taskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials' },
      },
      readOnly: true,
      sourceIp: '198.51.100.23',
    }),
};

mkdirSync(OUT, { recursive: true });
for (const file of readdirSync(OUT)) {
  if (file.startsWith('eventbridge-') && file.endsWith('.json')) rmSync(`${OUT}${file}`);
}
for (const [name, build] of Object.entries(FIXTURES)) {
  writeFileSync(
    `${OUT}eventbridge-${name}.json`,
    `${JSON.stringify(build(`cloudtrail/${name}`), null, 2)}\n`,
  );
}
console.error(`wrote ${Object.keys(FIXTURES).length} fixtures to ${OUT}`);
