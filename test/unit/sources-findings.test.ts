import { describe, expect, it } from 'vitest';
import { asffLabel, guardDutySeverityWord, shouldNotifyFindingUpdate } from '../../shared/security/findings';
import { splitEnvelope } from '../../shared/sources/envelope';
import { normalizeRecord } from '../../shared/sources/registry';
import type { AlertDraft, NormalizeResult } from '../../shared/sources/types';
import { fixture } from '../support/fixtures';

function result(path: string): NormalizeResult {
  const [record] = splitEnvelope(fixture(path));
  if (!record) throw new Error('no record');
  return normalizeRecord(record);
}

function only(path: string): AlertDraft {
  const r = result(path);
  if (r.kind !== 'alerts' || r.drafts.length !== 1 || !r.drafts[0])
    throw new Error(`expected one alert from ${path}`);
  return r.drafts[0];
}

const GD_ARN =
  'arn:aws:guardduty:eu-west-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/finding/4ec6b1d0f1e2a3b4c5d6e7f8a9b0c1d2';

describe('severity mapping of findings (DESIGN.md)', () => {
  it('maps GuardDuty scores: 9–10 critical, 7–8.9 high, 4–6.9 medium, below low', () => {
    expect([10, 9, 8.9, 7, 6.9, 4, 3.9, 0].map(guardDutySeverityWord)).toEqual([
      'critical',
      'critical',
      'high',
      'high',
      'medium',
      'medium',
      'low',
      'low',
    ]);
  });

  it('takes the ASFF label, else derives it from the normalized score', () => {
    expect(asffLabel({ Label: 'MEDIUM', Normalized: 95 })).toBe('MEDIUM');
    expect([95, 70, 40, 1, 0].map((n) => asffLabel({ Normalized: n }))).toEqual([
      'CRITICAL',
      'HIGH',
      'MEDIUM',
      'LOW',
      'INFORMATIONAL',
    ]);
  });
});

describe('GuardDuty findings', () => {
  const created = only('guardduty/eventbridge-finding-new.json');

  it('takes account and Region from the finding, not the delegated administrator’s envelope', () => {
    expect(created.labels).toEqual({
      source: 'guardduty',
      account: '111122223333',
      region: 'eu-west-1',
      findingId: '4ec6b1d0f1e2a3b4c5d6e7f8a9b0c1d2',
      findingType: 'UnauthorizedAccess:EC2/SSHBruteForce',
      product: 'GuardDuty',
      resourceType: 'Instance',
      resource: 'i-0a1b2c3d4e5f60718',
      sourceIp: '198.51.100.77',
    });
    expect(created.severityHint).toEqual({ word: 'high', from: 'GuardDuty severity 8' });
    expect(created.status).toBe('firing');
    expect(created.fingerprint).toBe(GD_ARN);
    expect(created.transitionId).toBe(`${GD_ARN}|2026-03-14T09:35:12.408Z|firing:high`);
    expect(created.annotations.consoleUrl).toBe(
      'https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?macros=current&fId=4ec6b1d0f1e2a3b4c5d6e7f8a9b0c1d2',
    );
  });

  it('keeps the fingerprint across updates and gives each update its own transition', () => {
    const updated = only('guardduty/eventbridge-finding-updated.json');
    expect(updated.fingerprint).toBe(created.fingerprint);
    expect(updated.transitionId).not.toBe(created.transitionId);
    expect(updated.annotations.count).toBe('14');
  });

  it('resolves an archived finding with the same fingerprint and severity, so it reaches the same receivers', () => {
    const archived = only('guardduty/eventbridge-finding-archived.json');
    expect(archived.status).toBe('resolved');
    expect(archived.fingerprint).toBe(created.fingerprint);
    expect(archived.severityHint?.word).toBe('high');
    expect(archived.annotations.summary).toMatch(/^RESOLVED \(archived\)/);
  });

  it('maps critical and low findings and reads the remote IP of API calls and port probes', () => {
    const critical = only('guardduty/eventbridge-finding-critical-credential-exfiltration.json');
    expect(critical.severityHint?.word).toBe('critical');
    expect(critical.labels).toMatchObject({
      resource: 'bastion',
      sourceIp: '203.0.113.99',
      resourceType: 'AccessKey',
    });
    const low = only('guardduty/eventbridge-finding-low-port-probe.json');
    expect(low.severityHint?.word).toBe('low');
    expect(low.labels.sourceIp).toBe('192.0.2.201');
  });

  it('rejects the SDK’s PascalCase rendering of a finding as invalid', () => {
    expect(result('guardduty/eventbridge-finding-sdk-pascal-case.json')).toMatchObject({
      kind: 'invalid',
      reason: expect.stringMatching(/^GuardDuty finding: accountId/),
    });
  });
});

