import {
  CloudTrailClient,
  CreateTrailCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutRuleCommand, type RuleState } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateBucketCommand, PutBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/klaxon';
import { parseConfigYaml } from '../../shared/config/yaml';
import {
  alarmRulePrefix,
  type Finding,
  securityRuleName,
  ssmReferences,
} from '../../shared/onboarding/doctor';
import { buildSecurityRules } from '../../shared/security/rules';
import { useMotoEnv } from '../support/aws-env';
import { runCli } from '../support/cli';
import { repoText } from '../support/fixtures';
import { type MotoServer, startMoto } from '../support/moto';

const STAGE = 'doc';
const SECRETS = ssmReferences(parseConfigYaml(repoText('klaxon.yml'))).map((s) => s.name);
const RULES = buildSecurityRules().rules;

let moto: MotoServer;
let restore: () => void;

beforeAll(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto.endpoint);
});

afterAll(async () => {
  restore();
  await moto.stop();
});

beforeEach(async () => {
  await moto.reset();
});

async function trail(options: {
  multiRegion: boolean;
  validation: boolean;
  kms: boolean;
  logging: boolean;
  management: boolean;
  /** Also log the S3 data events of this bucket. */
  dataEventsOf?: string;
}) {
  const bucket = await fetch(`${moto.endpoint}/klaxon-doctor-trail`, { method: 'PUT' });
  expect(bucket.ok).toBe(true);
  const cloudtrail = new CloudTrailClient({});
  await cloudtrail.send(
    new CreateTrailCommand({
      Name: 'org-trail',
      S3BucketName: 'klaxon-doctor-trail',
      IsMultiRegionTrail: options.multiRegion,
      EnableLogFileValidation: options.validation,
      ...(options.kms ? { KmsKeyId: 'alias/cloudtrail' } : {}),
    }),
  );
  if (options.logging) await cloudtrail.send(new StartLoggingCommand({ Name: 'org-trail' }));
  await cloudtrail.send(
    new PutEventSelectorsCommand({
      TrailName: 'org-trail',
      EventSelectors: [
        {
          ReadWriteType: 'All',
          IncludeManagementEvents: options.management,
          ...(options.dataEventsOf
            ? {
                DataResources: [
                  { Type: 'AWS::S3::Object', Values: [`arn:aws:s3:::${options.dataEventsOf}/`] },
                ],
              }
            : {}),
        },
      ],
    }),
  );
}

/** A bucket tagged sensitive (its S3 data events should be logged by a trail). */
async function sensitiveBucket(name: string) {
  const s3 = new S3Client({});
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  await s3.send(
    new PutBucketTaggingCommand({
      Bucket: name,
      Tagging: { TagSet: [{ Key: 'data-classification', Value: 'confidential' }] },
    }),
  );
  // An untagged bucket is not sensitive (GetBucketTagging answers NoSuchTagSet).
  await s3.send(new CreateBucketCommand({ Bucket: `${name}-public-assets` }));
}

async function rules(skip: (name: string) => boolean, state: (name: string, wanted: RuleState) => RuleState) {
  const events = new EventBridgeClient({});
  const all = [
    { name: `${alarmRulePrefix(STAGE)}2`, state: 'ENABLED' as RuleState },
    ...RULES.map((r) => ({ name: securityRuleName(STAGE, r.id), state: r.state as RuleState })),
  ];
  for (const rule of all) {
    if (skip(rule.name)) continue;
    await events.send(
      new PutRuleCommand({
        Name: rule.name,
        State: state(rule.name, rule.state),
        EventPattern: JSON.stringify({ source: ['aws.cloudwatch'] }),
      }),
    );
  }
}

async function topic(policy: 'cloudwatch' | 'events-only', kms?: string): Promise<string> {
  const sns = new SNSClient({});
  const { TopicArn } = await sns.send(
    new CreateTopicCommand({
      Name: `klaxon-${STAGE}-alarms`,
      ...(kms ? { Attributes: { KmsMasterKeyId: kms } } : {}),
    }),
  );
  const arn = TopicArn as string;
  const principal = policy === 'cloudwatch' ? 'cloudwatch.amazonaws.com' : 'events.amazonaws.com';
  await sns.send(
    new SetTopicAttributesCommand({
      TopicArn: arn,
      AttributeName: 'Policy',
      AttributeValue: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OneService',
            Effect: 'Allow',
            Principal: { Service: principal },
            Action: 'sns:Publish',
            Resource: arn,
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          },
        ],
      }),
    }),
  );
  return arn;
}

async function alarm(name: string, arn: string, ok: boolean) {
  await new CloudWatchClient({}).send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: 'checkout' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [arn],
      OKActions: ok ? [arn] : [],
      InsufficientDataActions: [arn],
    }),
  );
}

async function secrets(skip: string[] = []) {
  const ssm = new SSMClient({});
  for (const name of SECRETS) {
    if (skip.includes(name)) continue;
    await ssm.send(
      new PutParameterCommand({
        Name: `/klaxon/${STAGE}/${name}`,
        Type: 'SecureString',
        Value: `value-of-${name}`,
      }),
    );
  }
}

async function doctor(): Promise<{ code: number; findings: Finding[]; text: string }> {
  const json = await runCli('doctor', '--stage', STAGE, '--json');
  const text = await runCli('doctor', '--stage', STAGE);
  expect(text.code).toBe(json.code);
  return {
    code: json.code,
    findings: (JSON.parse(json.stdout) as { findings: Finding[] }).findings,
    text: text.stdout,
  };
}

