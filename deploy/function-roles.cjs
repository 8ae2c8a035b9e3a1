'use strict';
/**
 * One least-privilege IAM role per function, generated at package time from the function registry
 * below, the permission table and klaxon.yml (docs/iam.md). In serverless.yml:
 *
 *   resources:
 *     - ${file(./deploy/function-roles.cjs):resources}
 *   provider.environment.KLAXON_OWN_ROLE_NAMES: ${file(./deploy/function-roles.cjs):ownRoleNames}
 *   functions.<name>.role: !Sub '${<Name>Role.Arn}'
 *
 * Every role has its function's own log group and, when `provider.tracing.lambda` is on, X-Ray; the
 * rest is what that function's code calls (shared/runtime.ts, shared/lambda.ts, functions/*). osls adds
 * nothing to a function-level role: the on-failure destination and the SQS event source mapping of the
 * retrier are listed here too. Remediation statements come from deploy/remediation-iam.cjs.
 *
 * KLAXON_CONFIG=<path> reads another klaxon.yml (template tests).
 */
const { configPath, readKlaxonConfig } = require('./klaxon-config.cjs');
const { snsReceiverTopics } = require('./events.cjs');
const remediation = require('./remediation-iam.cjs');

const sub = (text) => ({ 'Fn::Sub': text });
const getAtt = (id) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const allow = (sid, actions, resource) => ({
  Sid: sid,
  Effect: 'Allow',
  Action: actions,
  Resource: resource,
});

const ALARM_ARNS = sub('arn:${AWS::Partition}:cloudwatch:*:${AWS::AccountId}:alarm:*');

/** The state-table keys Remediator.approve reads and writes (see PERMISSIONS.approvalState). */
const APPROVAL_KEYS = [
  'record#remediation#*',
  'record#remediation-breaker#*',
  'record#remediation-execution#*',
  'events#remediation-starts',
  'events#remediation-starts#*',
  'events#remediation-starts-on#*',
  'lease#remediation-slot#*',
  'lease#remediation-approval#*',
];

/** The state-table keys the Slack interactivity function reads and writes, the approval path's too. */
const SLACK_ACTION_KEYS = [
  ...APPROVAL_KEYS,
  'record#slack#*',
  'record#slack-request#*',
  'record#slack-click#*',
  'set#silences',
];

/** Sources of the informational tier (shared/alert/alert.ts INFORMATIONAL_SOURCES). */
const INFORMATIONAL_SOURCES = ['aws-health', 'codedeploy', 'ecs', 'autoscaling', 'cost-anomaly'];
/**
 * The functions of serverless.yml and what each one's code uses. `sources`: the `source` labels of the
 * alerts its pipeline decides (Klaxon's own `klaxon` alerts never start a remediation, so it is not
 * listed); its role may start the documents of `auto` and `approve` rules that can match one of them.
 * `approves`: the approval endpoint, which may start the documents of `approve` rules only.
 * `folder`: its folder under functions/. A pipeline function (`sources` set) bundles the remediation
 * code only when a rule of any mode can match one of its sources, or it `reportsRemediations`
 * (deploy/esbuild-plugins.cjs, {@link bundlesRemediation}).
 */
