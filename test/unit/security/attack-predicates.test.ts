import { describe, expect, it } from 'vitest';
import { evaluateDetections } from '../../../shared/security/evaluate';
import { commandTargetCount, lifecycleExpiresFast } from '../../../shared/security/detections-attack';
import { foreignPrincipals, grantsFullAdmin } from '../../../shared/security/predicates';
import { cloudTrailDetailSchema, type CloudTrailEvent } from '../../../shared/sources/cloudtrail/schema';
import { fixture } from '../../support/fixtures';

const OWN = '123456789012';

function load(file: string, change: (raw: Record<string, unknown>) => void = () => {}) {
  const raw = structuredClone(fixture(`cloudtrail/${file}`)) as Record<string, unknown>;
  change(raw);
  const event: CloudTrailEvent = {
    source: String(raw.source),
    detailType: String(raw['detail-type']),
    envelopeAccount: String(raw.account),
    detail: cloudTrailDetailSchema.parse(raw.detail),
  };
  return { event, raw };
}

function hits(file: string, change?: (raw: Record<string, unknown>) => void): string[] {
  const { event, raw } = load(file, change);
  const result = evaluateDetections(event, raw);
  return result.kind === 'hits' ? result.detections.map((d) => d.id) : [];
}

const detail = (raw: Record<string, unknown>) => raw.detail as Record<string, unknown>;

describe('forged and adversarial CloudTrail input', () => {
  it('raises nothing for a CloudTrail-shaped event from a custom source (PutEvents cannot use aws.*)', () => {
    expect(hits('eventbridge-cis-cloudwatch-1-root-usage-positive.json')).toContain(
      'cis-cloudwatch-1-root-usage',
    );
    expect(
      hits('eventbridge-cis-cloudwatch-1-root-usage-positive.json', (raw) => {
        raw.source = 'custom.attacker';
      }),
    ).toEqual([]);
    expect(
      hits('eventbridge-cis-cloudwatch-2-unauthorized-api-calls-positive.json', (raw) => {
        raw.source = 'awsx.iam';
      }),
    ).toEqual([]);
  });

  it('sees a foreign account behind a `*` principal narrowed by a condition to that account', () => {
    const narrowed = {
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:PrincipalAccount': '444455556666' } },
        },
      ],
    };
    expect(foreignPrincipals(narrowed, OWN)).toEqual(['444455556666']);
    const own = {
      Statement: [{ ...narrowed.Statement[0], Condition: { StringEquals: { 'aws:PrincipalAccount': OWN } } }],
    };
    expect(foreignPrincipals(own, OWN)).toEqual([]);
    const org = {
      Statement: [
        { ...narrowed.Statement[0], Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorgid' } } },
      ],
    };
    expect(foreignPrincipals(org, OWN)).toEqual([]);
    expect(
      foreignPrincipals({ Statement: { Effect: 'Allow', Principal: { AWS: ['444455556666'] } } }, OWN),
    ).toEqual(['444455556666']);
    expect(foreignPrincipals({ Statement: [{ Effect: 'Deny', Principal: '*' }] }, OWN)).toEqual([]);
    expect(
      foreignPrincipals(
        '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws-cn:iam::444455556666:root"}}]}',
        OWN,
      ),
    ).toEqual(['arn:aws-cn:iam::444455556666:root']);
  });

  it('survives truncated, 300 KB and hostile policy documents without throwing', () => {
    const huge = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Sid: 'x'.repeat(300_000) },
      ],
    });
    expect(foreignPrincipals(huge, OWN)).toEqual(['arn:aws:iam::444455556666:root']);
    expect(foreignPrincipals(huge.slice(0, 150_000), OWN)).toEqual([]);
    for (const hostile of [
      null,
      42,
      '[]',
      '{"Statement": "x"}',
      { Statement: [null, 1, 'x'] },
      { Statement: { Principal: { AWS: [1, {}] }, Effect: 'Allow' } },
    ]) {
      expect(foreignPrincipals(hostile, OWN)).toEqual([]);
      expect(grantsFullAdmin(hostile)).toBe(false);
    }
    expect(grantsFullAdmin('{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}')).toBe(true);
    expect(grantsFullAdmin({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] })).toBe(false);
  });

  it('counts command targets, treating tags and `*` as unbounded, and stays linear on a 50,000-instance storm', () => {
    const { event } = load('eventbridge-ssm-command-on-many-instances-negative.json');
    expect(commandTargetCount(event)).toBe(2);
    const star = load('eventbridge-ssm-command-on-many-instances-negative.json', (raw) => {
      (detail(raw).requestParameters as Record<string, unknown>).targets = [
        { key: 'InstanceIds', values: ['*'] },
      ];
    });
    expect(commandTargetCount(star.event)).toBe(Number.POSITIVE_INFINITY);
    const ids = Array.from({ length: 50_000 }, (_, n) => `i-0${n.toString(16).padStart(16, '0')}`);
    const storm = load('eventbridge-ec2-instances-mass-terminated-positive.json', (raw) => {
      (detail(raw).requestParameters as Record<string, unknown>).instancesSet = {
        items: ids.map((instanceId) => ({ instanceId })),
      };
    });
    const started = performance.now();
    const result = evaluateDetections(storm.event, storm.raw);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.kind === 'hits' && result.detections.map((d) => d.id)).toContain(
      'ec2-instances-mass-terminated',
    );
    const nine = load('eventbridge-ec2-instances-mass-terminated-positive.json', (raw) => {
      (detail(raw).requestParameters as Record<string, unknown>).instancesSet = {
        items: ids.slice(0, 9).map((instanceId) => ({ instanceId })),
      };
    });
    expect(evaluateDetections(nine.event, nine.raw)).toMatchObject({ kind: 'none' });
  });

  it('reads lifecycle days given as strings and ignores disabled rules', () => {
    const rule = (days: unknown, status = 'Enabled') =>
      load('eventbridge-s3-lifecycle-expires-objects-negative.json', (raw) => {
        (detail(raw).requestParameters as Record<string, unknown>).LifecycleConfiguration = {
          Rule: { ID: 'x', Status: status, Expiration: { Days: days } },
        };
      }).event;
    expect(lifecycleExpiresFast(rule('1'))).toBe(true);
    expect(lifecycleExpiresFast(rule(0))).toBe(true);
    expect(lifecycleExpiresFast(rule(1, 'Disabled'))).toBe(false);
    expect(lifecycleExpiresFast(rule('abc'))).toBe(false);
    expect(lifecycleExpiresFast(rule(2))).toBe(false);
  });
});
