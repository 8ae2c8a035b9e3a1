import { describe, expect, it } from 'vitest';
import {
  buildDigest,
  DigestBuilder,
  type DigestOptions,
  type RemediationActivity,
} from '../../../shared/digest/digest';
import type { DecisionRecord } from '../../../shared/noise/record';
import { MIN, record, T0 } from './support';

const options = (extra: Partial<DigestOptions> = {}): DigestOptions => ({
  from: new Date(T0 - 24 * 60 * MIN),
  to: new Date(T0),
  quickResolveMinutes: 10,
  top: 10,
  ...extra,
});

describe('buildDigest: counts', () => {
  it('counts firing transitions by severity and by selected route, resolves and notified apart', () => {
    const digest = buildDigest(
      [
        record({ at: T0 - 60 * MIN, name: 'a', severity: 'critical', routes: ['page', 'chat-critical'] }),
        record({ at: T0 - 50 * MIN, name: 'b', severity: 'warning', routes: ['chat-warning'] }),
        record({
          at: T0 - 40 * MIN,
          name: 'c',
          severity: 'warning',
          routes: ['chat-warning'],
          suppressed: 'silence',
        }),
        record({ at: T0 - 30 * MIN, name: 'd', severity: 'info' }),
        record({ at: T0 - 20 * MIN, name: 'a', severity: 'critical', status: 'resolved', routes: ['page'] }),
      ],
      [],
      options(),
    );
    expect(digest.alerts).toEqual({ firing: 4, resolved: 1, notified: 3 });
    expect(digest.bySeverity).toEqual({ critical: 1, error: 0, warning: 2, info: 1 });
    expect(digest.byRoute).toEqual([
      { route: 'chat-warning', count: 2 },
      { route: 'chat-critical', count: 1 },
      { route: 'page', count: 1 },
      { route: 'root', count: 1 },
    ]);
    expect(digest.empty).toBe(false);
    expect(digest.hours).toBe(24);
  });

  it('counts one transition once, however many paths delivered it, and keeps follow-ups out of the counts', () => {
    const twice = { at: T0 - 60 * MIN, name: 'a', transitionId: 'arn:a|ALARM|1' };
    const digest = buildDigest(
      [
        record(twice),
        record({ ...twice, at: twice.at + 2000 }),
        record({ at: T0 - 10 * MIN, name: 'a', note: 'repeat 1', transitionId: 'arn:a|ALARM|1|repeat|1' }),
      ],
      [],
      options(),
    );
    expect(digest.alerts.firing).toBe(1);
    expect(digest.noisiest).toEqual([expect.objectContaining({ name: 'a', count: 1 })]);
  });

  it('covers the period (from, to]: the start is excluded, the end included; preview records are ignored', () => {
    const from = T0 - 24 * 60 * MIN;
    const digest = buildDigest(
      [
        record({ at: from, name: 'at-start' }),
        record({ at: from + 1, name: 'just-after-start' }),
        record({ at: T0, name: 'at-end' }),
        record({ at: T0 + 1, name: 'after-end' }),
        record({ at: T0 - MIN, name: 'replayed', mode: 'preview' }),
      ],
      [],
      options(),
    );
    expect(digest.noisiest.map((a) => a.name).sort()).toEqual(['at-end', 'just-after-start']);
    const withPreview = buildDigest([record({ at: T0 - MIN, name: 'replayed', mode: 'preview' })], [], {
      ...options(),
      includePreview: true,
    });
    expect(withPreview.noisiest.map((a) => a.name)).toEqual(['replayed']);
  });

  it('counts suppressed alerts by what suppressed them', () => {
    const digest = buildDigest(
      [
        record({ at: T0 - 9 * MIN, name: 'a', suppressed: 'silence' }),
        record({ at: T0 - 8 * MIN, name: 'b', suppressed: 'silence' }),
        record({ at: T0 - 7 * MIN, name: 'c', suppressed: 'window' }),
        record({ at: T0 - 6 * MIN, name: 'd', suppressed: 'inhibition' }),
        record({ at: T0 - 5 * MIN, name: 'e' }),
      ],
      [],
      options(),
    );
    expect(digest.suppressed).toEqual([
      { kind: 'silence', count: 2 },
      { kind: 'inhibition', count: 1 },
      { kind: 'window', count: 1 },
    ]);
  });
});