const FUNCTIONS = [
  {
    name: 'alarmNotifier',
    folder: 'alarm-notifier',
    description: 'alarm notifier: CloudWatch alarms and cost anomalies, routed and delivered',
    // Only what its triggers carry (shared/compositions/): an EventBridge event relayed
    // through an intake topic is refused by the function, so it can never start a document.
    sources: ['cloudwatch-alarm', 'cost-anomaly'],
    uses: ['secrets', 'state', 'deliveryQueues', 'receiverTopics', 'alarmEnrichment', 'onFailure'],
  },
  {
    name: 'operationalEvents',
    folder: 'operational-events',
    description: 'operational events: Health, deployments, scaling and cost anomalies as info alerts',
    sources: INFORMATIONAL_SOURCES,
    uses: ['secrets', 'state', 'deliveryQueues', 'receiverTopics', 'onFailure'],
  },
  {
    name: 'securityResponder',
    folder: 'security-responder',
    // Reports the end of every execution (SSM status), whichever function started it.
    reportsRemediations: true,
    description:
      'security responder: CloudTrail detections, GuardDuty and Security Hub findings, remediation status',
    sources: ['cloudtrail', 'guardduty', 'securityhub'],
    uses: ['secrets', 'state', 'deliveryQueues', 'receiverTopics', 'remediationStatus', 'onFailure'],
  },
  {
    name: 'remediator',
    folder: 'remediator',
    description: 'approval endpoint of signed remediation links: approves and starts, nothing else',
    approves: true,
    uses: ['approvalSecret', 'approvalState'],
  },
  {
    name: 'slackActions',
    folder: 'slack-interactivity',
    description:
      'Slack interactivity: verifies button presses, queues them, acknowledges, silences, approves',
    approves: true,
    uses: ['secrets', 'slackActionsState', 'slackActionsQueue'],
  },
  {
    name: 'deliveryRetrier',
    folder: 'delivery-retrier',
    description: 'delivery retrier: queued deliveries, storm flushes, remediation verification',
    uses: ['secrets', 'state', 'deliveryQueues', 'receiverTopics', 'retryQueueConsumer'],
  },
  {
    name: 'digest',
    folder: 'digest',
    description: 'digest: scans the state table, posts the digest',
    uses: ['secrets', 'stateScan', 'onFailure'],
  },
  {
    name: 'heartbeat',
    folder: 'heartbeat',
    description: 'heartbeat: publishes beats to the alarm topic',
    uses: ['alarmTopicPublish', 'onFailure'],
  },
  {
    name: 'selfCheck',
    folder: 'self-check',
    // Its alerts are Klaxon's own, which never start a remediation.
    sources: [],
    description: 'self-check: klaxon doctor on a schedule, findings delivered as alerts',
    uses: ['secrets', 'state', 'deliveryQueues', 'receiverTopics', 'doctor', 'onFailure'],
  },
];

/**
 * What each `uses` entry grants, built from the package-time context. No kms:Decrypt anywhere:
 * SecureStrings encrypted with the AWS-managed key `aws/ssm` are decrypted through SSM (docs/iam.md says
 * what to add for a customer-managed key).
 */
