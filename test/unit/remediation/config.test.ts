import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/errors';
import { loadConfig } from '../../../shared/config/yaml';
import { repoText } from '../../support/fixtures';

const BASE = `
receivers:
  chat: { type: console }
route:
  receiver: chat
`;

function problems(yaml: string): string[] {
  try {
    loadConfig(`${BASE}${yaml}`);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

describe('remediations in klaxon.yml', () => {
  it('compiles a rule with defaults: dry-run, 30m cooldown, guardrail defaults', () => {
    const config = loadConfig(`${BASE}
remediations:
  - name: restart
    match: { alarmName: 'web-*' }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
`);
    expect(config.remediations[0]).toMatchObject({
      name: 'restart',
      mode: 'dry-run',
      cooldownMs: 30 * 60_000,
      parameters: { InstanceId: { kind: 'label', label: 'InstanceId' } },
    });
    expect(config.remediation).toMatchObject({
      maxPerHour: 10,
      maxConcurrent: 3,
      executionTimeoutMs: 3_600_000,
      breaker: { failures: 3, resetAfterMs: 86_400_000 },
      approval: { expiresAfterMs: 3_600_000, auth: 'link' },
    });
  });

  it('names the bad key: unknown action, undeclared parameter, bad template, literal-only parameter', () => {
    expect(
      problems(`
remediations:
  - name: a
    match: { alarmName: x }
    action: AWS-DeleteEverything
  - name: b
    match: { alarmName: x }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: '{{ labels.InstanceId }}', Force: 'true' }
  - name: c
    match: { alarmName: x }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: '{{ labels.InstanceId | lower }}' }
  - name: d
    match: { alarmName: x }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: 'i-{{ labels.suffix }}' }
  - name: e
    match: { alarmName: x }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: '{{ annotations.summary }}' }
  - name: f
    match: { alarmName: x }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: '{{ labels.InstanceId }}', AutomationAssumeRole: '{{ labels.role }}' }
  - name: g
    match: { alarmName: x }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: 'i-nothex' }
`),
    ).toEqual([
      expect.stringMatching(/^remediations\[0\]\.action: unknown action "AWS-DeleteEverything"/),
      expect.stringMatching(
        /^remediations\[1\]\.parameters\.Force: AWS-RestartEC2Instance declares no parameter "Force"/,
      ),
      expect.stringMatching(
        /^remediations\[2\]\.parameters\.InstanceId: only a whole "\{\{ labels\.<Name> \}\}"/,
      ),
      expect.stringMatching(/^remediations\[3\]\.parameters\.InstanceId: only a whole/),
      expect.stringMatching(/^remediations\[4\]\.parameters\.InstanceId: only a whole/),
      expect.stringMatching(
        /^remediations\[5\]\.parameters\.AutomationAssumeRole: .*may not come from alert labels/,
      ),
      expect.stringMatching(/^remediations\[6\]\.parameters\.InstanceId: value "i-nothex" does not match/),
    ]);
  });

  it('requires fixed commands for Run Command, and never templates in them', () => {
    expect(
      problems(`
remediations:
  - name: a
    match: { alarmName: x }
    action: AWS-RunShellScript
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
  - name: b
    match: { alarmName: x }
    action: AWS-RunShellScript
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
    commands: ['echo {{ labels.alarmName }}']
  - name: c
    match: { alarmName: x }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
    commands: ['reboot']
`),
    ).toEqual([
      'remediations[0].commands: AWS-RunShellScript needs the commands to run, fixed here',
      'remediations[1].commands[0]: commands are fixed text: templates are not allowed in commands',
      'remediations[2].commands: only Run Command actions take commands',
    ]);
  });

  it('checks required parameters, modes, durations, names and receivers', () => {
    expect(
      problems(`
remediation:
  notify: [nobody]
remediations:
  - name: a
    match: { alarmName: x }
    action: AWSConfigRemediation-ConfigureS3PublicAccessBlock
    parameters: { AccountId: '{{ labels.account }}' }
  - name: a
    match: { alarmName: x }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
    verify: { within: 10m, escalateTo: [pager] }
`),
    ).toEqual([
      'remediation.notify[0]: unknown receiver "nobody" (defined: chat)',
      expect.stringMatching(/^remediations\[0\]\.parameters: .*requires parameter "AutomationAssumeRole"/),
      'remediations[1].name: duplicate rule name "a"',
      'remediations[1].verify.escalateTo[0]: unknown receiver "pager" (defined: chat)',
    ]);
    expect(
      problems(`
remediations:
  - name: Bad_Name
    match: { alarmName: x }
    action: AWS-RestartEC2Instance
    mode: yolo
    cooldown: soon
`),
    ).toEqual([
      expect.stringMatching(/^remediations\[0\]\.name: /),
      expect.stringMatching(/^remediations\[0\]\.mode: /),
      'remediations[0].cooldown: a duration such as 45s, 30m, 2h or 1d',
    ]);
  });

  it('ships an example klaxon.yml with dry-run remediations for the SG detection and the unhealthy instance', () => {
    const config = loadConfig(repoText('klaxon.yml'));
    expect(config.remediations.map((r) => [r.name, r.action.name, r.mode])).toEqual([
      ['close-world-open-security-group', 'AWS-DisablePublicAccessForSecurityGroup', 'dry-run'],
      ['restart-unhealthy-web-instance', 'AWS-RestartEC2Instance', 'dry-run'],
    ]);
  });
});
