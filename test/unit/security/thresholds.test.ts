import { describe, expect, it } from 'vitest';
import { StateStoreError } from '../../../shared/errors';
import { compileSecurityConfig, type SecurityConfigInput } from '../../../shared/security/allowlist';
import { detectionById } from '../../../shared/security/catalog';
import { instanceCredentialsFromPublicIp } from '../../../shared/security/detections-attack';
import { securityStage } from '../../../shared/security/stage';
import { checkThreshold, type ThresholdCounter } from '../../../shared/security/thresholds';
import { InMemoryFailedLoginCounter } from '../../../shared/security/failed-logins';
import { cloudTrailDetailSchema } from '../../../shared/sources/cloudtrail/schema';
import { splitEnvelope } from '../../../shared/sources/envelope';
import { normalizeRecord } from '../../../shared/sources/registry';
import type { AlertDraft } from '../../../shared/sources/types';
import { MemoryStateStore } from '../../../shared/state/memory';
import { loadConfig } from '../../../shared/config/yaml';
import { silentObserver } from '../../../shared/observability/observer';
import { processEvent } from '../../../shared/pipeline';
import { createReceivers, systemClock } from '../../../shared/receivers/factory';
import { LocalSecretResolver } from '../../../shared/secrets/secrets';
import { fixture, repoText } from '../../support/fixtures';

type Json = Record<string, unknown>;

/** The draft a fixture makes for `detection`, with its event edited first. */
function hit(file: string, detection: string, edit: (detail: Json) => void = () => undefined): AlertDraft {
  const event = structuredClone(fixture(`cloudtrail/${file}`)) as Json;
  edit(event.detail as Json);
  const [record] = splitEnvelope(event);
  const result = record && normalizeRecord(record);
  const draft =
    result?.kind === 'alerts' ? result.drafts.find((d) => d.labels.detection === detection) : undefined;
  if (!draft) throw new Error(`${file}: expected a ${detection} draft`);
  return draft;
}