describe('klaxon doctor against moto_server', () => {
  it('reports nothing at error level on a healthy setup', async () => {
    expect(SECRETS).toEqual(expect.arrayContaining(['pagerduty-oncall', 'slack-alerts']));
    await sensitiveBucket('payroll-exports');
    await trail({
      multiRegion: true,
      validation: true,
      kms: true,
      logging: true,
      management: true,
      dataEventsOf: 'payroll-exports',
    });
    await rules(
      () => false,
      (_, wanted) => wanted,
    );
    const arn = await topic('cloudwatch');
    await alarm('api-checkout-errors', arn, true);
    await secrets();
    const { code, findings, text } = await doctor();
    expect(findings.filter((f) => f.severity === 'error' || f.severity === 'warning')).toEqual([]);
    expect(findings.map((f) => `${f.check} ${f.severity}`)).toEqual([
      'trail ok',
      'rules ok',
      'topic ok',
      'alarms ok',
      'secrets ok',
    ]);
    expect(code).toBe(EXIT.ok);
    expect(text).toContain('0 errors, 0 warnings, 0 notes.');
  });

  it('reports every planted misconfiguration, and exits 1', async () => {
    // A single-region trail without validation, KMS, logging or management events...
    await trail({ multiRegion: false, validation: false, kms: false, logging: false, management: false });
    // ...and a multi-region one with the same defects, so each is reported.
    await fetch(`${moto.endpoint}/klaxon-doctor-trail-2`, { method: 'PUT' });
    const cloudtrail = new CloudTrailClient({});
    await cloudtrail.send(
      new CreateTrailCommand({
        Name: 'multi',
        S3BucketName: 'klaxon-doctor-trail-2',
        IsMultiRegionTrail: true,
      }),
    );
    await cloudtrail.send(
      new PutEventSelectorsCommand({
        TrailName: 'multi',
        EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false }],
      }),
    );
    const readOnly = RULES.find((r) => r.readOnly) as (typeof RULES)[number];
    const disabled = RULES.find((r) => r.id !== readOnly.id) as (typeof RULES)[number];
    const missing = RULES.find((r) => r.id !== readOnly.id && r.id !== disabled.id) as (typeof RULES)[number];
    await rules(
      (name) => name === `${alarmRulePrefix(STAGE)}2` || name === securityRuleName(STAGE, missing.id),
      (name, wanted) =>
        name === securityRuleName(STAGE, disabled.id)
          ? 'DISABLED'
          : name === securityRuleName(STAGE, readOnly.id)
            ? 'ENABLED'
            : wanted,
    );
    const arn = await topic('events-only', 'alias/aws/sns');
    await alarm('api-checkout-errors', arn, false);
    await secrets(['slack-alerts']);
    await sensitiveBucket('payroll-exports');

    const { code, findings, text } = await doctor();
    expect(code).toBe(EXIT.failure);
    const messages = findings.map((f) => `${f.severity} ${f.check}: ${f.message}`);
    const expected = [
      /^error trail: trail multi is not logging/,
      /^warning trail: trail multi has no log file validation/,
      /^warning trail: trail multi is not encrypted with a KMS key/,
      /^error trail: trail multi does not log management events/,
      /^warning trail: bucket payroll-exports is tagged sensitive, but no trail logs its S3 data events/,
      new RegExp(
        `^error rules: rule ${alarmRulePrefix(STAGE)}<n> \\(alarm state changes to Klaxon\\) is missing`,
      ),
      new RegExp(
        `^error rules: 1 of ${RULES.length} security rules missing .*${securityRuleName(STAGE, missing.id)}`,
      ),
      new RegExp(`^error rules: security rules disabled: ${securityRuleName(STAGE, disabled.id)}`),
      new RegExp(
        `^warning rules: security rules in the wrong state .*${securityRuleName(STAGE, readOnly.id)} \\(ENABLED`,
      ),
      /^error topic: the policy of klaxon-doc-alarms does not let cloudwatch.amazonaws.com publish/,
      /^error topic: klaxon-doc-alarms is encrypted with the AWS managed key alias\/aws\/sns/,
      /^error alarms: alarm api-checkout-errors notifies Klaxon on ALARM but not on OK/,
      /^error secrets: secret slack-alerts \(receivers\.alerts\.webhookUrl\) is missing: no parameter \/klaxon\/doc\/slack-alerts/,
    ];
    for (const pattern of expected)
      expect(
        messages.some((m) => pattern.test(m)),
        String(pattern),
      ).toBe(true);
    expect(messages).toHaveLength(expected.length);
    expect(findings.every((f) => f.fix)).toBe(true);
    // Secret values are never printed.
    expect(text).not.toContain('value-of-');
    expect(text).toContain('fix: aws ssm put-parameter --type SecureString --name /klaxon/doc/slack-alerts');
  });

  it('reports a missing multi-region trail and Klaxon not deployed in the region', async () => {
    await trail({ multiRegion: false, validation: true, kms: true, logging: true, management: true });
    const { code, findings } = await doctor();
    expect(code).toBe(EXIT.failure);
    expect(findings.find((f) => f.check === 'trail')?.message).toBe(
      'no multi-region trail (org-trail log one region only)',
    );
    expect(findings.find((f) => f.check === 'topic')?.message).toMatch(
      /^topic klaxon-doc-alarms not found in us-east-1/,
    );
    expect(findings.filter((f) => f.check === 'secrets' && f.severity === 'error')).toHaveLength(
      SECRETS.length,
    );
  });
});
