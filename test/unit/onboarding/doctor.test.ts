import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseConfigYaml } from '../../../shared/config/yaml';
import {
  type AlarmFacts,
  alarmRulePrefix,
  checkAlarms,
  checkRules,
  checkSecrets,
  checkTopic,
  checkTrail,
  type DoctorContext,
  type DoctorPort,
  type EventSelectorFacts,
  isSensitiveTagSet,
  logsS3DataEvents,
  managementEvents,
  policyAllowsCloudWatch,
  type RuleFacts,
  runDoctor,
  securityRuleName,
  ssmReferences,
  type TrailFacts,
} from '../../../shared/onboarding/doctor';
import { buildSecurityRules } from '../../../shared/security/rules';
import { repoText } from '../../support/fixtures';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:klaxon-prod-alarms';
const RULES = buildSecurityRules().rules;
const CONTEXT: DoctorContext = {
  stage: 'prod',
  secrets: [{ name: 'slack-alerts', path: 'receivers.alerts.webhookUrl' }],
};

const GOOD_TRAIL: TrailFacts = {
  name: 'org',
  arn: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/org',
  multiRegion: true,
  logFileValidation: true,
  kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1',
};

const ALL_MANAGEMENT: EventSelectorFacts = {
  selectors: [{ includeManagementEvents: true, readWriteType: 'All' }],
  advanced: [],
};

function allRules(stage = 'prod'): RuleFacts[] {
  return [
    { name: `${alarmRulePrefix(stage)}2`, state: 'ENABLED' },
    ...RULES.map((r) => ({ name: securityRuleName(stage, r.id), state: r.state })),
  ];
}

const CLOUDWATCH_POLICY = JSON.stringify({
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: TOPIC,
    },
  ],
});

/** A healthy account; override what a test breaks. */
function port(overrides: Partial<DoctorPort> = {}): DoctorPort {
  return {
    region: 'us-east-1',
    sensitiveBuckets: async () => [],
    describeTrails: async () => [GOOD_TRAIL],
    trailIsLogging: async () => true,
    eventSelectors: async () => ALL_MANAGEMENT,
    listRules: async () => allRules(),
    findTopic: async () => ({ arn: TOPIC, policy: CLOUDWATCH_POLICY }),
    describeAlarms: async (): Promise<AlarmFacts[]> => [
      {
        name: 'a',
        kind: 'metric',
        alarmActions: [TOPIC],
        okActions: [TOPIC],
        insufficientDataActions: [TOPIC],
      },
    ],
    parameterExists: async () => true,
    ...overrides,
  };
}

const severities = (findings: Array<{ severity: string }>) => findings.map((f) => f.severity);

