import { describe, expect, it } from 'vitest';
import { CatalogError, DETECTIONS, type Detection, validateCatalog } from '../../../shared/security/catalog';

const base = DETECTIONS.find((d) => d.id === 'cis-cloudwatch-7-cmk-disabled-or-deleted') as Detection;

describe('detection catalog', () => {
  it('covers CIS CloudWatch.1 to .14 and CIS 4.15', () => {
    const controls = new Set(DETECTIONS.flatMap((d) => d.controls));
    for (let n = 1; n <= 14; n++) expect(controls, `CloudWatch.${n}`).toContain(`CIS CloudWatch.${n}`);
    expect(controls).toContain('CIS 1.5 4.15');
  });

  it('has at least 15 detections beyond the CIS ones', () => {
    expect(DETECTIONS.filter((d) => !d.id.startsWith('cis-')).length).toBeGreaterThanOrEqual(15);
  });

  it('has at least 70 detections, each with an ATT&CK tactic and technique id', () => {
    expect(DETECTIONS.length).toBeGreaterThanOrEqual(70);
    for (const d of DETECTIONS) {
      expect(d.tactics.length, d.id).toBeGreaterThan(0);
      expect(d.techniques.length, d.id).toBeGreaterThan(0);
      for (const t of d.techniques) expect(t, d.id).toMatch(/^T\d{4}(\.\d{3})?$/);
    }
    const tactics = new Set(DETECTIONS.flatMap((d) => d.tactics));
    for (const tactic of [
      'credential-access',
      'persistence',
      'privilege-escalation',
      'defense-evasion',
      'discovery',
      'impact',
      'exfiltration',
      'execution',
    ] as const) {
      expect(tactics, tactic).toContain(tactic);
    }
  });

  it('alerts on denied defence-evasion attempts at error or above, and filters every pattern to aws.*', () => {
    for (const d of DETECTIONS) {
      const source = d.pattern.source as readonly unknown[];
      for (const s of source) expect(JSON.stringify(s), d.id).toMatch(/^("aws\.|\{"prefix":"aws\."\})/);
      if (!d.tactics.includes('defense-evasion')) continue;
      expect(d.errors, d.id).toBe('include');
      expect(['critical', 'error'], d.id).toContain(d.failedSeverity ?? d.severity);
    }
  });

  it('rejects a defence-evasion detection that ignores failed calls, and patterns open to custom sources', () => {
    const evasion = DETECTIONS.find((d) => d.id === 'cloudtrail-logging-disabled') as Detection;
    const problems = (entry: Detection) => {
      try {
        validateCatalog([entry]);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problems(evasion)).toBe('');
    expect(problems({ ...evasion, failedSeverity: 'warning' })).toMatch(/defence-evasion/);
    expect(problems({ ...base, tactics: ['defense-evasion'] })).toMatch(/defence-evasion/);
    expect(problems({ ...base, failedSeverity: 'error' })).toMatch(/failedSeverity needs errors "include"/);
    expect(problems({ ...base, pattern: { ...base.pattern, source: ['custom.kms'] } })).toMatch(/aws\.\*/);
    expect(problems({ ...base, pattern: { ...base.pattern, source: [{ prefix: '' }] } })).toMatch(/aws\.\*/);
    expect(problems({ ...base, techniques: ['T15'] })).toMatch(/ATT&CK technique/);
    const remediable = DETECTIONS.find((d) => d.id === 'sg-open-to-world-admin-port') as Detection;
    expect(problems(remediable)).toBe('');
    expect(
      problems({
        ...remediable,
        errors: 'include',
        pattern: { ...remediable.pattern, detail: { eventName: ['AuthorizeSecurityGroupIngress'] } },
      }),
    ).toMatch(/remediable detection ignores failed calls/);
    expect(problems({ ...base, tactics: [] })).toMatch(/tactics/);
    const burst = DETECTIONS.find((d) => d.id === 'discovery-burst') as Detection;
    const threshold = burst.threshold ?? { counts: 'calls' as const, count: 2, windowSeconds: 60 };
    expect(problems(burst)).toBe('');
    expect(problems({ ...burst, threshold: { ...threshold, count: 1 } })).toMatch(/threshold.count/);
    expect(problems({ ...burst, threshold: { ...threshold, windowSeconds: 30 } })).toMatch(
      /threshold.windowSeconds/,
    );
    expect(problems({ ...burst, fingerprint: 'session' })).toMatch(
      /threshold detection counts per principal/,
    );
    expect(problems({ ...remediable, threshold })).toMatch(/alerts on a count, not on one resource/);
  });

  it('has unique kebab-case ids and https runbooks', () => {
    expect(new Set(DETECTIONS.map((d) => d.id)).size).toBe(DETECTIONS.length);
    for (const d of DETECTIONS) expect(d.runbookUrl).toMatch(/^https:\/\//);
  });

  it('marks global-service detections us-east-1 and only credential-vending, credential-reading, enumeration or root/denied reads read-only', () => {
    const global = DETECTIONS.filter((d) => d.region === 'us-east-1').map((d) => d.id);
    expect(global).toEqual(
      expect.arrayContaining([
        'cis-cloudwatch-4-iam-policy-changes',
        'cis-4-15-organizations-changes',
        'organizations-leave',
        'iam-root-access-key-created',
      ]),
    );
    expect(
      DETECTIONS.filter((d) => d.readOnly)
        .map((d) => d.id)
        .sort(),
    ).toEqual([
      'cis-cloudwatch-1-root-usage',
      'cis-cloudwatch-2-unauthorized-api-calls',
      'discovery-burst',
      'ec2-password-data-retrieved',
      'iam-authorization-details-enumerated',
      'iam-credential-report-read',
      'secrets-batch-retrieved',
      'sts-assume-root',
    ]);
  });

  it('names AWS-owned runbooks for the remediable detections', () => {
    const remediation = Object.fromEntries(
      DETECTIONS.filter((d) => d.remediation).map((d) => [d.id, d.remediation?.document]),
    );
    expect(remediation['sg-open-to-world-admin-port']).toBe('AWS-DisablePublicAccessForSecurityGroup');
    expect(remediation['s3-account-block-public-access-removed']).toBe(
      'AWSConfigRemediation-ConfigureS3PublicAccessBlock',
    );
  });

  it('rejects duplicate ids, malformed patterns and error policies the pattern contradicts', () => {
    const problems = (entries: Detection[]) => {
      try {
        validateCatalog(entries);
        return '';
      } catch (error) {
        expect(error).toBeInstanceOf(CatalogError);
        return (error as Error).message;
      }
    };
    expect(problems([base])).toBe('');
    expect(problems([base, base])).toMatch(/duplicate id/);
    expect(problems([{ ...base, id: 'Bad Id' }])).toMatch(/kebab-case/);
    expect(problems([{ ...base, pattern: { source: [] } }])).toMatch(/pattern/);
    expect(
      problems([
        { ...base, pattern: { source: ['aws.kms'], detail: { eventName: [{ wildcard: '*' }] } } as never },
      ]),
    ).toMatch(/pattern/);
    expect(problems([{ ...base, errors: 'include' }])).toMatch(/contradicts/);
    expect(
      problems([{ ...base, pattern: { 'detail-type': ['x'], detail: { eventName: ['DisableKey'] } } }]),
    ).toMatch(/requires detail.errorCode/);
    expect(problems([{ ...base, runbookUrl: 'http://insecure.example.com' }])).toMatch(/runbookUrl/);
    expect(problems([{ ...base, remediation: { document: 'MyOwnDoc', parameters: {} } }])).toMatch(
      /AWS-owned/,
    );
  });
});
