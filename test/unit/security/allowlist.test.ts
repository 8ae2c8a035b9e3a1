import { describe, expect, it } from 'vitest';
import type { AlertDraft } from '../../../shared/sources/types';
import {
  compileSecurityConfig,
  isAllowlisted,
  securityConfigSchema,
  securityConfigSchemaFor,
} from '../../../shared/security/allowlist';
import { DETECTION_IDS, THRESHOLD_DETECTION_IDS } from '../../../shared/security/catalog';
import { cidrContains, parseCidr, parseIp } from '../../../shared/security/cidr';
import { applySecurityPolicy } from '../../../shared/security/policy';

function inside(cidr: string, ip: string): boolean {
  const block = parseCidr(cidr);
  const address = parseIp(ip);
  if (!block || !address) throw new Error(`bad input ${cidr} ${ip}`);
  return cidrContains(block, address);
}

describe('IP and CIDR parsing', () => {
  it('matches IPv4 blocks at every prefix length', () => {
    expect(inside('203.0.113.0/24', '203.0.113.255')).toBe(true);
    expect(inside('203.0.113.0/24', '203.0.114.0')).toBe(false);
    expect(inside('198.51.100.7/32', '198.51.100.7')).toBe(true);
    expect(inside('198.51.100.7/32', '198.51.100.8')).toBe(false);
    expect(inside('0.0.0.0/0', '192.0.2.1')).toBe(true);
    expect(inside('192.0.2.128/25', '192.0.2.127')).toBe(false);
    expect(inside('192.0.2.5', '192.0.2.5')).toBe(true);
  });

  it('matches IPv6 blocks, compressed forms and IPv4-mapped addresses', () => {
    expect(inside('2001:db8::/32', '2001:db8:85a3::8a2e:370:7334')).toBe(true);
    expect(inside('2001:db8::/32', '2001:db9::1')).toBe(false);
    expect(inside('::/0', '2001:db8::1')).toBe(true);
    expect(inside('2001:db8:0:0:0:0:0:1/128', '2001:db8::1')).toBe(true);
    expect(inside('2001:db8:abcd:12::/64', '2001:db8:abcd:12:ffff:ffff:ffff:ffff')).toBe(true);
    expect(inside('2001:db8:abcd:12::/64', '2001:db8:abcd:13::')).toBe(false);
    expect(inside('192.0.2.0/24', '::ffff:192.0.2.9')).toBe(true);
    expect(inside('192.0.2.0/24', '2001:db8::1')).toBe(false);
    expect(inside('2001:db8::/32', '192.0.2.1')).toBe(false);
  });

  it('rejects what is not an address or a block', () => {
    for (const text of [
      '256.0.0.1',
      '1.2.3',
      'cloudformation.amazonaws.com',
      'AWS Internal',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      'g::1',
      '',
    ])
      expect(parseIp(text), text).toBeUndefined();
    for (const text of ['192.0.2.0/33', '2001:db8::/129', '192.0.2.0/-1', '192.0.2.0/24/1', '192.0.2.0/x'])
      expect(parseCidr(text), text).toBeUndefined();
    expect(parseIp('::')).toEqual({ version: 6, value: 0n });
  });
});

const draft = (labels: Record<string, string>): AlertDraft =>
  ({
    labels: { source: 'cloudtrail', account: '123456789012', region: 'us-east-1', ...labels },
    annotations: { summary: 's' },
    status: 'firing',
    fingerprint: 'f',
    transitionId: 't',
    startsAt: '2026-03-14T09:41:05.000Z',
    observedAt: '2026-03-14T09:41:05.000Z',
    path: 'eventbridge',
    links: [],
    partition: 'aws',
    raw: undefined,
  }) as AlertDraft;

const config = compileSecurityConfig({
  detections: {
    disabled: ['cis-cloudwatch-10-security-group-changes'],
    severity: { 'iam-admin-policy-attached': 'critical' },
  },
  allowlist: {
    principals: [
      {
        arn: 'arn:aws:iam::123456789012:role/ci-deployer',
        reason: 'CI/CD pipeline',
        detections: ['iam-admin-policy-attached'],
      },
      { arn: 'arn:aws:sts::*:assumed-role/break-glass/*', reason: 'break-glass role', expires: '2026-03-31' },
    ],
    cidrs: [
      { cidr: '2001:db8:1234::/48', reason: 'office v6' },
      { cidr: '192.0.2.0/24', reason: 'VPN egress', expires: '2026-03-14T09:00:00Z' },
    ],
    accounts: [{ account: '444455556666', reason: 'sandbox' }],
  },
  ownRoleArns: ['arn:aws:iam::*:role/klaxon-*-remediator'],
});
const now = new Date('2026-03-14T10:00:00Z');

