import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderMemberForwarding } from '../../scripts/generate-member-forwarding';
import { buildSecurityRules } from '../../shared/security/rules';
import { buildSourcesFile } from '../../shared/sources/rules';
import { REPO_ROOT, repoText } from '../support/fixtures';

const run = promisify(execFile);

describe('member forwarding template (deploy/member-forwarding.json)', () => {
  it('is up to date with the detection catalog', async () => {
    expect(repoText('deploy/member-forwarding.json')).toBe(await renderMemberForwarding());
  });

  it('forwards alarm state changes, informational events, findings and every detection pattern, with the rule states they need', () => {
    const template = JSON.parse(repoText('deploy/member-forwarding.json')) as {
      Resources: Record<string, { Type: string; Properties: { State?: string; EventPattern?: unknown } }>;
    };
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    const patterns = rules.map((r) => JSON.stringify(r.Properties.EventPattern));
    for (const rule of buildSecurityRules().rules) {
      const found = rules.find(
        (r) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify(rule.eventBridge.pattern),
      );
      expect(found, rule.id).toBeDefined();
      expect(found?.Properties.State).toBe(rule.state);
    }
    const { eventPatterns } = buildSourcesFile();
    expect(patterns).toContain(JSON.stringify(eventPatterns.alarmStateChanges));
    expect(patterns).toContain(JSON.stringify(eventPatterns.informational));
  });

  it('passes cfn-lint and stays deployable without an S3 upload (under 51,200 bytes)', async () => {
    const result = await run('cfn-lint', ['deploy/member-forwarding.json'], { cwd: REPO_ROOT }).then(
      () => 0,
      (error: { code?: number }) => error.code ?? 1,
    );
    expect(result & 3).toBe(0);
    expect(Buffer.byteLength(repoText('deploy/member-forwarding.json'))).toBeLessThan(51_200);
  });
});
