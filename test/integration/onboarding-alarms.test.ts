import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXIT } from '../../cli/klaxon';
import { runCli } from '../support/cli';

const run = promisify(execFile);

const RESOURCES = [
  '--stage',
  'prod',
  '--team',
  'payments',
  '--runbook-base',
  'https://runbooks.example.com/payments',
  '--lambda',
  'checkout,refund',
  '--instance',
  'i-0123456789abcdef0',
  '--asg',
  'web-asg',
  '--table',
  'orders',
  '--alb',
  'app/web/50dc6c495c0c9188',
  '--target-group',
  'targetgroup/web-tg/73e2d6bc24d8a067',
];

/** cfn-lint's exit code is a bit mask: 1 fatal, 2 error, 4 warning, 8 informational. */
async function cfnLint(path: string): Promise<{ code: number; output: string }> {
  return run('cfn-lint', [path]).then(
    ({ stdout }) => ({ code: 0, output: stdout }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? '' }),
  );
}

interface Template {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

describe('klaxon alarms output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-alarms-'));

  it('CloudFormation JSON for a full set of resources passes cfn-lint, every alarm notifying Klaxon in all states', async () => {
    const path = join(dir, 'alarms.json');
    const result = await runCli('alarms', ...RESOURCES, '--out', path);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stderr).toContain(`wrote 19 alarms (cloudformation) to ${path}`);
    const lint = await cfnLint(path);
    expect(lint.code & 3, lint.output).toBe(0);
    const template = JSON.parse(readFileSync(path, 'utf8')) as Template;
    const alarms = Object.values(template.Resources);
    expect(alarms).toHaveLength(19);
    expect(alarms.filter((a) => a.Type === 'AWS::CloudWatch::CompositeAlarm')).toHaveLength(1);
    const topic = {
      'Fn::If': [
        'AlarmTopicArnGiven',
        { Ref: 'AlarmTopicArn' },
        { 'Fn::ImportValue': 'klaxon-prod-AlarmTopicArn' },
      ],
    };
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
      expect(alarm.Properties.OKActions).toEqual([topic]);
      expect(alarm.Properties.InsufficientDataActions).toEqual([topic]);
      const tags = Object.fromEntries(
        (alarm.Properties.Tags as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]),
      );
      expect(tags).toMatchObject({
        team: 'payments',
        severity: expect.stringMatching(/^(critical|warning)$/),
      });
      expect(tags.runbook).toMatch(/^https:\/\/runbooks\.example\.com\/payments\/[a-z0-9-]+$/);
    }
  });

  it('CloudFormation YAML (chosen by the .yaml extension) passes cfn-lint too', async () => {
    const path = join(dir, 'alarms.yaml');
    expect((await runCli('alarms', ...RESOURCES, '--out', path)).code).toBe(EXIT.ok);
    const lint = await cfnLint(path);
    expect(lint.code & 3, lint.output).toBe(0);
    expect(Object.keys((parse(readFileSync(path, 'utf8')) as Template).Resources)).toHaveLength(19);
  });
});