describe('doctor checks over a fake port', () => {
  it('a healthy account: one ok finding per check', async () => {
    const findings = await runDoctor(port(), CONTEXT);
    expect(findings.map((f) => `${f.check} ${f.severity}`)).toEqual([
      'trail ok',
      'rules ok',
      'topic ok',
      'alarms ok',
      'secrets ok',
    ]);
  });

  it('trail: none, single-region only, and each defect of a multi-region trail', async () => {
    expect((await checkTrail(port({ describeTrails: async () => [] }), CONTEXT))[0]).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('no CloudTrail trail'),
    });
    const single = await checkTrail(
      port({ describeTrails: async () => [{ ...GOOD_TRAIL, multiRegion: false }] }),
      CONTEXT,
    );
    expect(single[0]?.message).toBe('no multi-region trail (org log one region only)');
    const broken = await checkTrail(
      port({
        describeTrails: async () => [{ ...GOOD_TRAIL, logFileValidation: false, kmsKeyId: undefined }],
        trailIsLogging: async () => false,
        eventSelectors: async () => ({
          selectors: [{ includeManagementEvents: true, readWriteType: 'WriteOnly' }],
          advanced: [],
        }),
      }),
      CONTEXT,
    );
    expect(broken.map((f) => `${f.severity}: ${f.message}`)).toEqual([
      'error: trail org is not logging',
      'warning: trail org has no log file validation (tampering with its logs would go unnoticed)',
      'warning: trail org is not encrypted with a KMS key (SSE-KMS)',
      'warning: trail org logs write-only management events only (the read-only detections need all)',
    ]);
  });

  it('trail: one good trail among bad ones is enough', async () => {
    const bad = { ...GOOD_TRAIL, name: 'old', arn: 'old', logFileValidation: false };
    expect(
      severities(await checkTrail(port({ describeTrails: async () => [bad, GOOD_TRAIL] }), CONTEXT)),
    ).toEqual(['ok']);
  });

  it('an API that fails (e.g. not implemented, access denied) is "could not check", never a crash', async () => {
    const denied = Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
    const fail = async () => {
      throw denied;
    };
    const findings = await runDoctor(
      port({
        describeTrails: fail,
        listRules: fail,
        findTopic: fail,
        describeAlarms: fail,
        parameterExists: fail,
      }),
      CONTEXT,
    );
    expect(findings).toHaveLength(5);
    for (const f of findings) {
      expect(f.severity).toBe('warning');
      expect(f.message).toMatch(/^could not check .*: AccessDeniedException: User is not authorized$/);
    }
    const partial = await checkTrail(port({ eventSelectors: fail }), CONTEXT);
    expect(partial[0]?.message).toMatch(/^could not check the event selectors of org/);
  });

  it('management events from classic and advanced selectors', () => {
    expect(managementEvents({ selectors: [], advanced: [] })).toBe('none');
    expect(
      managementEvents({
        selectors: [{ includeManagementEvents: false, readWriteType: 'All' }],
        advanced: [],
      }),
    ).toBe('none');
    expect(
      managementEvents({ selectors: [], advanced: [[{ field: 'eventCategory', equals: ['Management'] }]] }),
    ).toBe('all');
    expect(
      managementEvents({
        selectors: [],
        advanced: [
          [
            { field: 'eventCategory', equals: ['Management'] },
            { field: 'readOnly', equals: ['true'] },
          ],
        ],
      }),
    ).toBe('read-only');
    expect(
      managementEvents({ selectors: [], advanced: [[{ field: 'eventCategory', equals: ['Data'] }]] }),
    ).toBe('none');
  });

  it('sensitive buckets: tags that mark them, and whether a trail logs their S3 data events', async () => {
    expect(isSensitiveTagSet([{ key: 'Sensitive', value: 'TRUE' }])).toBe(true);
    expect(isSensitiveTagSet([{ key: 'data-classification', value: 'Confidential' }])).toBe(true);
    expect(
      isSensitiveTagSet([
        { key: 'sensitive', value: 'false' },
        { key: 'team', value: 'x' },
      ]),
    ).toBe(false);
    const s3Data = (values: string[]): EventSelectorFacts => ({
      selectors: [{ includeManagementEvents: true, dataResources: [{ type: 'AWS::S3::Object', values }] }],
      advanced: [],
    });
    expect(logsS3DataEvents(s3Data(['arn:aws:s3:::payroll/']), 'payroll')).toBe(true);
    expect(logsS3DataEvents(s3Data(['arn:aws:s3']), 'payroll')).toBe(true);
    expect(logsS3DataEvents(s3Data(['arn:aws:s3:::payroll/exports/']), 'payroll')).toBe(false);
    expect(logsS3DataEvents(s3Data(['arn:aws:s3:::other/']), 'payroll')).toBe(false);
    const advanced = (arn?: string[]): EventSelectorFacts => ({
      selectors: [],
      advanced: [
        [
          { field: 'eventCategory', equals: ['Data'] },
          { field: 'resources.type', equals: ['AWS::S3::Object'] },
          ...(arn ? [{ field: 'resources.ARN', startsWith: arn }] : []),
        ],
      ],
    });
    expect(logsS3DataEvents(advanced(), 'payroll')).toBe(true);
    expect(logsS3DataEvents(advanced(['arn:aws:s3:::payroll/']), 'payroll')).toBe(true);
    expect(logsS3DataEvents(advanced(['arn:aws:s3:::payroll/tmp/']), 'payroll')).toBe(false);

    const uncovered = await checkTrail(port({ sensitiveBuckets: async () => ['payroll'] }), CONTEXT);
    expect(uncovered.map((f) => [f.severity, f.subject])).toEqual([
      ['ok', undefined],
      ['warning', 'bucket:payroll:no-data-events'],
    ]);
    expect(uncovered[1]?.fix).toContain('"StartsWith":["arn:aws:s3:::payroll/"]');
    const covered = await checkTrail(
      port({
        sensitiveBuckets: async () => ['payroll'],
        eventSelectors: async () => s3Data(['arn:aws:s3:::payroll/']),
      }),
      CONTEXT,
    );
    expect(covered.map((f) => f.severity)).toEqual(['ok']);
    const denied = await checkTrail(
      port({
        sensitiveBuckets: async () => {
          throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
        },
      }),
      CONTEXT,
    );
    expect(denied.at(-1)?.message).toMatch(/^could not check which buckets are tagged sensitive/);
  });

  it('rules: missing, disabled, wrong state; names match deploy/security-rules.cjs', async () => {
    const require = createRequire(import.meta.url);
    const { ruleName } = require('../../../deploy/security-rules.cjs') as {
      ruleName: (s: string, id: string) => string;
    };
    for (const rule of RULES) expect(securityRuleName('prod', rule.id)).toBe(ruleName('prod', rule.id));
    const readOnly = RULES.find((r, i) => i > 0 && r.readOnly)!;
    const listed = allRules()
      .filter(
        (r) => r.name !== `${alarmRulePrefix('prod')}2` && r.name !== securityRuleName('prod', RULES[0]!.id),
      )
      .map((r) =>
        r.name === securityRuleName('prod', readOnly.id)
          ? { ...r, state: 'ENABLED' }
          : r.name === securityRuleName('prod', RULES.at(-1)!.id)
            ? { ...r, state: 'DISABLED' }
            : r,
      );
    const findings = await checkRules(port({ listRules: async () => listed }), CONTEXT);
    expect(severities(findings)).toEqual(['error', 'error', 'error', 'warning']);
    expect(findings[0]?.message).toContain('klaxon-prod-alarmNotifier-rule-<n>');
    expect(findings[1]?.message).toContain(`1 of ${RULES.length} security rules missing`);
  });

  it('rules: outside us-east-1, a note, and a warning when the global rules are not in us-east-1', async () => {
    const asked: Array<string | undefined> = [];
    const eu = port({
      region: 'eu-west-1',
      listRules: async (_prefix, region) => {
        asked.push(region);
        return region === 'us-east-1' ? [] : allRules();
      },
    });
    const findings = await checkRules(eu, CONTEXT);
    expect(asked).toEqual([undefined, 'us-east-1']);
    expect(severities(findings)).toEqual(['info', 'warning']);
    expect(findings[0]?.message).toMatch(/^eu-west-1 is not us-east-1: \d+ global-service detections/);
    expect(findings[1]?.fix).toBe('npx serverless deploy --stage prod --region us-east-1');
    const deployed = await checkRules(
      port({ region: 'eu-west-1', listRules: async () => allRules() }),
      CONTEXT,
    );
    expect(severities(deployed)).toEqual(['ok', 'info']);
  });

  it('topic: missing, policy without CloudWatch, denied, KMS keys', async () => {
    expect((await checkTopic(port({ findTopic: async () => undefined }), CONTEXT))[0]?.message).toMatch(
      /^topic klaxon-prod-alarms not found in us-east-1/,
    );
    const noPolicy = await checkTopic(port({ findTopic: async () => ({ arn: TOPIC }) }), CONTEXT);
    expect(noPolicy[0]).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('does not let cloudwatch'),
    });
    const managed = await checkTopic(
      port({
        findTopic: async () => ({ arn: TOPIC, policy: CLOUDWATCH_POLICY, kmsMasterKeyId: 'alias/aws/sns' }),
      }),
      CONTEXT,
    );
    expect(severities(managed)).toEqual(['error']);
    const custom = await checkTopic(
      port({
        findTopic: async () => ({ arn: TOPIC, policy: CLOUDWATCH_POLICY, kmsMasterKeyId: 'alias/klaxon' }),
      }),
      CONTEXT,
    );
    expect(custom[0]).toMatchObject({
      severity: 'warning',
      message: expect.stringContaining('key policy must allow CloudWatch'),
    });
  });

  it('topic policy evaluation', () => {
    const policy = (...Statement: unknown[]) => JSON.stringify({ Statement });
    const allow = {
      Effect: 'Allow',
      Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] },
      Action: ['SNS:Publish'],
      Resource: TOPIC,
    };
    expect(policyAllowsCloudWatch(policy(allow), TOPIC)).toBe('allowed');
    expect(
      policyAllowsCloudWatch(
        policy({ ...allow, Principal: { AWS: '*' }, Action: 'sns:*', Resource: '*' }),
        TOPIC,
      ),
    ).toBe('allowed');
    expect(
      policyAllowsCloudWatch(
        policy({ ...allow, Resource: 'arn:aws:sns:us-east-1:123456789012:other' }),
        TOPIC,
      ),
    ).toBe('not-allowed');
    expect(policyAllowsCloudWatch(policy(allow, { ...allow, Effect: 'Deny' }), TOPIC)).toBe('denied');
    expect(policyAllowsCloudWatch('not json', TOPIC)).toBe('not-allowed');
  });

  it('alarms: reaching Klaxon without OK actions is an error; missing INSUFFICIENT_DATA a note', async () => {
    const findings = await checkAlarms(
      port({
        describeAlarms: async () => [
          {
            name: 'no-ok',
            kind: 'metric',
            alarmActions: [TOPIC],
            okActions: [],
            insufficientDataActions: [TOPIC],
          },
          {
            name: 'no-data',
            kind: 'metric',
            alarmActions: [TOPIC],
            okActions: [TOPIC],
            insufficientDataActions: [],
          },
          {
            name: 'elsewhere',
            kind: 'metric',
            alarmActions: ['arn:aws:sns:us-east-1:1:other'],
            okActions: [],
            insufficientDataActions: [],
          },
          {
            name: 'composite',
            kind: 'composite',
            alarmActions: [TOPIC],
            okActions: [],
            insufficientDataActions: [],
          },
        ],
      }),
      CONTEXT,
    );
    expect(findings.map((f) => `${f.severity}: ${f.message}`)).toEqual([
      'error: alarm no-ok notifies Klaxon on ALARM but not on OK: its alerts never resolve',
      'error: alarm composite notifies Klaxon on ALARM but not on OK: its alerts never resolve',
      'info: 1 alarms do not notify Klaxon on INSUFFICIENT_DATA (a silent metric goes unnoticed): no-data',
    ]);
  });

  it('secrets: each missing one by name and path, once, under /klaxon/<stage>/', async () => {
    const asked: string[] = [];
    const findings = await checkSecrets(
      port({
        parameterExists: async (name) => {
          asked.push(name);
          return name.endsWith('/pagerduty-oncall');
        },
      }),
      {
        stage: 'prod',
        secrets: [
          { name: 'pagerduty-oncall', path: 'receivers.oncall.routingKey' },
          { name: 'slack-alerts', path: 'receivers.alerts.webhookUrl' },
          { name: 'slack-alerts', path: 'receivers.other.webhookUrl' },
        ],
      },
    );
    expect(asked).toEqual(['/klaxon/prod/pagerduty-oncall', '/klaxon/prod/slack-alerts']);
    expect(findings.map((f) => f.message)).toEqual([
      'secret slack-alerts (receivers.alerts.webhookUrl, receivers.other.webhookUrl) is missing: no parameter /klaxon/prod/slack-alerts',
    ]);
  });

  it('finds the {ssm: name} references of the example klaxon.yml', () => {
    expect(ssmReferences(parseConfigYaml(repoText('klaxon.yml')))).toEqual(
      expect.arrayContaining([
        { name: 'pagerduty-oncall', path: 'receivers.oncall.routingKey' },
        { name: 'slack-alerts', path: 'receivers.alerts.webhookUrl' },
      ]),
    );
    expect(ssmReferences({ a: [{ b: { ssm: 'x' } }], c: { env: 'Y' } })).toEqual([
      { name: 'x', path: 'a[0].b' },
    ]);
  });
});

