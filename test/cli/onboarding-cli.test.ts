import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { doctorVerb, formatFindings } from '../../cli/doctor';
import { EXIT } from '../../cli/klaxon';
import type { VerbIo } from '../../cli/verbs';
import type { DoctorPort } from '../../shared/onboarding/doctor';
import { runCli } from '../support/cli';

const run = runCli;

describe('klaxon alarms', () => {
  it('prints Terraform to stdout for a Lambda function', async () => {
    const { code, stdout } = await run(
      'alarms',
      '--stage',
      'prod',
      '--format',
      'terraform',
      '--lambda',
      'checkout',
      '--team',
      'web',
    );
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain(
      'resource "aws_cloudwatch_metric_alarm" "lambda_checkout_error_rate_critical" {',
    );
    expect(stdout).toContain('resource "aws_cloudwatch_composite_alarm" "service_down_web" {');
    expect(stdout.match(/^resource /gm)).toHaveLength(5);
  });

  it('prints CloudFormation JSON by default; repeated and comma-separated flags add up', async () => {
    const { code, stdout } = await run('alarms', '--stage', 'dev', '--table', 'a,b', '--table', 'c');
    expect(code).toBe(EXIT.ok);
    const template = JSON.parse(stdout) as { Resources: Record<string, unknown> };
    expect(Object.keys(template.Resources)).toEqual([
      'DynamodbAThrottled',
      'DynamodbBThrottled',
      'DynamodbCThrottled',
      'ServiceDownPlatform',
    ]);
    expect(stdout).toContain('"Fn::ImportValue": "klaxon-dev-AlarmTopicArn"');
  });

  it('usage errors exit 2', async () => {
    for (const args of [
      ['--lambda', 'f'],
      ['--stage', 'prod'],
      ['--stage', 'prod', '--lambda', 'f', '--format', 'pulumi'],
      ['--stage', 'prod', '--alb', 'app/web/1'],
      ['--stage', 'prod', '--alb', 'web', '--target-group', 'tg'],
      ['--stage', 'prod', '--lambda', 'f', '--runbook-base', 'runbooks'],
      ['--stage', 'prod', '--lambda', 'f', '--bogus'],
    ]) {
      const result = await run('alarms', ...args);
      expect(result.code, args.join(' ')).toBe(EXIT.usage);
      expect(result.stderr).toMatch(/^klaxon/);
    }
  });

  it('--help, and the top-level help lists both verbs', async () => {
    expect((await run('alarms', '--help')).stdout).toContain('klaxon alarms --stage s');
    expect((await run('doctor', '--help')).stdout).toContain('klaxon doctor --stage s');
    const help = (await run('--help')).stdout;
    expect(help).toContain('klaxon alarms --stage <stage>');
    expect(help).toContain('klaxon doctor --stage <stage> [--region r] [--json]');
  });
});

describe('klaxon doctor', () => {
  const io = () => {
    const out: string[] = [];
    const verbIo: VerbIo = { out: (t) => out.push(t), err: (t) => out.push(t), now: () => new Date() };
    return { out, verbIo };
  };
  const healthy: DoctorPort = {
    region: 'eu-west-1',
    sensitiveBuckets: async () => [],
    describeTrails: async () => [
      { name: 'org', arn: 'org', multiRegion: true, logFileValidation: true, kmsKeyId: 'k' },
    ],
    trailIsLogging: async () => true,
    eventSelectors: async () => ({ selectors: [{ includeManagementEvents: true }], advanced: [] }),
    listRules: async () => [],
    findTopic: async () => undefined,
    describeAlarms: async () => [],
    parameterExists: async () => false,
  };

  it('--stage is required; a bad klaxon.yml is exit 4', async () => {
    expect((await run('doctor')).code).toBe(EXIT.usage);
    const bad = join(mkdtempSync(join(tmpdir(), 'klaxon-doctor-')), 'klaxon.yml');
    writeFileSync(bad, 'receivers: 3\n');
    expect((await run('doctor', '--stage', 'prod', '--config', bad)).code).toBe(EXIT.badConfig);
  });

  it('prints each finding with its fix and exits 1 on an error-level finding', async () => {
    const { out, verbIo } = io();
    const code = await doctorVerb(
      { stage: 'prod', region: 'eu-west-1', config: 'klaxon.yml', json: false },
      verbIo,
      () => healthy,
    );
    expect(code).toBe(1);
    const text = out.join('');
    expect(text).toMatch(
      /^klaxon doctor: stage prod, region eu-west-1\nok {5}trail {4}trail org: multi-region/,
    );
    expect(text).toContain(
      'ERROR  secrets  secret pagerduty-oncall (receivers.oncall.routingKey) is missing',
    );
    expect(text).toContain(
      'fix: aws ssm put-parameter --type SecureString --name /klaxon/prod/pagerduty-oncall',
    );
    expect(text).toMatch(/\d+ errors, 1 warnings, 1 notes\.\n$/);
  });

  it('--json reports check, severity, message and fix, not the self-check subject', async () => {
    const { out, verbIo } = io();
    await doctorVerb(
      { stage: 'prod', region: 'eu-west-1', config: 'klaxon.yml', json: true },
      verbIo,
      () => healthy,
    );
    const report = JSON.parse(out.join('')) as { findings: Array<Record<string, unknown>> };
    expect(report.findings.find((f) => f.check === 'secrets' && f.severity === 'error')).toEqual({
      check: 'secrets',
      severity: 'error',
      message: expect.stringMatching(/^secret pagerduty-oncall \(receivers\.oncall\.routingKey\) is missing/),
      fix: expect.stringContaining('aws ssm put-parameter'),
    });
    for (const finding of report.findings) expect(Object.keys(finding)).not.toContain('subject');
  });

  it('formats an empty report', () => {
    expect(formatFindings([])).toBe('0 errors, 0 warnings, 0 notes.\n');
  });
});