describe('buildDigest: follow-ups (repeats, unmute deliveries, flap settles)', () => {
  it('are left out of every section: informational counts, suppressed, flapping, quick resolves, empty', () => {
    const scaling = {
      name: 'asg-activity-1',
      source: 'autoscaling',
      kind: 'scaling',
      severity: 'info' as const,
      transitionId: 'asg|1',
    };
    const followUps = [
      // Delivered when the silence ended: the same event again.
      record({ ...scaling, at: T0 - 20 * MIN, note: 'mute ended', summary: 'again' }),
      record({ ...scaling, at: T0 - 10 * MIN, note: 'repeat 1', suppressed: 'window', summary: 'again' }),
      // A flap settling (resolved) shortly after a firing: neither a resolve nor a quick resolve.
      record({
        at: T0 - 25 * MIN,
        name: 'flappy',
        status: 'resolved',
        note: 'settled after flapping (resolved)',
        flapping: 'settled',
        transitionId: 'flappy|settled',
      }),
      record({
        at: T0 - 5 * MIN,
        name: 'api',
        note: 'repeat 1',
        suppressed: 'silence',
        transitionId: 'api|r1',
      }),
    ];
    const digest = buildDigest(
      [
        record({ ...scaling, at: T0 - 50 * MIN, suppressed: 'silence', summary: 'first' }),
        record({ at: T0 - 30 * MIN, name: 'flappy' }),
        ...followUps,
      ],
      [],
      options(),
    );
    expect(digest.informational).toEqual({
      total: 1,
      counts: [{ source: 'autoscaling', kind: 'scaling', count: 1 }],
      latest: [expect.objectContaining({ summary: 'first' })],
    });
    expect(digest.suppressed).toEqual([{ kind: 'silence', count: 1 }]);
    expect(digest.alerts).toEqual({ firing: 1, resolved: 0, notified: 1 });
    expect(digest.flapping).toEqual([]);
    expect(digest.quickResolves).toEqual([]);
    expect(digest.noisiest).toEqual([expect.objectContaining({ name: 'flappy', count: 1 })]);
    // A period holding only follow-ups has nothing to report.
    expect(buildDigest(followUps, [], options()).empty).toBe(true);
  });
});

