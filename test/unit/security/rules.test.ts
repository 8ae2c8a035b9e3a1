import { describe, expect, it } from 'vitest';
import { DETECTIONS } from '../../../shared/security/catalog';
import { buildSecurityRules, FINDING_RULES, type SecurityRulesFile } from '../../../shared/security/rules';
import { repoText } from '../../support/fixtures';

const onDisk = JSON.parse(repoText('deploy/security-rules.json')) as SecurityRulesFile;

describe('deploy/security-rules.json', () => {
  it('is exactly what the generator makes from the catalog (run npx tsx scripts/generate-security-rules.ts)', () => {
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(buildSecurityRules())));
  });

  it('delivers every detection through exactly one rule carrying its pattern, state and region', () => {
    for (const detection of DETECTIONS) {
      const rules = onDisk.rules.filter((r) => r.detections.includes(detection.id));
      expect(rules, detection.id).toHaveLength(1);
      const [rule] = rules;
      expect(rule?.eventBridge.pattern, detection.id).toEqual(detection.pattern);
      if (detection.readOnly) expect(rule?.state).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
      if (detection.region === 'all') expect(rule?.region).toBe('all');
    }
  });

  it('has no rule without a detection, except the GuardDuty and Security Hub finding rules', () => {
    const ids = new Set(DETECTIONS.map((d) => d.id));
    for (const rule of onDisk.rules) {
      if (rule.detections.length === 0) {
        expect(FINDING_RULES.map((r) => r.id)).toContain(rule.id);
        continue;
      }
      for (const id of rule.detections) expect(ids.has(id), id).toBe(true);
    }
    expect(onDisk.rules.map((r) => r.eventBridge.pattern.source)).toEqual(
      expect.arrayContaining([['aws.guardduty'], ['aws.securityhub']]),
    );
  });

  it('keeps descriptions within the EventBridge limit and rule states consistent with readOnly', () => {
    for (const rule of onDisk.rules) {
      expect(rule.eventBridge.description.length).toBeLessThanOrEqual(512);
      expect(rule.state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS').toBe(rule.readOnly);
    }
  });
});