describe('Security Hub findings', () => {
  const created = only('securityhub/eventbridge-findings-imported-new.json');
  const SH_ID =
    'arn:aws:securityhub:eu-west-1:111122223333:security-control/S3.8/finding/5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9';

  it('normalizes an imported control finding from the finding, not the envelope', () => {
    expect(created.labels).toMatchObject({
      source: 'securityhub',
      account: '111122223333',
      region: 'eu-west-1',
      findingId: SH_ID,
      findingType: 'Software and Configuration Checks/Industry and Regulatory Standards',
      product: 'Security Hub',
      control: 'S3.8',
      resource: 'arn:aws:s3:::example-reports-prod',
      complianceStatus: 'FAILED',
      workflowStatus: 'NEW',
    });
    expect(created.fingerprint).toBe(SH_ID);
    expect(created.transitionId).toBe(`${SH_ID}|2026-03-14T09:40:02.112Z|firing:high`);
    expect(created.severityHint).toEqual({ word: 'high', from: 'Security Hub severity HIGH' });
    expect(created.runbookHint).toBe('https://docs.aws.amazon.com/console/securityhub/S3.8/remediation');
    expect(created.annotations.consoleUrl).toContain('/securityhub/home?region=eu-west-1#/findings?search=');
  });

  it('keeps firing on a workflow update (NOTIFIED) and resolves on RESOLVED, SUPPRESSED, ARCHIVED and PASSED', () => {
    expect(only('securityhub/eventbridge-findings-imported-updated.json')).toMatchObject({
      status: 'firing',
      fingerprint: SH_ID,
    });
    for (const [file, why] of [
      ['resolved', 'workflow RESOLVED'],
      ['suppressed', 'workflow SUPPRESSED'],
      ['archived', 'archived'],
      ['passed', 'compliance PASSED'],
    ]) {
      const draft = only(`securityhub/eventbridge-findings-imported-${file}.json`);
      expect(draft.status, file).toBe('resolved');
      expect(draft.fingerprint, file).toBe(SH_ID);
      expect(draft.annotations.summary, file).toMatch(new RegExp(`^RESOLVED \\(${why}\\)`));
    }
  });

  it('gives a GuardDuty finding imported into Security Hub the same fingerprint and transition as the GuardDuty event', () => {
    const viaHub = only('securityhub/eventbridge-findings-imported-from-guardduty.json');
    const direct = only('guardduty/eventbridge-finding-new.json');
    expect(viaHub.fingerprint).toBe(direct.fingerprint);
    expect(viaHub.transitionId).toBe(direct.transitionId);
    expect(viaHub.labels.product).toBe('GuardDuty');
  });

  it('rejects an event without findings', () => {
    expect(result('securityhub/eventbridge-findings-imported-empty.json')).toMatchObject({ kind: 'invalid' });
  });
});