const PERMISSIONS = {
  /** Secrets: parameters under the stage's prefix (KLAXON_SSM_PREFIX) only. */
  secrets: ({ stage }) => [
    allow(
      'Secrets',
      ['ssm:GetParameter'],
      sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/klaxon/${stage}/*`),
    ),
  ],
  /** The approval links' HMAC key: that one parameter, when it is an SSM reference. */
  approvalSecret: ({ stage, approvalSecret }) =>
    approvalSecret && typeof approvalSecret.ssm === 'string'
      ? [
          allow(
            'ApprovalSecret',
            ['ssm:GetParameter'],
            sub(
              `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/klaxon/${stage}/${approvalSecret.ssm}`,
            ),
          ),
        ]
      : [],
  /** Delivery claims, storm groups, rate windows, records: conditional item writes, never a Scan. */
  state: () => [
    allow(
      'StateItems',
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      getAtt('StateTable'),
    ),
  ],
  /**
   * The approval endpoint's items only (Remediator.approve): the approval record, the breaker, the
   * hourly count, the concurrency slots and the execution pointer. The keys are DynamoStateStore's
   * prefixes (record#, events#, lease#) on shared/remediation/remediator.ts's keys; an integration
   * test approves against moto and checks every key it touched matches.
   */
  approvalState: () => [
    {
      ...allow(
        'ApprovalState',
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        getAtt('StateTable'),
      ),
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': APPROVAL_KEYS } },
    },
  ],
  /**
   * The Slack interactivity function's items only: replay guard, click claims, message records, the
   * silences row, and what Remediator.approve touches (an integration test checks every key it used).
   */
  slackActionsState: () => [
    {
      ...allow(
        'SlackActionsState',
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        getAtt('StateTable'),
      ),
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': SLACK_ACTION_KEYS } },
    },
  ],
  /** The digest reads every record in one Scan; GetItem and PutItem: its post's claim and pacing slot. */
  stateScan: () => [
    allow('StateScan', ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:PutItem'], getAtt('StateTable')),
  ],
  /** Durable retries and dead letters of deliveries. */
  deliveryQueues: () => [
    allow(
      'DeliveryQueues',
      ['sqs:SendMessage'],
      [getAtt('DeliveryRetryQueue'), getAtt('DeliveryDeadLetterQueue')],
    ),
  ],
  /** The retrier's SQS event source mapping (Lambda polls the queue with the function's role). */
  retryQueueConsumer: () => [
    allow(
      'RetryQueueConsumer',
      ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      getAtt('DeliveryRetryQueue'),
    ),
  ],
  /** The Slack interactivity function queues clicks and consumes them (its own queue only). */
  slackActionsQueue: () => [
    allow(
      'SlackActionsQueue',
      ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      getAtt('SlackActionsQueue'),
    ),
  ],
  /** The `sns` receivers: the stack's ops topic and the topics klaxon.yml names (never the alarm topic). */
  receiverTopics: ({ publishTopics }) => [allow('ReceiverTopics', ['sns:Publish'], publishTopics)],
  /**
   * Alarm enrichment (tags, definition, related alarms, datapoints), when klaxon.yml leaves it on;
   * DescribeAlarms always: the alarm-state check before a resolve or a remediation needs it.
   */
  alarmEnrichment: ({ enrichment }) =>
    enrichment
      ? [
          allow('EnrichAlarms', ['cloudwatch:ListTagsForResource', 'cloudwatch:DescribeAlarms'], ALARM_ARNS),
          allow('EnrichMetrics', ['cloudwatch:GetMetricData'], '*'), // no resource-level permissions
        ]
      : [allow('AlarmState', ['cloudwatch:DescribeAlarms'], ALARM_ARNS)],
  /**
   * The doctor's read-only calls (shared/onboarding/doctor-aws.ts). ListTopics, ListRules, DescribeTrails
   * and ListAllMyBuckets take no resource-level permissions; trails may live in another account or
   * Region. Bucket tags only, never object data.
   */
  doctor: () => [
    allow(
      'DoctorList',
      ['cloudtrail:DescribeTrails', 'events:ListRules', 'sns:ListTopics', 's3:ListAllMyBuckets'],
      '*',
    ),
    allow(
      'DoctorTrails',
      ['cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'],
      sub('arn:${AWS::Partition}:cloudtrail:*:*:trail/*'),
    ),
    allow('DoctorAlarmTopic', ['sns:GetTopicAttributes'], { Ref: 'AlarmTopic' }),
    allow('DoctorAlarms', ['cloudwatch:DescribeAlarms'], ALARM_ARNS),
    allow('DoctorBucketTags', ['s3:GetBucketTagging'], sub('arn:${AWS::Partition}:s3:::*')),
  ],
  /** One synthetic message per beat to the stack's own alarm topic. */
  alarmTopicPublish: () => [allow('AlarmTopicPublish', ['sns:Publish'], { Ref: 'AlarmTopic' })],
  /** The async on-failure destination: Lambda checks the role may send there when it is set. */
  onFailure: () => [
    allow('OnFailureDestination', ['sqs:SendMessage'], getAtt('AlarmNotifierDeadLetterQueue')),
  ],
  /** Why an execution of an enabled document failed, for the status report. */
  remediationStatus: ({ remediations }) => remediation.statusStatements(remediations.documents),
};

const capitalized = (name) => name[0].toUpperCase() + name.slice(1);

/** The CloudFormation logical id of a function's role and log group. */
function logicalIds(name) {
  return { role: `${capitalized(name)}Role`, logGroup: `${capitalized(name)}LogGroup` };
}

/** The role's name: deterministic, so its ARN is known without referring to the role. */
function roleName(stage, name) {
  return `klaxon-${stage}-\${AWS::Region}-${name}Role`;
}

/** IAM's limit on role names. */
const MAX_ROLE_NAME = 64;

/** Fails at package time, not deploy time, when a role name would be too long for IAM. */
function checkRoleNames(stage, region) {
  for (const fn of FUNCTIONS) {
    const name = roleName(stage, fn.name).replace('${AWS::Region}', region);
    if (name.length > MAX_ROLE_NAME) {
      throw new Error(
        `function roles: the role name ${name} is longer than IAM's ${MAX_ROLE_NAME} characters; use a shorter stage name`,
      );
    }
  }
}

/** The remediation rules a function's role may start (see FUNCTIONS). */
function startableRules(fn, remediations) {
  if (fn.approves) return remediations.rules.filter((rule) => rule.mode === 'approve');
  const sources = fn.sources ?? [];
  return remediations.rules.filter((rule) =>
    sources.some((source) => remediation.ruleCanMatch(rule.match, source)),
  );
}

/**
 * Whether a function's bundle needs the remediation code, given klaxon.yml's `remediations:` list
 * (every mode: a dry run still annotates the notification). Only a pipeline function whose sources
 * no rule can match goes without; anything else (approvals, verification jobs) keeps it.
 */
function bundlesRemediation(fn, rules) {
  if (!Array.isArray(fn.sources) || fn.reportsRemediations) return true;
  const list = Array.isArray(rules) ? rules : [];
  return list.some(
    (rule) =>
      typeof rule === 'object' &&
      rule !== null &&
      fn.sources.some((source) => remediation.ruleCanMatch(rule.match, source)),
  );
}

/** The function whose handler is `entry` (a path ending in functions/<folder>/handler.<ext>). */
function functionOfEntry(entry) {
  const match = /(?:^|[\\/])functions[\\/]([^\\/]+)[\\/]handler\.[cm]?[jt]s$/.exec(String(entry ?? ''));
  return match ? FUNCTIONS.find((fn) => fn.folder === match[1]) : undefined;
}

/** Reads what the roles depend on from klaxon.yml. */
function readContext({ stage, region, tracing }, file = configPath()) {
  const { config } = readKlaxonConfig(file);
  const enrichment = !(config.enrichment && config.enrichment.enabled === false);
  const remediations = remediation.readRemediations(file);
  return {
    stage,
    region,
    tracing,
    enrichment,
    remediations,
    approvalSecret: remediations.approvalSecret,
    publishTopics: [{ Ref: 'OpsTopic' }, ...snsReceiverTopics(file)],
  };
}

/** Every statement of one function's role, in a fixed order: logs, X-Ray, its uses, remediation. */
function statementsFor(fn, context) {
  const { logGroup } = logicalIds(fn.name);
  const statements = [
    allow(
      'LogStreams',
      ['logs:CreateLogStream'],
      sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:\${${logGroup}}:*`),
    ),
    allow(
      'LogEvents',
      ['logs:PutLogEvents'],
      sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:\${${logGroup}}:*:*`),
    ),
  ];
  if (context.tracing) {
    statements.push(allow('Tracing', ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], '*'));
  }
  for (const use of fn.uses) {
    if (!PERMISSIONS[use]) throw new Error(`function roles: ${fn.name} uses unknown permission ${use}`);
    statements.push(...PERMISSIONS[use](context));
  }
  const rules = startableRules(fn, context.remediations);
  statements.push(
    ...remediation.statementsForRules(rules, {
      automationAssumeRole: context.remediations.automationAssumeRole,
    }),
  );
  return statements;
}

/** The `AWS::IAM::Role` resources of every function, from the package-time context. */
function rolesFor(context) {
  if (context.region) checkRoleNames(context.stage, context.region);
  return Object.fromEntries(
    FUNCTIONS.map((fn) => [
      logicalIds(fn.name).role,
      {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: sub(roleName(context.stage, fn.name)),
          Description: `Klaxon ${fn.description}`,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
            ],
          },
          Policies: [
            {
              PolicyName: `klaxon-${context.stage}-${fn.name}`,
              PolicyDocument: { Version: '2012-10-17', Statement: statementsFor(fn, context) },
            },
          ],
        },
      },
    ]),
  );
}