describe('finding subjects (the self-check identity of a finding)', () => {
  /** An account where every check finds something, with `missing` security rules absent. */
  function broken(missing: number): DoctorPort {
    return port({
      describeTrails: async () => [
        { ...GOOD_TRAIL, logFileValidation: false, kmsKeyId: undefined },
        { ...GOOD_TRAIL, name: 'local', arn: `${GOOD_TRAIL.arn}-local`, multiRegion: false },
      ],
      trailIsLogging: async () => false,
      eventSelectors: async () => ({
        selectors: [{ includeManagementEvents: true, readWriteType: 'WriteOnly' }],
        advanced: [],
      }),
      listRules: async () =>
        allRules()
          .slice(missing + 1)
          .map((r, i) => (i === 0 ? { ...r, state: 'DISABLED' } : r)),
      findTopic: async () => ({ arn: TOPIC, kmsMasterKeyId: 'arn:aws:kms:us-east-1:123456789012:key/2' }),
      describeAlarms: async () => [
        { name: 'x', kind: 'metric', alarmActions: [TOPIC], okActions: [], insufficientDataActions: [] },
        {
          name: 'y',
          kind: 'metric',
          alarmActions: [TOPIC],
          okActions: [TOPIC],
          insufficientDataActions: [],
        },
      ],
      parameterExists: async () => false,
    });
  }

  it('gives every finding but ok a subject, unique within its check', async () => {
    const findings = await runDoctor(broken(3), CONTEXT);
    const reported = findings.filter((f) => f.severity !== 'ok');
    expect(new Set(reported.map((f) => f.check))).toEqual(
      new Set(['trail', 'rules', 'topic', 'alarms', 'secrets']),
    );
    for (const finding of reported) expect(finding.subject, finding.message).toMatch(/\S/);
    const keys = reported.map((f) => `${f.check} ${f.subject}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(reported.map((f) => f.subject)).toEqual(
      expect.arrayContaining([
        `trail:${GOOD_TRAIL.arn}:not-logging`,
        `trail:${GOOD_TRAIL.arn}:partial-management-events`,
        'alarm-rule-missing',
        'security-rules-missing',
        'security-rules-disabled',
        'topic-kms-customer-key',
        'alarm:x:no-ok-action',
        'alarms-without-insufficient-data-action',
        'secret:slack-alerts:missing',
      ]),
    );
  });

  it('keeps the subject when the counts and lists in the message change', async () => {
    const rules = async (missing: number) =>
      (await checkRules(broken(missing), CONTEXT)).find((f) => f.subject === 'security-rules-missing');
    const [three, five] = [await rules(3), await rules(5)];
    expect(three?.message).toContain(`3 of ${RULES.length} security rules missing`);
    expect(five?.message).toContain(`5 of ${RULES.length} security rules missing`);
    const singleRegion = async (names: string[]) =>
      (
        await checkTrail(
          port({
            describeTrails: async () =>
              names.map((name) => ({ ...GOOD_TRAIL, name, arn: `arn:${name}`, multiRegion: false })),
          }),
          CONTEXT,
        )
      )[0];
    const [one, two] = [await singleRegion(['a']), await singleRegion(['a', 'b'])];
    expect(one?.message).not.toBe(two?.message);
    expect(one?.subject).toBe('no-multi-region-trail');
    expect(two?.subject).toBe('no-multi-region-trail');
    const denied = (message: string) =>
      checkTrail(
        port({
          describeTrails: async () => {
            throw Object.assign(new Error(message), { name: 'AccessDeniedException' });
          },
        }),
        CONTEXT,
      );
    const [first, second] = [await denied('request 1'), await denied('request 2')];
    expect(first[0]?.message).not.toBe(second[0]?.message);
    expect(first[0]?.subject).toBe('could-not-check:CloudTrail trails');
    expect(second[0]?.subject).toBe(first[0]?.subject);
  });
});