describe('finding update policy (needs the state table)', () => {
  it('notifies new findings and status or severity changes, not mere updates', () => {
    expect(shouldNotifyFindingUpdate(undefined, { status: 'firing', severity: 'error' })).toBe(true);
    expect(shouldNotifyFindingUpdate(undefined, { status: 'resolved', severity: 'error' })).toBe(false);
    expect(
      shouldNotifyFindingUpdate(
        { status: 'firing', severity: 'error' },
        { status: 'firing', severity: 'error' },
      ),
    ).toBe(false);
    expect(
      shouldNotifyFindingUpdate(
        { status: 'firing', severity: 'error' },
        { status: 'firing', severity: 'critical' },
      ),
    ).toBe(true);
    expect(
      shouldNotifyFindingUpdate(
        { status: 'firing', severity: 'error' },
        { status: 'resolved', severity: 'error' },
      ),
    ).toBe(true);
  });
});

describe('Security Hub custom actions and titles', () => {
  const imported = only('securityhub/eventbridge-findings-imported-critical-root-access-key.json');
  const sent = only('securityhub/eventbridge-findings-custom-action.json');

  it('names a finding by its title, not by its taxonomy type', () => {
    expect(imported.labels.findingTitle).toBe('IAM root user access key should not exist');
    expect(imported.labels.findingType).toBe(
      'Software and Configuration Checks/Industry and Regulatory Standards',
    );
  });

  it('makes a finding sent to a custom action its own alert, with the action, never resolved', () => {
    expect(sent.labels).toMatchObject({
      customAction: 'EscalateToOnCall',
      findingId: imported.labels.findingId,
    });
    expect(sent.fingerprint).toBe(`${imported.fingerprint}|action:EscalateToOnCall`);
    expect(sent.transitionId).toBe(`${sent.fingerprint}|e8f9a0b1-0003-4c7d-8e9f-7a8b9c0d1e28`);
    expect(sent).toMatchObject({ status: 'firing', pointEvent: true, severityHint: { word: 'critical' } });
    expect(sent.annotations.summary).toMatch(
      /^Sent to custom action "EscalateToOnCall": Security Hub CRITICAL IAM\.4 /,
    );
    expect(sent.annotations.customActionDescription).toBe('Page the security on-call with this finding');
  });

  it('stays firing for an analyst even when the finding itself is resolved', () => {
    const event = fixture('securityhub/eventbridge-findings-custom-action.json') as {
      detail: { findings: Array<Record<string, unknown>> };
    };
    const finding = { ...event.detail.findings[0], Workflow: { Status: 'RESOLVED' } };
    const [record] = splitEnvelope({ ...event, detail: { ...event.detail, findings: [finding] } });
    const r = record ? normalizeRecord(record) : undefined;
    expect(r?.kind === 'alerts' && r.drafts[0]?.status).toBe('firing');
  });

  it('keeps a finding without a readable severity, leaving the severity to rules', () => {
    const event = fixture('securityhub/eventbridge-findings-imported-new.json') as {
      detail: { findings: Array<Record<string, unknown>> };
    };
    const finding = { ...event.detail.findings[0], Severity: { Label: 'SEVERE' }, Title: 42 };
    const [record] = splitEnvelope({ ...event, detail: { ...event.detail, findings: [finding] } });
    const r = record ? normalizeRecord(record) : undefined;
    if (r?.kind !== 'alerts') throw new Error('expected alerts');
    expect(r.drafts[0]?.severityHint).toBeUndefined();
    expect(r.drafts[0]?.annotations.unreadable).toMatch(
      /field findings\.\[0\]\.Severity.*field findings\.\[0\]\.Title/,
    );
  });
});

describe('GuardDuty in the European Sovereign Cloud', () => {
  it('alerts with the finding ARN as fingerprint and no console link', () => {
    const draft = only('guardduty/eventbridge-finding-eusc-credential-exfiltration.json');
    expect(draft.labels.region).toBe('eusc-de-east-1');
    expect(draft.fingerprint).toMatch(/^arn:aws-eusc:guardduty:eusc-de-east-1:/);
    expect(draft.partition).toBeUndefined();
    expect(draft.links).toEqual([]);
    expect(draft.annotations.consoleUrl).toBeUndefined();
  });
});