/** The stage and tracing switch from serverless.yml, as osls resolves them. */
async function packageSettings({ resolveVariable, resolveConfigurationProperty }) {
  const stage = await resolveVariable('sls:stage');
  const tracing = await resolveConfigurationProperty(['provider', 'tracing', 'lambda']);
  const region = await resolveConfigurationProperty(['provider', 'region']);
  return { stage, region, tracing: Boolean(tracing) };
}

/** CloudFormation resources: one role per function. */
async function resources(osls) {
  return { Resources: rolesFor(readContext(await packageSettings(osls))) };
}

/**
 * KLAXON_OWN_ROLE_NAMES: every role's name as plain text, `{region}` standing for the region (no
 * CloudFormation function, so `serverless invoke local` can pass it). At run time
 * shared/deployed/env.ts builds the ARNs with the partition and account of the function's own ops
 * topic and AWS_REGION.
 */
async function ownRoleNames({ resolveVariable }) {
  const stage = await resolveVariable('sls:stage');
  return FUNCTIONS.map((fn) => roleName(stage, fn.name).replace('${AWS::Region}', '{region}')).join(',');
}

module.exports = {
  FUNCTIONS,
  bundlesRemediation,
  functionOfEntry,
  INFORMATIONAL_SOURCES,
  PERMISSIONS,
  logicalIds,
  ownRoleNames,
  readContext,
  resources,
  rolesFor,
  startableRules,
  statementsFor,
};
