import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DETECTIONS, type Detection } from '../../../shared/security/catalog';
import { evaluateDetections } from '../../../shared/security/evaluate';
import { matchesPattern } from '../../../shared/security/pattern';
import { redact, redactedJson } from '../../../shared/redact';
import { cloudTrailDetailSchema, type CloudTrailEvent } from '../../../shared/sources/cloudtrail/schema';
import { splitEnvelope } from '../../../shared/sources/envelope';
import { normalizeRecord } from '../../../shared/sources/registry';
import type { AlertDraft, NormalizeResult } from '../../../shared/sources/types';
import { fixture, REPO_ROOT } from '../../support/fixtures';

const DIR = join(REPO_ROOT, 'events', 'cloudtrail');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const IDS_LONGEST_FIRST = DETECTIONS.map((d) => d.id).sort((a, b) => b.length - a.length);

interface FixtureName {
  file: string;
  detection: Detection;
  kind: 'positive' | 'negative';
}

function parseName(file: string): FixtureName {
  const stem = file.replace(/^eventbridge-/, '').replace(/\.json$/, '');
  const id = IDS_LONGEST_FIRST.find((candidate) => stem.startsWith(`${candidate}-`));
  const detection = DETECTIONS.find((d) => d.id === id);
  const kind = stem.slice((id ?? '').length + 1).split('-')[0];
  if (!detection || (kind !== 'positive' && kind !== 'negative')) {
    throw new Error(`${file}: expected eventbridge-<detection>-positive|negative[-variant].json`);
  }
  return { file, detection, kind };
}

const FIXTURES = FILES.map(parseName);

function normalize(file: string): NormalizeResult {
  const [record, ...rest] = splitEnvelope(fixture(`cloudtrail/${file}`));
  if (!record || rest.length > 0) throw new Error('expected one record');
  return normalizeRecord(record);
}

function drafts(file: string): AlertDraft[] {
  const result = normalize(file);
  return result.kind === 'alerts' ? result.drafts : [];
}

function cloudTrailEvent(file: string): { event: CloudTrailEvent; raw: Record<string, unknown> } {
  const raw = fixture(`cloudtrail/${file}`) as Record<string, unknown>;
  const detail = cloudTrailDetailSchema.parse(raw.detail);
  return {
    raw,
    event: {
      source: String(raw.source),
      detailType: String(raw['detail-type']),
      envelopeAccount: String(raw.account),
      detail,
    },
  };
}

describe('CloudTrail fixtures', () => {
  it('has a positive and a negative fixture for every detection', () => {
    for (const detection of DETECTIONS) {
      const kinds = FIXTURES.filter((f) => f.detection === detection).map((f) => f.kind);
      expect(kinds, detection.id).toContain('positive');
      expect(kinds, detection.id).toContain('negative');
    }
  });

  it('use only documentation IP ranges', () => {
    for (const { file } of FIXTURES) {
      const { event } = cloudTrailEvent(file);
      const ip = event.detail.sourceIPAddress ?? '';
      if (/^[\d.]+$/.test(ip)) expect(ip, file).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
      if (ip.includes(':')) expect(ip, file).toMatch(/^2001:db8:/);
    }
  });
});

