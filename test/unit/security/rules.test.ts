import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DETECTIONS, type Detection } from '../../../shared/security/catalog';
import { type EventPattern, matchesPattern } from '../../../shared/security/pattern';
import {
  buildSecurityRules,
  FINDING_RULES,
  MAX_MERGED_PATTERN_CHARS,
  type SecurityRule,
  type SecurityRulesFile,
} from '../../../shared/security/rules';
import { renderRuleStates } from '../../../scripts/generate-security-rules';
import { fixture, REPO_ROOT, repoText } from '../../support/fixtures';

const CLOUDTRAIL_EVENTS = readdirSync(join(REPO_ROOT, 'events', 'cloudtrail')).map((f) =>
  fixture(`cloudtrail/${f}`),
);

const onDisk = JSON.parse(repoText('deploy/security-rules.json')) as SecurityRulesFile;

describe('deploy/security-rules.json', () => {
  it('is exactly what the generator makes from the catalog (run npx tsx scripts/generate-security-rules.ts)', () => {
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(buildSecurityRules())));
  });

  it('has its ids, states and regions in shared/onboarding/security-rule-states.json, for the self-check (run the same generator)', async () => {
    expect(repoText('shared/onboarding/security-rule-states.json')).toBe(await renderRuleStates());
    const states = JSON.parse(repoText('shared/onboarding/security-rule-states.json')) as {
      rules: Array<{ id: string; state: string; region: string }>;
    };
    expect(states.rules).toEqual(onDisk.rules.map(({ id, state, region }) => ({ id, state, region })));
  });

  it('delivers every detection through exactly one rule that admits whatever its pattern admits, with its state and region', () => {
    for (const detection of DETECTIONS) {
      const rules = onDisk.rules.filter((r) => r.detections.includes(detection.id));
      expect(rules, detection.id).toHaveLength(1);
      const [rule] = rules as [SecurityRule];
      const names = (p: EventPattern) =>
        ((p.detail as EventPattern | undefined)?.eventName ?? []) as unknown[];
      expect(names(rule.eventBridge.pattern), detection.id).toEqual(
        expect.arrayContaining([...names(detection.pattern)]),
      );
      for (const event of CLOUDTRAIL_EVENTS) {
        if (matchesPattern(detection.pattern, event)) {
          expect(matchesPattern(rule.eventBridge.pattern, event), detection.id).toBe(true);
        }
      }
      if (detection.readOnly) expect(rule.state).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
      if (detection.region === 'all') expect(rule.region).toBe('all');
    }
  });

  it('merges only patterns that differ in event names (or in excluding failed calls), within the size bound', () => {
    const strip = (p: EventPattern) => {
      const { eventName: _n, errorCode: _e, ...detail } = (p.detail ?? {}) as EventPattern;
      return JSON.stringify({ ...p, detail });
    };
    for (const rule of onDisk.rules.filter((r) => r.detections.length > 1)) {
      const members = rule.detections.map((id) => DETECTIONS.find((d) => d.id === id) as Detection);
      for (const d of members) expect(strip(d.pattern), d.id).toBe(strip(rule.eventBridge.pattern));
      expect(new Set(members.map((d) => d.readOnly)).size).toBe(1);
      expect(JSON.stringify(rule.eventBridge.pattern).length).toBeLessThanOrEqual(MAX_MERGED_PATTERN_CHARS);
    }
    // 86 detections, far fewer rules: the member forwarding template must stay deployable inline.
    expect(onDisk.rules.length).toBeLessThan(DETECTIONS.length * 0.6);
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
