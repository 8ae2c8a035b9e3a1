import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replay } from '../../../cli/replay';
import { loadConfig } from '../../../shared/config/yaml';
import type { ReplayLine } from '../../../shared/replay/report';
import { REPO_ROOT, repoText } from '../../support/fixtures';

async function replayJson(paths: string[]): Promise<ReplayLine[]> {
  let stdout = '';
  await replay({
    paths: paths.map((p) => `${REPO_ROOT}${p}`),
    config: loadConfig(repoText('klaxon.yml')),
    live: false,
    json: true,
    outDir: join(mkdtempSync(join(tmpdir(), 'klaxon-replay-')), 'out'),
    cwd: REPO_ROOT,
    stdout: (text) => {
      stdout += text;
    },
    stderr: () => {},
    env: {},
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ReplayLine);
}

describe('replay shows the dry-run remediation decisions of the example klaxon.yml', () => {
  it('for the unhealthy-instance alarm and the security group opened to the world', async () => {
    const [alarm, sg] = await replayJson([
      'events/cloudwatch-alarm/sns-web-unhealthy-instance.json',
      'events/cloudtrail/eventbridge-sg-open-to-world-admin-port-positive.json',
    ]);
    expect(alarm?.alerts[0]?.remediation).toEqual({
      rule: 'restart-unhealthy-web-instance',
      action: 'AWS-RestartEC2Instance',
      mode: 'dry-run',
      parameters: { InstanceId: 'i-0a1b2c3d4e5f67890' },
      outcome: 'dry-run',
      reason: expect.stringMatching(/would start AWS-RestartEC2Instance \(InstanceId=i-0a1b2c3d4e5f67890\)/),
    });
    const detection = sg?.alerts.find((a) => a.labels.detection === 'sg-open-to-world-admin-port');
    expect(detection?.remediation).toMatchObject({
      rule: 'close-world-open-security-group',
      action: 'AWS-DisablePublicAccessForSecurityGroup',
      parameters: { GroupId: 'sg-0a1b2c3d4e5f60718' },
      outcome: 'dry-run',
    });
    // Alerts no rule matches carry no remediation field (the contract change is additive).
    expect(sg?.alerts.find((a) => a.labels.detection !== 'sg-open-to-world-admin-port')).not.toHaveProperty(
      'remediation',
    );
  });
});