describe('security config', () => {
  it('fills defaults for an empty section', () => {
    const empty = compileSecurityConfig(undefined);
    expect(empty.detections.enabled).toBe('all');
    expect(empty.failedLogins).toEqual({ threshold: 10, windowMs: 6 * 60_000 });
    expect(empty.allowlist).toEqual([]);
  });

  it('names every bad key, unknown detection ids included when given the catalog', () => {
    const result = securityConfigSchemaFor(DETECTION_IDS).safeParse({
      detections: { enabled: ['no-such-detection'], severity: { 'also-unknown': 'critical' } },
      allowlist: {
        principals: [{ arn: 'arn:aws:iam::1:role/x' }],
        cidrs: [{ cidr: '10.0.0.0/33', reason: 'x' }],
        accounts: [{ account: '12', reason: 'x', expires: 'tomorrow' }],
      },
      failedLogins: { threshold: 0 },
      extra: true,
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(paths).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^detections.enabled.0: unknown detection "no-such-detection"/),
        expect.stringMatching(/^detections.severity.also-unknown: unknown detection/),
        expect.stringMatching(/^allowlist.principals.0.reason: /),
        expect.stringMatching(/^allowlist.cidrs.0.cidr: an IPv4 or IPv6 CIDR/),
        expect.stringMatching(/^allowlist.accounts.0.account: /),
        expect.stringMatching(/^allowlist.accounts.0.expires: an ISO date/),
        expect.stringMatching(/^failedLogins.threshold: /),
        expect.stringMatching(/^: Unrecognized key: "extra"/),
      ]),
    );
  });

  it('validates thresholds and egress ranges with the path of each bad key', () => {
    const result = securityConfigSchemaFor(DETECTION_IDS, THRESHOLD_DETECTION_IDS).safeParse({
      detections: {
        thresholds: {
          'discovery-burst': { count: 1, windowSeconds: 30 },
          's3-mass-object-deletion': { count: 2.5, windowSeconds: 86_401, extra: 1 },
          'ec2-password-data-retrieved': { count: 5, windowSeconds: 60 },
          'no-such-detection': { count: 5, windowSeconds: 60 },
        },
      },
      egressCidrs: ['203.0.113.0/24', '2001:db8::/129', 'nat-gateway'],
    });
    const paths = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(paths).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^detections.thresholds.discovery-burst.count: /),
        expect.stringMatching(/^detections.thresholds.discovery-burst.windowSeconds: /),
        expect.stringMatching(/^detections.thresholds.s3-mass-object-deletion.count: /),
        expect.stringMatching(/^detections.thresholds.s3-mass-object-deletion.windowSeconds: /),
        expect.stringMatching(/^detections.thresholds.s3-mass-object-deletion: Unrecognized key: "extra"/),
        'egressCidrs.1: an IPv4 or IPv6 CIDR, e.g. 203.0.113.0/24',
        'egressCidrs.2: an IPv4 or IPv6 CIDR, e.g. 203.0.113.0/24',
      ]),
    );
    const ids = securityConfigSchemaFor(DETECTION_IDS, THRESHOLD_DETECTION_IDS).safeParse({
      detections: {
        thresholds: {
          'ec2-password-data-retrieved': { count: 5, windowSeconds: 60 },
          'no-such-detection': { count: 5, windowSeconds: 60 },
        },
      },
    });
    expect(ids.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'detections.thresholds.ec2-password-data-retrieved: "ec2-password-data-retrieved" is not a threshold detection (these are: discovery-burst, s3-mass-object-deletion)',
      'detections.thresholds.no-such-detection: unknown detection "no-such-detection"',
    ]);
    const compiled = compileSecurityConfig({
      detections: { thresholds: { 'discovery-burst': { count: 40, windowSeconds: 120 } } },
      egressCidrs: ['203.0.113.0/24', '2001:db8:aa::/48'],
    });
    expect(compiled.detections.thresholds.get('discovery-burst')).toEqual({ count: 40, windowMs: 120_000 });
    expect(compiled.egressCidrs.map((b) => b.text)).toEqual(['203.0.113.0/24', '2001:db8:aa::/48']);
    expect(compileSecurityConfig(undefined).egressCidrs).toEqual([]);
  });

  it('leaves detection ids to the build-time check when not given the catalog (the functions)', () => {
    const section = {
      detections: { enabled: ['no-such-detection'], severity: { 'also-unknown': 'critical' } },
      allowlist: { cidrs: [{ cidr: '10.0.0.0/8', reason: 'x', detections: ['nor-this'] }] },
    };
    expect(securityConfigSchema.safeParse(section).success).toBe(true);
    const checked = securityConfigSchemaFor(DETECTION_IDS).safeParse(section);
    expect(checked.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'detections.enabled.0: unknown detection "no-such-detection" (see shared/security/catalog.ts)',
      'detections.severity.also-unknown: unknown detection "also-unknown"',
      'allowlist.cidrs.0.detections.0: unknown detection "nor-this" (see shared/security/catalog.ts)',
    ]);
  });
});