describe.each(FIXTURES.filter((f) => f.kind === 'positive'))('positive $file', ({ file, detection }) => {
  it(`raises ${detection.id}, with pattern and predicate agreeing`, () => {
    const { event, raw } = cloudTrailEvent(file);
    expect(matchesPattern(detection.pattern, raw)).toBe(true);
    expect(detection.predicate?.(event) ?? true).toBe(true);
    const hit = drafts(file).find((d) => d.labels.detection === detection.id);
    expect(hit).toBeDefined();
    const attempt = event.detail.errorCode !== undefined;
    const severity = attempt ? (detection.failedSeverity ?? detection.severity) : detection.severity;
    expect(hit?.severityHint).toEqual({ word: severity, from: `detection ${detection.id}` });
    if (attempt && detection.failedSeverity) expect(hit?.annotations.summary).toMatch(/^Failed attempt \(/);
  });

  it('meets the replay contract and carries who, where and what', () => {
    const { event } = cloudTrailEvent(file);
    for (const draft of drafts(file)) {
      expect(draft.labels).toMatchObject({
        source: 'cloudtrail',
        eventName: event.detail.eventName,
        region: event.detail.awsRegion,
      });
      for (const label of [
        'detection',
        'eventName',
        'principal',
        'account',
        'identityType',
        'sourceIp',
        'mfa',
      ]) {
        expect(draft.labels[label], label).toBeTruthy();
      }
      expect(draft.status).toBe('firing');
      expect(draft.transitionId).toBe(`${event.detail.eventID}|${draft.labels.detection}`);
      expect(
        draft.fingerprint.startsWith(
          `${draft.labels.detection}|${draft.labels.principal}|${draft.labels.account}`,
        ),
      ).toBe(true);
      expect(draft.annotations.consoleUrl).toContain(
        `/cloudtrailv2/home?region=${event.detail.awsRegion}#/events/${event.detail.eventID}`,
      );
      expect(draft.annotations.description).toMatch(/Who: .*\nFrom: .*\nWhat: /);
      expect(draft.annotations.runbookUrl).toMatch(/^https:\/\//);
      expect(draft.startsAt).toBe(new Date(event.detail.eventTime).toISOString());
    }
  });
});

describe.each(FIXTURES.filter((f) => f.kind === 'negative'))('negative $file', ({ file, detection }) => {
  it(`does not raise ${detection.id}`, () => {
    const result = normalize(file);
    expect(result.kind).not.toBe('invalid');
    expect(drafts(file).map((d) => d.labels.detection)).not.toContain(detection.id);
  });
});

describe('CloudTrail detection traps', () => {
  it('pages a root sign-in once per session: the ConsoleLogin and the calls of its session share a fingerprint', () => {
    const [login] = drafts('eventbridge-cis-cloudwatch-1-root-usage-positive.json');
    const [call] = drafts('eventbridge-cis-cloudwatch-1-root-usage-positive-session-call.json');
    expect(login?.annotations.summary).toBe(
      'Root account console sign-in from 203.0.113.10 in 123456789012 (MFA: yes)',
    );
    expect(login?.fingerprint).toBe(
      'cis-cloudwatch-1-root-usage|arn:aws:iam::123456789012:root|123456789012|session:2026-03-14T09:12:03Z',
    );
    expect(call?.fingerprint).toBe(login?.fingerprint);
    expect(call?.transitionId).not.toBe(login?.transitionId);
  });

  it('ignores root calls made by a service on root’s behalf (invokedBy) and read-only calls nobody asked for', () => {
    expect(
      normalize('eventbridge-cis-cloudwatch-1-root-usage-negative-invoked-by-service.json'),
    ).toMatchObject({
      kind: 'ignored',
      reason: expect.stringMatching(/^read-only call ec2.amazonaws.com DescribeRegions/),
    });
    // A read-only IAM call is only counted toward a discovery burst: no detection alerts on it alone.
    const readOnly = drafts('eventbridge-cis-cloudwatch-4-iam-policy-changes-negative.json');
    expect(readOnly.map((d) => [d.labels.detection, d.detectionScreen?.threshold?.counts])).toEqual([
      ['discovery-burst', 'distinct-calls'],
    ]);
    const withoutBursts = evaluateDetections(
      cloudTrailEvent('eventbridge-cis-cloudwatch-4-iam-policy-changes-negative.json').event,
      cloudTrailEvent('eventbridge-cis-cloudwatch-4-iam-policy-changes-negative.json').raw,
      DETECTIONS.filter((d) => d.threshold === undefined),
    );
    expect(withoutBursts).toMatchObject({ kind: 'none', reason: expect.stringMatching(/read-only call/) });
  });

  it('counts an AccessDenied change as an unauthorized call, never as the change', () => {
    const labels = drafts('eventbridge-cis-cloudwatch-4-iam-policy-changes-negative-access-denied.json').map(
      (d) => d.labels.detection,
    );
    expect(labels).toEqual(['cis-cloudwatch-2-unauthorized-api-calls']);
    const { event, raw } = cloudTrailEvent('eventbridge-organizations-leave-positive-denied.json');
    expect(evaluateDetections(event, raw)).toMatchObject({ kind: 'hits' });
    const { event: failed, raw: failedRaw } = cloudTrailEvent(
      'eventbridge-cis-cloudwatch-4-iam-policy-changes-negative-access-denied.json',
    );
    const reason = evaluateDetections(
      failed,
      failedRaw,
      DETECTIONS.filter((d) => d.errors !== 'require'),
    );
    expect(reason).toMatchObject({
      kind: 'none',
      reason: expect.stringMatching(/^failed call .*AccessDenied.*changed nothing/),
    });
  });

  it('alerts a denied defence-evasion attempt at its failed severity and says it failed', () => {
    const leave = drafts('eventbridge-organizations-leave-positive-denied.json');
    const hit = leave.find((d) => d.labels.detection === 'organizations-leave');
    expect(hit?.severityHint).toEqual({ word: 'error', from: 'detection organizations-leave' });
    expect(hit?.annotations.summary).toMatch(/^Failed attempt \(AccessDeniedException\): /);
    expect(hit?.annotations.description).toMatch(/^Failed attempt: Account left the organization/);
    const stop = drafts('eventbridge-cloudtrail-logging-disabled-positive-denied.json');
    expect(stop.map((d) => [d.labels.detection, d.severityHint?.word])).toEqual(
      expect.arrayContaining([
        ['cloudtrail-logging-disabled', 'error'],
        ['cis-cloudwatch-2-unauthorized-api-calls', 'info'],
      ]),
    );
    // A successful StopLogging stays critical; a failed call of a non-evasion detection stays ignored.
    const ok = drafts('eventbridge-cloudtrail-logging-disabled-positive.json');
    expect(ok.find((d) => d.labels.detection === 'cloudtrail-logging-disabled')?.severityHint?.word).toBe(
      'critical',
    );
    expect(drafts('eventbridge-iam-user-created-negative.json')).toEqual([]);
  });

  it('ignores a failed call whose parameters do not show evasion (denied UpdateTrail turning validation on)', () => {
    const { event, raw } = cloudTrailEvent('eventbridge-cloudtrail-trail-weakened-negative.json');
    const denied = { ...event, detail: { ...event.detail, errorCode: 'AccessDeniedException' } };
    const hits = evaluateDetections(denied, { ...raw, detail: denied.detail });
    const ids = hits.kind === 'hits' ? hits.detections.map((d) => d.id) : [];
    expect(ids).not.toContain('cloudtrail-trail-weakened');
  });

  it('compares MFAUsed case-insensitively and never flags federated sign-ins as "no MFA"', () => {
    const [noMfa] = drafts('eventbridge-cis-cloudwatch-3-console-sign-in-without-mfa-positive.json');
    expect(noMfa?.labels).toMatchObject({ mfa: 'no', identityType: 'IAMUser', region: 'us-east-2' });
    expect(
      drafts('eventbridge-cis-cloudwatch-3-console-sign-in-without-mfa-negative-mfa-upper-case.json'),
    ).toEqual([]);
    expect(
      drafts('eventbridge-cis-cloudwatch-3-console-sign-in-without-mfa-negative-federated.json'),
    ).toEqual([]);
  });

  it('tells a /32 or an HTTPS ingress from an admin port opened to 0.0.0.0/0 or ::/0', () => {
    const detections = (file: string) => drafts(file).map((d) => d.labels.detection);
    expect(detections('eventbridge-sg-open-to-world-admin-port-positive.json')).toContain(
      'sg-open-to-world-admin-port',
    );
    expect(detections('eventbridge-sg-open-to-world-admin-port-positive-ipv6.json')).toContain(
      'sg-open-to-world-admin-port',
    );
    expect(detections('eventbridge-sg-open-to-world-admin-port-negative.json')).toEqual([
      'cis-cloudwatch-10-security-group-changes',
    ]);
    expect(detections('eventbridge-sg-open-to-world-admin-port-negative-https.json')).toEqual([
      'cis-cloudwatch-10-security-group-changes',
    ]);
    const open = drafts('eventbridge-sg-open-to-world-admin-port-positive.json').find(
      (d) => d.labels.detection === 'sg-open-to-world-admin-port',
    );
    expect(open?.labels.resource).toBe('sg-0a1b2c3d4e5f60718');
    expect(open?.annotations.remediation).toBe('AWS-DisablePublicAccessForSecurityGroup');
    expect(open?.annotations.summary).toContain('tcp/22-22');
    expect(open?.annotations.request).toContain('"cidrIp":"0.0.0.0/0"');
  });

  it('keeps a masked user name out of the principal and counts failures per principal and IP', () => {
    const [masked] = drafts(
      'eventbridge-cis-cloudwatch-6-console-auth-failures-positive-masked-user-name.json',
    );
    expect(masked?.labels.principal).toBe('masked-user-name');
    expect(masked?.fingerprint).toBe(
      'cis-cloudwatch-6-console-auth-failures|masked-user-name|123456789012|192.0.2.200',
    );
    const [bob] = drafts('eventbridge-cis-cloudwatch-6-console-auth-failures-positive.json');
    expect(bob?.labels.principal).toBe('arn:aws:iam::123456789012:user/bob');
  });

  it('catches a console-created root access key even though invokedBy hides it from CIS CloudWatch.1', () => {
    expect(
      drafts('eventbridge-iam-root-access-key-created-positive.json').map((d) => d.labels.detection),
    ).toEqual(['iam-root-access-key-created']);
  });

  it('takes the account from the record, not the envelope, and one draft per detection an event trips', () => {
    const leave = drafts('eventbridge-organizations-leave-positive.json');
    expect(leave.map((d) => d.labels.detection)).toEqual([
      'cis-4-15-organizations-changes',
      'organizations-leave',
    ]);
    expect(leave.every((d) => d.labels.account === '111122223333')).toBe(true);
    expect(new Set(leave.map((d) => d.transitionId)).size).toBe(2);
  });

  it('never puts credentials from the request or response into the alert', () => {
    const [draft] = drafts('eventbridge-sts-assume-root-positive.json');
    const { raw: _raw, ...visible } = draft as AlertDraft;
    expect(JSON.stringify(visible)).not.toContain('EXAMPLE-NOT-A-REAL-SESSION-TOKEN');
    expect(
      redact({ password: 'hunter2', nested: { SecretAccessKey: 'x', userData: 'y', keep: 'z' } }),
    ).toEqual({
      password: '<redacted>',
      nested: { SecretAccessKey: '<redacted>', userData: '<redacted>', keep: 'z' },
    });
    expect(redactedJson({ list: Array.from({ length: 50 }, (_, i) => `item-${i}`) }, 120)).toHaveLength(120);
  });

  it('reports a CloudTrail record it cannot parse as invalid; other sources are evaluated, other detail-types unsupported', () => {
    const raw = fixture('cloudtrail/eventbridge-cloudtrail-logging-disabled-positive.json') as {
      detail: Record<string, unknown>;
    };
    const broken = { ...raw, detail: { ...raw.detail, eventID: undefined, awsRegion: 'US East' } };
    const [record] = splitEnvelope(broken);
    expect(record && normalizeRecord(record)).toMatchObject({
      kind: 'invalid',
      reason: expect.stringMatching(/^CloudTrail record: /),
    });
    const [unlisted] = splitEnvelope({ ...raw, source: 'aws.somethingnew' });
    const evaluated = unlisted && normalizeRecord(unlisted);
    expect(evaluated).toMatchObject({ kind: 'ignored' });
    expect(evaluated && 'notice' in evaluated ? evaluated.notice : undefined).toBeUndefined();
    const [unknown] = splitEnvelope({
      ...raw,
      source: 'aws.somethingnew',
      'detail-type': 'Something Happened',
    });
    expect(unknown && normalizeRecord(unknown)).toMatchObject({
      kind: 'ignored',
      notice: 'unsupported event',
    });
  });
});