describe('DigestBuilder', () => {
  const remediation = (action: string, minutesAgo: number): RemediationActivity => ({
    rule: `rule-${action}`,
    action,
    outcome: 'started',
    result: 'succeeded',
    decidedAt: T0 - minutesAgo * MIN,
    startedAt: T0 - minutesAgo * MIN,
  });
  const records: DecisionRecord[] = [
    ...[1, 2, 3, 4].flatMap((i) => [
      record({
        at: T0 - (10 * i + 5) * MIN,
        name: `alarm-${i % 3}`,
        severity: i % 2 ? 'critical' : 'warning',
      }),
      record({ at: T0 - 10 * i * MIN, name: `alarm-${i % 3}`, status: 'resolved' }),
    ]),
    record({ at: T0 - 24 * 60 * MIN - 2 * MIN, name: 'straddles' }),
    record({ at: T0 - 24 * 60 * MIN + MIN, name: 'straddles', status: 'resolved' }),
    record({ at: T0 - 3 * MIN, name: 'flappy', flapping: 'started: 5 changes' }),
    record({ at: T0 - 2 * MIN, name: 'flappy', suppressed: 'flapping' }),
    record({ at: T0 - 2 * MIN, name: 'tie-a', source: 'aws-health', kind: 'health', severity: 'info' }),
    record({ at: T0 - 2 * MIN, name: 'tie-b', source: 'codedeploy', kind: 'deployment', severity: 'info' }),
    record({ at: T0 - 40 * 60 * MIN, name: 'old', source: 'ecs', kind: 'deployment', severity: 'info' }),
    record({ at: T0 - MIN, name: 'replayed', mode: 'preview' }),
  ];
  const remediations = [remediation('B', 5), remediation('A', 6), remediation('A', 30 * 60)];

  it('gives the digest buildDigest gives, whatever order the fingerprints and remediations come in', () => {
    for (const top of [2, 10]) {
      const expected = buildDigest(records, remediations, options({ top, keep: 20 }));
      const byFingerprint = new Map<string, DecisionRecord[]>();
      for (const r of records)
        byFingerprint.set(r.fingerprint, [...(byFingerprint.get(r.fingerprint) ?? []), r]);
      const builder = new DigestBuilder(options({ top, keep: 20 }));
      // As pages of a parallel scan arrive: one set (fingerprint) at a time, in any order.
      for (const set of [...byFingerprint.values()].reverse()) builder.addDecisions([...set].reverse());
      for (const r of [...remediations].reverse()) builder.addRemediation(r);
      expect(builder.build()).toEqual(expected);
      expect(expected.noisiest).toHaveLength(Math.min(top, 4));
    }
  });

  it('keeps at most `top` entries per list, dropping the rest as they are added', () => {
    const builder = new DigestBuilder(options({ top: 3 }));
    for (let i = 0; i < 500; i++) {
      builder.addDecisions([
        record({ at: T0 - (i + 1) * 1000, name: `alarm-${i}` }),
        record({ at: T0 - (i + 1) * 1000 + 500, name: `alarm-${i}`, status: 'resolved' }),
      ]);
      builder.addDecisions([
        record({ at: T0 - i * 1000, name: `asg-${i}`, source: 'autoscaling', kind: 'scaling' }),
      ]);
    }
    const digest = builder.build();
    expect(digest.alerts).toMatchObject({ firing: 500, resolved: 500 });
    expect(digest.informational.total).toBe(500);
    expect(digest.noisiest).toHaveLength(3);
    expect(digest.quickResolves).toHaveLength(3);
    expect(digest.informational.latest.map((e) => e.at)).toEqual(
      [0, 1, 2].map((i) => new Date(T0 - i * 1000).toISOString()),
    );
  });
});

describe('buildDigest: informational events', () => {
  it('lists them newest first (at most top), counts them per source and kind, and keeps them out of alert counts', () => {
    const info = (minutesAgo: number, source: string, kind: string) =>
      record({
        at: T0 - minutesAgo * MIN,
        name: `${source}-${minutesAgo}`,
        source,
        kind,
        severity: 'info',
        summary: `${kind} ${minutesAgo}`,
      });
    const digest = buildDigest(
      [
        info(50, 'codedeploy', 'deployment'),
        info(40, 'aws-health', 'health'),
        info(30, 'codedeploy', 'deployment'),
        info(20, 'autoscaling', 'scaling'),
        record({ at: T0 - 10 * MIN, name: 'alarm' }),
      ],
      [],
      options({ top: 2 }),
    );
    expect(digest.informational.total).toBe(4);
    expect(digest.informational.counts).toEqual([
      { source: 'codedeploy', kind: 'deployment', count: 2 },
      { source: 'autoscaling', kind: 'scaling', count: 1 },
      { source: 'aws-health', kind: 'health', count: 1 },
    ]);
    expect(digest.informational.latest.map((e) => e.summary)).toEqual(['scaling 20', 'deployment 30']);
    expect(digest.informational.latest[0]).toMatchObject({
      source: 'autoscaling',
      kind: 'scaling',
      severity: 'info',
    });
    expect(digest.alerts.firing).toBe(1);
    expect(digest.bySeverity.info).toBe(0);
    expect(digest.noisiest.map((a) => a.name)).toEqual(['alarm']);
  });
});

