'use strict';
/**
 * The security responder's EventBridge rules as CloudFormation, from deploy/security-rules.json
 * (generated from the detection catalog by scripts/generate-security-rules.ts; a test keeps the two
 * in sync):
 *
 *   resources:
 *     - ${file(./deploy/security-rules.cjs):resources}
 *
 * Raw AWS::Events::Rule resources rather than serverless `eventBridge` events, because rules for
 * read-only management events need the state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const RULES_FILE = path.resolve(__dirname, 'security-rules.json');

function logicalId(id) {
  const words = id.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return `SecurityRule${words.map((w) => w[0].toUpperCase() + w.slice(1)).join('')}`;
}

/** Rule names are at most 64 characters: a long id is cut and given a short hash to stay unique. */
function ruleName(stage, id) {
  const prefix = `klaxon-${stage}-sec-`;
  const room = 64 - prefix.length;
  if (id.length <= room) return prefix + id;
  const hash = crypto.createHash('sha256').update(id).digest('hex').slice(0, 6);
  return `${prefix}${id.slice(0, room - 7)}-${hash}`;
}

/**
 * Every rule matches AWS sources only: a pattern without a `source` filter gets `aws.*`, so
 * `PutEvents` with a custom source and a CloudTrail detail-type never reaches the responder.
 */
function withAwsSource(pattern) {
  return pattern.source ? pattern : { source: [{ prefix: 'aws.' }], ...pattern };
}

async function resources({ resolveVariable }) {
  const stage = await resolveVariable('sls:stage');
  const { rules } = JSON.parse(fs.readFileSync(RULES_FILE, 'utf8'));
  const Resources = {};
  for (const rule of rules) {
    Resources[logicalId(rule.id)] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: ruleName(stage, rule.id),
        Description: rule.eventBridge.description.slice(0, 512),
        State: rule.state,
        EventPattern: withAwsSource(rule.eventBridge.pattern),
        Targets: [
          {
            Id: 'securityResponder',
            Arn: { 'Fn::GetAtt': ['SecurityResponderLambdaFunction', 'Arn'] },
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['AlarmNotifierDeadLetterQueue', 'Arn'] } },
          },
        ],
      },
    };
  }
  Resources.SecurityRulesInvokePermission = {
    Type: 'AWS::Lambda::Permission',
    Properties: {
      FunctionName: { 'Fn::GetAtt': ['SecurityResponderLambdaFunction', 'Arn'] },
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: {
        'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/klaxon-${stage}-sec-*`,
      },
    },
  };
  return { Resources };
}

module.exports = {
  withAwsSource,
  resources,
  ruleName,
};