describe('isAllowlisted', () => {
  it('always excludes Klaxon’s own role, given as a runtime ARN or an ownRoleArns glob', () => {
    const session = {
      principal: 'arn:aws:sts::123456789012:assumed-role/klaxon-prod-responder/1710409265',
      account: '123456789012',
    };
    expect(
      isAllowlisted(session, config, now, ['arn:aws:iam::123456789012:role/service/klaxon-prod-responder']),
    ).toMatchObject({ kind: 'own-role' });
    expect(isAllowlisted(session, config, now)).toBeUndefined();
    const remediator = {
      principal: 'arn:aws:sts::123456789012:assumed-role/klaxon-prod-remediator/x',
      sessionIssuer: 'arn:aws:iam::123456789012:role/klaxon-prod-remediator',
    };
    expect(isAllowlisted(remediator, config, now)).toMatchObject({
      kind: 'own-role',
      entry: 'arn:aws:iam::*:role/klaxon-*-remediator',
    });
  });

  it('matches principal globs on the session or its issuing role, scoped to detections', () => {
    const ci = {
      sessionIssuer: 'arn:aws:iam::123456789012:role/ci-deployer',
      principal: 'arn:aws:sts::123456789012:assumed-role/ci-deployer/gha-1',
    };
    expect(isAllowlisted({ ...ci, detection: 'iam-admin-policy-attached' }, config, now)).toMatchObject({
      kind: 'principal',
      reason: 'CI/CD pipeline',
    });
    expect(isAllowlisted({ ...ci, detection: 'cloudtrail-logging-disabled' }, config, now)).toBeUndefined();
    expect(
      isAllowlisted({ principal: 'arn:aws:sts::111122223333:assumed-role/break-glass/alice' }, config, now),
    ).toMatchObject({ reason: 'break-glass role' });
  });

  it('lets entries expire: a bare date lasts through that day (UTC)', () => {
    const glass = { principal: 'arn:aws:sts::111122223333:assumed-role/break-glass/alice' };
    expect(isAllowlisted(glass, config, new Date('2026-03-31T23:59:59Z'))).toBeDefined();
    expect(isAllowlisted(glass, config, new Date('2026-04-01T00:00:00Z'))).toBeUndefined();
    expect(isAllowlisted({ sourceIp: '192.0.2.10' }, config, new Date('2026-03-14T08:59:59Z'))).toMatchObject(
      { kind: 'cidr' },
    );
    expect(isAllowlisted({ sourceIp: '192.0.2.10' }, config, now)).toBeUndefined();
  });

  it('matches IPv6 source CIDRs and accounts, and never a service name as an IP', () => {
    expect(isAllowlisted({ sourceIp: '2001:db8:1234:5::1' }, config, now)).toMatchObject({
      kind: 'cidr',
      entry: '2001:db8:1234::/48',
    });
    expect(isAllowlisted({ sourceIp: 'cloudformation.amazonaws.com' }, config, now)).toBeUndefined();
    expect(isAllowlisted(draft({ principal: 'p' }), config, now)).toBeUndefined();
    expect(isAllowlisted({ account: '444455556666' }, config, now)).toMatchObject({
      kind: 'account',
      reason: 'sandbox',
    });
  });
});

describe('applySecurityPolicy', () => {
  it('drops disabled detections and Klaxon’s own calls, suppresses allowlisted ones, and applies severity overrides', () => {
    const drafts = [
      draft({ detection: 'cis-cloudwatch-10-security-group-changes', principal: 'p' }),
      draft({
        detection: 'sg-open-to-world-admin-port',
        principal: 'arn:aws:sts::123456789012:assumed-role/klaxon-prod-remediator/x',
      }),
      draft({
        detection: 'iam-admin-policy-attached',
        principal: 'arn:aws:sts::123456789012:assumed-role/ci-deployer/gha',
        sessionIssuer: 'arn:aws:iam::123456789012:role/ci-deployer',
      }),
      draft({ detection: 'iam-admin-policy-attached', principal: 'arn:aws:iam::123456789012:user/alice' }),
      {
        ...draft({}),
        labels: { source: 'guardduty' as const, account: '123456789012', region: 'us-east-1' },
      },
    ];
    const result = applySecurityPolicy(drafts, config, now);
    expect(result.dropped.map((d) => d.reason)).toEqual([
      'detection cis-cloudwatch-10-security-group-changes is disabled in security.detections',
      "Klaxon's own role (ownRoleArns) (arn:aws:iam::*:role/klaxon-*-remediator)",
    ]);
    expect(result.drafts.map((d) => d.suppressedBySource)).toEqual([
      'allowlisted principal arn:aws:iam::123456789012:role/ci-deployer: CI/CD pipeline',
      undefined,
      undefined,
    ]);
    expect(result.drafts[1]?.severityHint).toEqual({
      word: 'critical',
      from: 'security.detections.severity.iam-admin-policy-attached',
    });
  });
});