describe('buildDigest: noisiest and flapping alarms', () => {
  it('ranks fingerprints by firing transitions, at most top', () => {
    const records = [
      ...[1, 2, 3].map((i) => record({ at: T0 - i * MIN, name: 'loud' })),
      ...[1, 2].map((i) => record({ at: T0 - i * MIN - 30_000, name: 'medium' })),
      record({ at: T0 - 5 * MIN, name: 'quiet' }),
      record({ at: T0 - 4 * MIN, name: 'quiet', status: 'resolved' }),
    ];
    const digest = buildDigest(records, [], options({ top: 2 }));
    expect(digest.noisiest.map((a) => [a.name, a.count, a.lowerBound])).toEqual([
      ['loud', 3, false],
      ['medium', 2, false],
    ]);
  });

  it('marks a count as a lower bound when the fingerprint holds `keep` records, all inside the period', () => {
    const keep = 5;
    const full = Array.from({ length: keep }, (_, i) => record({ at: T0 - (i + 1) * MIN, name: 'full' }));
    // Holds `keep` records, but the oldest is before the period: nothing of the period was dropped.
    const reaching = [
      record({ at: T0 - 25 * 60 * MIN, name: 'reaching' }),
      ...Array.from({ length: keep - 1 }, (_, i) => record({ at: T0 - (i + 1) * MIN, name: 'reaching' })),
    ];
    const few = [record({ at: T0 - MIN, name: 'few' })];
    const digest = buildDigest([...full, ...reaching, ...few], [], options({ keep }));
    const bound = Object.fromEntries(digest.noisiest.map((a) => [a.name, [a.count, a.lowerBound]]));
    expect(bound).toEqual({ full: [5, true], reaching: [4, false], few: [1, false] });
    expect(buildDigest(full, [], options()).noisiest[0]?.lowerBound).toBe(false);
  });

  it('lists alarms flap damping acted on, with the latest note', () => {
    const digest = buildDigest(
      [
        record({ at: T0 - 30 * MIN, name: 'flappy', flapping: 'started: 7 state changes in 30 min' }),
        record({
          at: T0 - 29 * MIN,
          name: 'flappy',
          status: 'resolved',
          suppressed: 'flapping',
          flapping: 'held 8',
        }),
        record({ at: T0 - 28 * MIN, name: 'flappy', suppressed: 'flapping' }),
        record({ at: T0 - 27 * MIN, name: 'steady' }),
      ],
      [],
      options(),
    );
    expect(digest.flapping).toEqual([
      {
        name: 'flappy',
        fingerprint: expect.stringContaining('flappy'),
        count: 3,
        lowerBound: false,
        latest: 'flapping reason',
      },
    ]);
  });
});

