import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSecurityConfig } from '../../../shared/security/allowlist';
import { detectionById } from '../../../shared/security/catalog';
import { InMemoryFailedLoginCounter } from '../../../shared/security/failed-logins';
import { securityStage } from '../../../shared/security/stage';
import { splitEnvelope } from '../../../shared/sources/envelope';
import { normalizeRecord } from '../../../shared/sources/registry';
import type { AlertDraft } from '../../../shared/sources/types';
import { MemoryStateStore } from '../../../shared/state/memory';
import { fixture, REPO_ROOT } from '../../support/fixtures';

type Json = Record<string, unknown>;

/** The areas the catalog must cover beyond CIS, and the detections that cover each. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  'credential access: GetPasswordData': ['ec2-password-data-retrieved'],
  'credential access: secrets batch retrieval': ['secrets-batch-retrieved'],
  'credential access: instance credentials used elsewhere': ['instance-credentials-used-elsewhere'],
  'persistence: backdoor roles': ['iam-role-trusts-foreign-account', 'iam-role-trust-policy-changed'],
  'persistence: backdoor users': ['iam-user-created', 'iam-user-added-to-privileged-group'],
  'persistence: login profiles': ['iam-login-profile-for-another-user', 'iam-root-login-profile-created'],
  'persistence: access keys for others': ['iam-access-key-for-another-user'],
  'persistence: federation and identity providers': [
    'iam-saml-provider-changed',
    'iam-oidc-provider-changed',
    'identity-center-permissions-changed',
  ],
  'exfiltration: AMIs, EBS and RDS snapshots public or shared': [
    'snapshot-or-image-made-public',
    'snapshot-or-image-shared-cross-account',
  ],
  'exfiltration: S3 replication or bucket policy to foreign accounts': [
    's3-replication-to-foreign-account',
    's3-bucket-policy-foreign-account',
  ],
  'defence evasion: flow logs': ['vpc-flow-logs-deleted'],
  'defence evasion: GuardDuty': ['guardduty-detector-disabled', 'guardduty-protection-disabled'],
  'defence evasion: Config': ['config-recording-stopped', 'config-rules-deleted'],
  'defence evasion: CloudTrail selectors': [
    'cloudtrail-management-events-disabled',
    'cloudtrail-sources-excluded',
  ],
  'defence evasion: DNS query logging': ['dns-query-logging-removed'],
  'discovery: bursts': ['discovery-burst'],
  'impact: mass deletion': ['s3-mass-object-deletion', 'ec2-instances-mass-terminated'],
  'impact: KMS key deletion': ['cis-cloudwatch-7-cmk-disabled-or-deleted'],
  'impact: S3 object lock removal': ['s3-object-lock-removed'],
  'execution: user data changes': ['ec2-user-data-changed'],
  'execution: SSM commands on many instances': ['ssm-command-on-many-instances'],
};

const FIXTURES = readdirSync(join(REPO_ROOT, 'events', 'cloudtrail'));

function draftsOf(event: unknown): AlertDraft[] {
  const [record] = splitEnvelope(event);
  const result = record && normalizeRecord(record);
  return result?.kind === 'alerts' ? result.drafts : [];
}

function edited(file: string, edit: (detail: Json) => void): Json {
  const event = structuredClone(fixture(`cloudtrail/${file}`)) as Json;
  edit(event.detail as Json);
  return event;
}

describe('coverage beyond CIS', () => {
  it.each(Object.entries(REQUIRED))('%s', (_area, ids) => {
    for (const id of ids) {
      expect(detectionById(id), id).toBeDefined();
      const positive = FIXTURES.filter((f) => f.startsWith(`eventbridge-${id}-positive`));
      expect(positive, id).not.toEqual([]);
      for (const file of positive) {
        expect(
          draftsOf(fixture(`cloudtrail/${file}`)).map((d) => d.labels.detection),
          file,
        ).toContain(id);
      }
    }
  });

  it('SSM commands on many instances: 10 instance ids or a tag target alert, 9 do not', () => {
    const id = 'ssm-command-on-many-instances';
    const send = (params: Json) =>
      draftsOf(
        edited('eventbridge-ssm-command-on-many-instances-negative.json', (detail) => {
          detail.requestParameters = { documentName: 'AWS-RunShellScript', ...params };
        }),
      ).map((d) => d.labels.detection);
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-0${i.toString(16).padStart(16, '0')}`);
    expect(send({ instanceIds: ids(9) })).not.toContain(id);
    expect(send({ instanceIds: ids(10) })).toContain(id);
    expect(send({ targets: [{ key: 'tag:env', values: ['prod'] }] })).toContain(id);
    expect(send({ targets: [{ key: 'InstanceIds', values: ids(4) }], instanceIds: ids(6) })).toContain(id);
  });

  it('S3 mass deletion: the 100th DeleteObject(s) call by one principal in five minutes alerts, once', async () => {
    const start = Date.UTC(2026, 2, 14, 10, 10, 0);
    const drafts = Array.from({ length: 150 }, (_, n) =>
      draftsOf(
        edited('eventbridge-s3-mass-object-deletion-positive.json', (detail) => {
          detail.eventName = n % 2 === 0 ? 'DeleteObjects' : 'DeleteObject';
          detail.eventID = `22222222-0000-4000-a000-${String(n).padStart(12, '0')}`;
          detail.eventTime = new Date(start + n * 1000).toISOString();
        }),
      ),
    ).flat();
    expect(drafts).toHaveLength(150);
    const result = await securityStage(drafts, {
      config: compileSecurityConfig({}),
      ownRoleArns: [],
      counter: new InMemoryFailedLoginCounter(),
      thresholds: new MemoryStateStore(),
      now: new Date(start + 600_000),
      degraded: () => undefined,
    });
    expect(result.drafts).toHaveLength(1);
    expect(result.drafts[0]?.annotations.summary).toMatch(
      /^Many S3 objects deleted by one principal \(DeleteObject, DeleteObjects\): 100 calls by arn:aws:sts::123456789012:assumed-role\/data-pipeline\/etl-run-2291 in 123456789012 within 5 min/,
    );
    expect(result.drafts[0]?.severityHint?.word).toBe('error');
    expect(result.dropped).toHaveLength(149);
  });
});