const T0 = Date.UTC(2026, 2, 14, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/** The n-th distinct discovery call by the same principal, `seconds` into the window. */
function discovery(n: number, seconds = n, user = 'alice'): AlertDraft {
  return hit('eventbridge-discovery-burst-positive.json', 'discovery-burst', (detail) => {
    detail.eventName = `ListThings${n}`;
    detail.eventID = `00000000-0000-4000-a000-${String(n).padStart(12, '0')}`;
    detail.eventTime = iso(T0 + seconds * 1000);
    Object.assign(detail.userIdentity as Json, {
      arn: `arn:aws:iam::123456789012:user/${user}`,
      userName: user,
    });
  });
}

function deletion(n: number, seconds = n): AlertDraft {
  return hit('eventbridge-s3-mass-object-deletion-positive.json', 's3-mass-object-deletion', (detail) => {
    detail.eventID = `11111111-0000-4000-a000-${String(n).padStart(12, '0')}`;
    detail.eventTime = iso(T0 + seconds * 1000);
  });
}

const config = (input: SecurityConfigInput = {}) => compileSecurityConfig(input);
const now = new Date(T0 + 3_600_000);

async function run(drafts: AlertDraft[], counter: ThresholdCounter, input: SecurityConfigInput = {}) {
  const degraded: string[] = [];
  const result = await securityStage(drafts, {
    config: config(input),
    ownRoleArns: [],
    counter: new InMemoryFailedLoginCounter(),
    thresholds: counter,
    now,
    degraded: (operation) => degraded.push(operation),
  });
  return { ...result, degraded };
}

describe('threshold detections in the catalog', () => {
  it('count distinct discovery calls and S3 deletions per principal, with catalog defaults', () => {
    expect(detectionById('discovery-burst')?.threshold).toEqual({
      counts: 'distinct-calls',
      count: 100,
      windowSeconds: 300,
    });
    expect(detectionById('s3-mass-object-deletion')?.threshold).toEqual({
      counts: 'calls',
      count: 100,
      windowSeconds: 300,
    });
    expect(discovery(1).detectionScreen?.threshold?.member).toBe('iam.amazonaws.com ListThings1');
    expect(deletion(7).detectionScreen?.threshold?.member).toBe('11111111-0000-4000-a000-000000000007');
  });
});

describe('checkThreshold', () => {
  const small = { detections: { thresholds: { 'discovery-burst': { count: 5, windowSeconds: 300 } } } };

  it('fires once when the window reaches the count; repeats of one call add nothing', async () => {
    const store = new MemoryStateStore();
    const outcomes = [];
    for (const n of [1, 2, 2, 3, 4, 4, 5, 6, 7]) {
      outcomes.push((await checkThreshold(discovery(n), store, config(small), now)).kind);
    }
    expect(outcomes).toEqual([
      'counted',
      'counted',
      'counted',
      'counted',
      'counted',
      'counted',
      'crossed',
      'counted',
      'counted',
    ]);
  });

  it('names the count, window and principal in the alert, and one transition per window', async () => {
    const store = new MemoryStateStore();
    for (const n of [1, 2, 3, 4]) await checkThreshold(discovery(n), store, config(small), now);
    const crossing = await checkThreshold(discovery(5), store, config(small), now);
    expect(crossing.kind).toBe('crossed');
    if (crossing.kind !== 'crossed') return;
    expect(crossing.draft.annotations.summary).toBe(
      'Discovery burst: many distinct List, Describe and Get calls by one principal: 5 distinct calls by arn:aws:iam::123456789012:user/alice in 123456789012 within 5 min (last: iam.amazonaws.com ListThings5 from 198.51.100.23)',
    );
    expect(crossing.draft.labels.aggregate).toBe('threshold');
    expect(crossing.draft.fingerprint).toBe(
      'discovery-burst|arn:aws:iam::123456789012:user/alice|123456789012',
    );
    expect(crossing.draft.transitionId).toBe(
      'discovery-burst|123456789012|arn:aws:iam::123456789012:user/alice|window:2026-03-14T10:00:00.000Z',
    );
    // The invocation is retried after the window fired: the same event crosses again (same
    // transition, deduplicated downstream); another event never does.
    expect((await checkThreshold(discovery(5), store, config(small), now)).kind).toBe('crossed');
    expect((await checkThreshold(discovery(6), store, config(small), now)).kind).toBe('counted');
  });

  it('counts principals apart and starts again in the next window', async () => {
    const store = new MemoryStateStore();
    for (const n of [1, 2, 3, 4]) await checkThreshold(discovery(n), store, config(small), now);
    const other = await checkThreshold(discovery(5, 5, 'bob'), store, config(small), now);
    expect(other.kind).toBe('counted');
    // 301 s: the next five-minute window, counted from zero.
    const next = [];
    for (const n of [1, 2, 3, 4, 5])
      next.push((await checkThreshold(discovery(n, 300 + n), store, config(small), now)).kind);
    expect(next).toEqual(['counted', 'counted', 'counted', 'counted', 'crossed']);
  });

  it('counts every deletion call by event id: a retried event counts once', async () => {
    const store = new MemoryStateStore();
    const input = {
      detections: { thresholds: { 's3-mass-object-deletion': { count: 3, windowSeconds: 60 } } },
    };
    const kinds = [];
    for (const n of [1, 1, 2, 3])
      kinds.push((await checkThreshold(deletion(n), store, config(input), now)).kind);
    expect(kinds).toEqual(['counted', 'counted', 'counted', 'crossed']);
  });

  it('uses the catalog default when klaxon.yml says nothing', async () => {
    const store = new MemoryStateStore();
    for (let n = 1; n < 100; n += 1) {
      expect((await checkThreshold(discovery(n, 1), store, config(), now)).kind).toBe('counted');
    }
    expect((await checkThreshold(discovery(100, 1), store, config(), now)).kind).toBe('crossed');
  });

  it('leaves drafts of other detections alone', async () => {
    const draft = hit('eventbridge-ec2-password-data-retrieved-positive.json', 'ec2-password-data-retrieved');
    expect((await checkThreshold(draft, new MemoryStateStore(), config(), now)).kind).toBe('not-threshold');
  });
});

describe('the security stage with threshold detections', () => {
  const small = { detections: { thresholds: { 'discovery-burst': { count: 3, windowSeconds: 300 } } } };

  it('drops counted hits with their count and passes the crossing one', async () => {
    const result = await run([discovery(1), discovery(2), discovery(3)], new MemoryStateStore(), small);
    expect(result.drafts.map((d) => d.labels.aggregate)).toEqual(['threshold']);
    expect(result.dropped.map((d) => d.reason)).toEqual([
      expect.stringMatching(
        /^discovery-burst: counted \(1 of 3 distinct calls by .*alice in the 5 min window/,
      ),
      expect.stringMatching(/^discovery-burst: counted \(2 of 3 /),
    ]);
  });

  it('counts failed discovery calls too (AccessDenied is what enumeration meets)', async () => {
    const denied = hit('eventbridge-discovery-burst-positive-denied.json', 'discovery-burst', (detail) => {
      detail.eventTime = iso(T0 + 10_000);
    });
    expect(denied.detectionScreen?.threshold).toBeDefined();
    const result = await run([discovery(1), discovery(2), denied], new MemoryStateStore(), small);
    expect(result.drafts).toHaveLength(1);
  });

  it('does not count allowlisted principals, and drops disabled detections', async () => {
    const allow = {
      ...small,
      allowlist: {
        principals: [{ arn: 'arn:aws:iam::123456789012:user/alice', reason: 'inventory scanner' }],
      },
    };
    const store = new MemoryStateStore();
    const result = await run([discovery(1), discovery(2), discovery(3)], store, allow);
    expect(result.drafts).toEqual([]);
    expect(result.dropped.map((d) => d.reason)).toEqual(
      Array(3).fill(
        'allowlisted principal arn:aws:iam::123456789012:user/alice: inventory scanner (not counted)',
      ),
    );
    // Nothing was counted: without the allowlist, the window starts from zero.
    expect((await run([discovery(4)], store, small)).drafts).toEqual([]);
    const disabled = await run([discovery(1)], store, { detections: { disabled: ['discovery-burst'] } });
    expect(disabled.dropped[0]?.reason).toBe('detection discovery-burst is disabled in security.detections');
  });

  it('applies a severity override to the crossing alert', async () => {
    const input = { detections: { ...small.detections, severity: { 'discovery-burst': 'error' as const } } };
    const result = await run([discovery(1), discovery(2), discovery(3)], new MemoryStateStore(), input);
    expect(result.drafts[0]?.severityHint).toEqual({
      word: 'error',
      from: 'security.detections.severity.discovery-burst',
    });
  });

  it('drops the hit and reports it when the state store fails, never alerting per call', async () => {
    const broken: ThresholdCounter = {
      tallyThreshold: () =>
        Promise.reject(new StateStoreError('state table threshold tally failed: Throttling')),
    };
    const result = await run([discovery(1)], broken, small);
    expect(result.drafts).toEqual([]);
    expect(result.degraded).toEqual(['threshold count']);
    expect(result.dropped[0]?.reason).toBe('discovery-burst: not counted (state unavailable)');
  });

  it('does not swallow programming errors', async () => {
    const broken: ThresholdCounter = { tallyThreshold: () => Promise.reject(new TypeError('bug')) };
    await expect(run([discovery(1)], broken, small)).rejects.toThrow(TypeError);
  });
});

describe('instance-credentials-used-elsewhere', () => {
  const file = 'eventbridge-instance-credentials-used-elsewhere-positive.json';
  const id = 'instance-credentials-used-elsewhere';

  it('is not evaluated without security.egressCidrs (decision: every NAT address would look foreign)', async () => {
    const result = await run([hit(file, id)], new MemoryStateStore());
    expect(result.drafts).toEqual([]);
    expect(result.dropped[0]?.reason).toBe(
      'instance-credentials-used-elsewhere is not evaluated: security.egressCidrs is not set (docs/detections.md)',
    );
  });

  it('alerts from outside the egress ranges and drops calls from inside them (IPv4 and IPv6)', async () => {
    const egress = { egressCidrs: ['203.0.113.0/24', '2001:db8:aa::/48'] };
    const outside = await run([hit(file, id)], new MemoryStateStore(), egress);
    expect(outside.drafts.map((d) => d.labels.detection)).toEqual([id]);
    expect(outside.drafts[0]?.annotations.summary).toBe(
      'Credentials of instance i-0a1b2c3d4e5f67890 (role web-app-instance) called ec2.amazonaws.com CreateKeyPair from 198.51.100.61, outside security.egressCidrs, in 123456789012/us-east-1',
    );
    for (const ip of ['203.0.113.9', '2001:db8:aa:1::5', '::ffff:203.0.113.200']) {
      const inside = await run(
        [hit(file, id, (d) => (d.sourceIPAddress = ip))],
        new MemoryStateStore(),
        egress,
      );
      expect(inside.drafts, ip).toEqual([]);
      expect(inside.dropped[0]?.reason, ip).toMatch(/is inside egress range/);
    }
    const v6 = hit('eventbridge-instance-credentials-used-elsewhere-positive-denied.json', id);
    expect((await run([v6], new MemoryStateStore(), egress)).drafts).toHaveLength(1);
  });

  it('keeps the allowlist: an allowlisted CIDR suppresses (recorded, not delivered)', async () => {
    const input = {
      egressCidrs: ['203.0.113.0/24'],
      allowlist: { cidrs: [{ cidr: '198.51.100.0/24', reason: 'partner bastion' }] },
    };
    const result = await run([hit(file, id)], new MemoryStateStore(), input);
    expect(result.drafts[0]?.suppressedBySource).toBe('allowlisted cidr 198.51.100.0/24: partner bastion');
  });

  it('wants an instance session calling from a public address, not a service or a VPC endpoint', () => {
    const base = fixture(`cloudtrail/${file}`) as Json;
    const event = (edit: (detail: Json) => void) => {
      const copy = structuredClone(base);
      edit(copy.detail as Json);
      return {
        source: 'aws.ec2',
        detailType: 'AWS API Call via CloudTrail',
        envelopeAccount: '123456789012',
        detail: cloudTrailDetailSchema.parse(copy.detail),
      };
    };
    expect(instanceCredentialsFromPublicIp(event(() => undefined))).toBe(true);
    for (const ip of [
      '10.0.3.17',
      '172.31.9.4',
      '100.64.0.9',
      'ec2.amazonaws.com',
      'AWS Internal',
      'fd00::1',
    ]) {
      expect(instanceCredentialsFromPublicIp(event((d) => (d.sourceIPAddress = ip))), ip).toBe(false);
    }
    const named = (session: string) =>
      event((d) => {
        (d.userIdentity as Json).arn = `arn:aws:sts::123456789012:assumed-role/web-app-instance/${session}`;
      });
    expect(instanceCredentialsFromPublicIp(named('i-0a1b2c3d'))).toBe(true);
    for (const session of ['alice', 'i-0a1b2c3d4e5f6789', 'i-xyz', 'ci-0a1b2c3d4e5f67890']) {
      expect(instanceCredentialsFromPublicIp(named(session)), session).toBe(false);
    }
    const viaService = event((d) => {
      (d.userIdentity as Json).invokedBy = 'cloudformation.amazonaws.com';
    });
    expect(instanceCredentialsFromPublicIp(viaService)).toBe(false);
  });
});

describe('through the pipeline', () => {
  const withoutEgress = repoText('klaxon.yml').replace(/^security:\n {2}egressCidrs: .*\n/m, '');
  function depsFor(text: string) {
    const loaded = loadConfig(text);
    return {
      config: loaded,
      receivers: createReceivers(loaded.receivers, {
        secrets: new LocalSecretResolver({}),
        post: async () => {
          throw new Error('no network');
        },
        clock: systemClock,
        consoleSink: () => {},
      }),
      mode: 'preview' as const,
      observer: silentObserver,
      now: () => now,
      store: new MemoryStateStore(),
    };
  }

  it('ignores instance credentials with the reason when klaxon.yml sets no egress ranges, and alerts when it does', async () => {
    expect(withoutEgress).not.toContain('egressCidrs: [');
    const event = fixture('cloudtrail/eventbridge-instance-credentials-used-elsewhere-positive.json');
    const off = await processEvent(event, depsFor(withoutEgress));
    expect(off.outcome).toBe('ignored');
    expect(off.ignored.map((i) => i.reason)).toEqual([
      'instance-credentials-used-elsewhere is not evaluated: security.egressCidrs is not set (docs/detections.md)',
    ]);
    const on = await processEvent(event, depsFor(repoText('klaxon.yml')));
    expect(on.alerts.map((a) => a.decision.alert.labels.detection)).toEqual([
      'instance-credentials-used-elsewhere',
    ]);
  });

  it('counts discovery calls in the state store it is given, and alerts once at the threshold', async () => {
    const text = `${repoText('klaxon.yml')}`.replace(
      /^security:\n/m,
      'security:\n  detections: { thresholds: { discovery-burst: { count: 3, windowSeconds: 300 } } }\n',
    );
    const deps = depsFor(text);
    const outcomes = [];
    for (const n of [1, 2, 3, 4]) {
      const event = structuredClone(fixture('cloudtrail/eventbridge-discovery-burst-positive.json')) as Json;
      Object.assign(event.detail as Json, {
        eventName: `ListThings${n}`,
        eventID: `33333333-0000-4000-a000-${String(n).padStart(12, '0')}`,
      });
      outcomes.push((await processEvent(event, deps)).outcome);
    }
    expect(outcomes).toEqual(['ignored', 'ignored', 'alerts', 'ignored']);
  });
});