describe('buildDigest: quick resolves', () => {
  it('lists a firing resolved within quickResolveMinutes, the limit included, with the duration', () => {
    const digest = buildDigest(
      [
        record({ at: T0 - 60 * MIN, name: 'exactly-limit' }),
        record({ at: T0 - 50 * MIN, name: 'exactly-limit', status: 'resolved' }),
        record({ at: T0 - 60 * MIN, name: 'just-over' }),
        record({ at: T0 - 50 * MIN + 1000, name: 'just-over', status: 'resolved' }),
        record({ at: T0 - 40 * MIN, name: 'blip' }),
        record({ at: T0 - 38 * MIN, name: 'blip', status: 'resolved' }),
        record({ at: T0 - 30 * MIN, name: 'blip' }),
        record({ at: T0 - 25 * MIN, name: 'blip', status: 'resolved' }),
      ],
      [],
      options({ quickResolveMinutes: 10 }),
    );
    expect(digest.quickResolves).toEqual([
      {
        name: 'blip',
        fingerprint: expect.stringContaining('blip'),
        count: 2,
        shortestMs: 2 * MIN,
        longestMs: 5 * MIN,
        lastResolvedAt: new Date(T0 - 25 * MIN).toISOString(),
      },
      expect.objectContaining({ name: 'exactly-limit', count: 1, shortestMs: 10 * MIN }),
    ]);
  });

  it('measures from the first firing of an episode, pairs across the period start, and ignores follow-ups', () => {
    const from = T0 - 24 * 60 * MIN;
    const digest = buildDigest(
      [
        // ALARM, then INSUFFICIENT_DATA (firing too), then OK 12 minutes after the first: not quick.
        record({ at: T0 - 60 * MIN, name: 'episode' }),
        record({ at: T0 - 55 * MIN, name: 'episode' }),
        record({ at: T0 - 48 * MIN, name: 'episode', status: 'resolved' }),
        // Fired before the period, resolved inside it.
        record({ at: from - 3 * MIN, name: 'straddles' }),
        record({ at: from + 2 * MIN, name: 'straddles', status: 'resolved' }),
        // A repeat follow-up is not a new firing.
        record({ at: T0 - 100 * MIN, name: 'repeated' }),
        record({ at: T0 - 20 * MIN, name: 'repeated', note: 'repeat 1' }),
        record({ at: T0 - 19 * MIN, name: 'repeated', status: 'resolved' }),
      ],
      [],
      options({ quickResolveMinutes: 10 }),
    );
    expect(digest.quickResolves.map((q) => [q.name, q.shortestMs])).toEqual([['straddles', 5 * MIN]]);
  });
});

describe('buildDigest: remediations and the empty period', () => {
  it('reports started, succeeded and failed per action, with dry runs, approvals and skips', () => {
    const r = (
      action: string,
      outcome: RemediationActivity['outcome'],
      minutesAgo: number,
      result?: 'succeeded' | 'failed',
    ): RemediationActivity => ({
      rule: `rule-${action}`,
      action,
      outcome,
      decidedAt: T0 - minutesAgo * MIN,
      ...(outcome === 'started' ? { startedAt: T0 - minutesAgo * MIN } : {}),
      ...(result ? { result } : {}),
    });
    const digest = buildDigest(
      [],
      [
        r('AWS-RestartEC2Instance', 'started', 50, 'succeeded'),
        r('AWS-RestartEC2Instance', 'started', 40, 'failed'),
        r('AWS-RestartEC2Instance', 'started', 30),
        r('AWS-RestartEC2Instance', 'dry-run', 20),
        r('AWS-DisablePublicAccessForSecurityGroup', 'pending-approval', 10),
        r('AWS-DisablePublicAccessForSecurityGroup', 'skipped', 5),
        r('AWS-RestartEC2Instance', 'started', 25 * 60, 'succeeded'),
      ],
      options(),
    );
    expect(digest.remediations).toEqual([
      {
        action: 'AWS-DisablePublicAccessForSecurityGroup',
        rules: ['rule-AWS-DisablePublicAccessForSecurityGroup'],
        started: 0,
        succeeded: 0,
        failed: 0,
        dryRun: 0,
        pendingApproval: 1,
        skipped: 1,
      },
      {
        action: 'AWS-RestartEC2Instance',
        rules: ['rule-AWS-RestartEC2Instance'],
        started: 3,
        succeeded: 1,
        failed: 1,
        dryRun: 1,
        pendingApproval: 0,
        skipped: 0,
      },
    ]);
    expect(digest.empty).toBe(false);
  });

  it('says a period without anything in it is empty', () => {
    const digest = buildDigest([record({ at: T0 - 30 * 60 * MIN, name: 'yesterday' })], [], options());
    expect(digest.empty).toBe(true);
    expect(digest.alerts).toEqual({ firing: 0, resolved: 0, notified: 0 });
    expect(digest.noisiest).toEqual([]);
    expect(digest.informational.latest).toEqual([]);
  });
});
