import { describe, expect, it } from 'vitest';
import { formatRecord } from '../../../shared/noise/record';
import { readDecisionRecords } from '../../../shared/noise/engine';
import { alarmEvent, harness } from './harness';

const T0 = Date.UTC(2026, 2, 14, 10, 0, 0);
const M = 60_000;

const INHIBIT = `
inhibit:
  - name: composite-mutes-children
    source: { match: { alarmKind: composite } }
    target: { match: { alarmKind: [metric, math, anomaly] } }
    equal: [service]
`;

describe('inhibition', () => {
  it('a firing composite alarm mutes child alarms of the same service, not others', async () => {
    const h = harness(INHIBIT);
    await h.send(
      alarmEvent({
        name: 'payments-down-critical',
        state: 'ALARM',
        at: T0,
        composite: true,
        tags: { service: 'payments' },
      }),
    );
    const child = await h.send(
      alarmEvent({
        name: 'payments-5xx-critical',
        state: 'ALARM',
        at: T0 + M,
        tags: { service: 'payments' },
      }),
    );
    expect(child.alerts[0]?.decision.suppressed).toBe(
      'inhibited by payments-down-critical (rule composite-mutes-children, equal service)',
    );
    const other = await h.send(
      alarmEvent({ name: 'search-5xx-critical', state: 'ALARM', at: T0 + M, tags: { service: 'search' } }),
    );
    expect(other.alerts[0]?.decision.suppressed).toBeUndefined();
    expect(h.sent('pager')).toEqual([
      'firing:ALARM: payments-down-critical',
      'firing:ALARM: search-5xx-critical',
    ]);
  });

  it('when the source resolves, still-firing targets are delivered; resolved ones are not', async () => {
    const h = harness(INHIBIT);
    const tags = { service: 'payments' };
    await h.send(
      alarmEvent({ name: 'payments-down-critical', state: 'ALARM', at: T0, composite: true, tags }),
    );
    await h.send(alarmEvent({ name: 'payments-5xx-critical', state: 'ALARM', at: T0 + M, tags }));
    await h.send(alarmEvent({ name: 'payments-latency-critical', state: 'ALARM', at: T0 + M, tags }));
    await h.send(alarmEvent({ name: 'payments-latency-critical', state: 'OK', at: T0 + 2 * M, tags }));
    h.set(T0 + 3 * M);
    await h.send(
      alarmEvent({ name: 'payments-down-critical', state: 'OK', at: T0 + 3 * M, composite: true, tags }),
    );
    await h.runDueJobs();
    expect(h.sent('pager')).toEqual([
      'firing:ALARM: payments-down-critical',
      'resolved:RESOLVED: payments-down-critical is OK (123456789012/us-east-1)',
      'firing:ALARM: payments-5xx-critical',
    ]);
  });

  it('a source not seen firing for maxAge stops inhibiting', async () => {
    const h = harness(INHIBIT.replace('equal: [service]', 'equal: [service]\n    maxAge: 2h'));
    const tags = { service: 'payments' };
    await h.send(
      alarmEvent({ name: 'payments-down-critical', state: 'ALARM', at: T0, composite: true, tags }),
    );
    h.set(T0 + 2 * 60 * M + 1);
    const child = await h.send(
      alarmEvent({ name: 'payments-5xx-critical', state: 'ALARM', at: h.now(), tags }),
    );
    expect(child.alerts[0]?.decision.suppressed).toBeUndefined();
  });

  it('in preview mode (replay) inhibits from alerts earlier in the same run, deterministically', async () => {
    const h = harness(INHIBIT, { mode: 'preview', store: false });
    const tags = { service: 'payments' };
    const before = await h.send(alarmEvent({ name: 'payments-5xx-critical', state: 'ALARM', at: T0, tags }));
    expect(before.alerts[0]?.decision.suppressed).toBeUndefined();
    await h.send(
      alarmEvent({ name: 'payments-down-critical', state: 'ALARM', at: T0, composite: true, tags }),
    );
    const after = await h.send(
      alarmEvent({ name: 'payments-5xx-critical', state: 'ALARM', at: T0 + M, tags }),
    );
    expect(after.alerts[0]?.decision.suppressed).toMatch(/^inhibited by payments-down-critical/);
    expect(after.alerts[0]?.decision.receivers).toEqual([]);
  });
});

describe('annotate rules', () => {
  const ANNOTATE = INHIBIT.replace('equal: [service]', 'equal: [service]\n    effect: annotate');

  it('deliver the target with a note naming the firing source instead of muting it', async () => {
    const h = harness(ANNOTATE);
    const tags = { service: 'payments' };
    await h.send(
      alarmEvent({ name: 'payments-down-critical', state: 'ALARM', at: T0, composite: true, tags }),
    );
    h.set(T0 + M);
    const child = await h.send(
      alarmEvent({ name: 'payments-5xx-critical', state: 'ALARM', at: T0 + M, tags }),
    );
    const decision = child.alerts[0]?.decision;
    expect(decision?.suppressed).toBeUndefined();
    expect(decision?.receivers).toContain('pager');
    expect(decision?.alert.annotations.context).toMatch(
      /^during: ALARM: payments-down-critical.* \(since 10:00 UTC, rule composite-mutes-children\)$/,
    );
    expect(h.receivers.pager.sent.at(-1)?.annotations.context).toBe(decision?.alert.annotations.context);
    const [record] = await readDecisionRecords(h.store!, child.alerts[0]!.decision.alert.fingerprint);
    expect(formatRecord(record!)).toContain('context:     during: ALARM: payments-down-critical');
  });

  it('reject an unknown effect with its path', () => {
    expect(() => harness(INHIBIT.replace('equal: [service]', 'equal: [service]\n    effect: mute'))).toThrow(
      /inhibit\[0\]\.effect/,
    );
  });

  it('add nothing to alerts of another service, or once the source resolved', async () => {
    const h = harness(ANNOTATE);
    const tags = { service: 'payments' };
    await h.send(
      alarmEvent({ name: 'payments-down-critical', state: 'ALARM', at: T0, composite: true, tags }),
    );
    const other = await h.send(
      alarmEvent({ name: 'search-5xx-critical', state: 'ALARM', at: T0 + M, tags: { service: 'search' } }),
    );
    expect(other.alerts[0]?.decision.alert.annotations.context).toBeUndefined();
    await h.send(
      alarmEvent({ name: 'payments-down-critical', state: 'OK', at: T0 + 2 * M, composite: true, tags }),
    );
    const later = await h.send(
      alarmEvent({ name: 'payments-5xx-critical', state: 'ALARM', at: T0 + 3 * M, tags }),
    );
    expect(later.alerts[0]?.decision.alert.annotations.context).toBeUndefined();
  });
});

describe('flap damping', () => {
  const flip = async (h: ReturnType<typeof harness>, n: number, name = 'db-critical') => {
    for (let i = 0; i < n; i++) {
      h.advance(M);
      await h.send(alarmEvent({ name, state: i % 2 === 0 ? 'ALARM' : 'OK', at: h.now() }));
    }
  };

  it('notifies once as flapping after more than N transitions in the window, holds the rest, then reports the settled state', async () => {
    const h = harness('flapping: { transitions: 4, windowMinutes: 30 }');
    await flip(h, 4);
    expect(h.sent('pager')).toHaveLength(4);
    await flip(h, 1); // the 5th change: ALARM
    const flapped = h.sent('pager');
    expect(flapped).toHaveLength(5);
    expect(flapped[4]).toMatch(/^firing:\[FLAPPING\] ALARM: db-critical/);
    expect(h.receivers.pager.sent[4]?.annotations.flapping).toContain('5 state changes in 30 min');
    h.advance(M);
    const held = await h.send(alarmEvent({ name: 'db-critical', state: 'OK', at: h.now() }));
    expect(held.alerts[0]?.decision.suppressed).toMatch(/^flapping: 6 state changes in the last 30 min/);
    expect(h.sent('pager')).toHaveLength(5);
    // Settles: no change for 30 minutes; the job reports the state it settled in (OK).
    h.advance(29 * M);
    await h.runDueJobs();
    expect(h.sent('pager')).toHaveLength(5);
    h.advance(2 * M);
    await h.runDueJobs();
    await h.runDueJobs();
    expect(h.sent('pager')).toHaveLength(6);
    expect(h.sent('pager')[5]).toMatch(/^resolved:\[settled after flapping\]/);
    // After settling, a new change is notified normally.
    h.advance(M);
    await h.send(alarmEvent({ name: 'db-critical', state: 'ALARM', at: h.now() }));
    expect(h.sent('pager')[6]).toBe('firing:ALARM: db-critical');
  });

  it('counts a duplicate delivery of one transition once', async () => {
    const h = harness('flapping: { transitions: 2, windowMinutes: 30 }');
    const event = alarmEvent({ name: 'db-critical', state: 'ALARM', at: T0 });
    for (let i = 0; i < 5; i++) await h.send(event);
    expect(h.sent('pager')).toEqual(['firing:ALARM: db-critical']);
    // Two transitions so far, not six: the resolve is no flap and is notified as it is.
    h.advance(M);
    await h.send(alarmEvent({ name: 'db-critical', state: 'OK', at: h.now() }));
    expect(h.sent('pager')).toHaveLength(2);
    expect(h.sent('pager')[1]).toMatch(/^resolved:RESOLVED: db-critical/);
  });
});

describe('repeat and resolve policy', () => {
  const ROUTES = (extra: string) =>
    `
route:
  receiver: chat
  routes:
    - name: page
      match: { severity: critical }
      receiver: pager
      ${extra}
`;

  it('repeats a critical alert at repeatInterval while it keeps firing, and stops once resolved', async () => {
    const r = harness(ROUTES('repeatInterval: 1h'));
    await r.send(alarmEvent({ name: 'api-critical', state: 'ALARM', at: T0 }));
    r.set(T0 + 60 * M);
    await r.runDueJobs();
    r.set(T0 + 120 * M);
    await r.runDueJobs();
    expect(r.sent('pager')).toEqual([
      'firing:ALARM: api-critical',
      'firing:[still firing, repeat 1] ALARM: api-critical',
      'firing:[still firing, repeat 2] ALARM: api-critical',
    ]);
    r.advance(M);
    await r.send(alarmEvent({ name: 'api-critical', state: 'OK', at: r.now() }));
    r.set(T0 + 200 * M);
    await r.runDueJobs();
    expect(r.sent('pager')).toHaveLength(4);
    expect(r.sent('pager')[3]).toMatch(/^resolved:/);
  });

  it('sendResolved: false keeps resolves from that route', async () => {
    const h = harness(ROUTES('sendResolved: false'));
    await h.send(alarmEvent({ name: 'api-critical', state: 'ALARM', at: T0 }));
    const resolved = await h.send(alarmEvent({ name: 'api-critical', state: 'OK', at: T0 + M }));
    expect(resolved.alerts[0]?.decision.suppressed).toBe(
      'resolve not sent: sendResolved is false on every matched route',
    );
    expect(h.sent('pager')).toEqual(['firing:ALARM: api-critical']);
  });
});

describe('decision record', () => {
  it('keeps what arrived, the route walk, the suppression and each answer, readable by explain', async () => {
    const h = harness(INHIBIT);
    h.receivers.pager.script.push({ outcome: 'delivered', status: 202 });
    const fp = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-critical';
    await h.send(alarmEvent({ name: 'api-critical', state: 'ALARM', at: T0, tags: { service: 'api' } }));
    await h.send(
      alarmEvent({ name: 'api-down', state: 'ALARM', at: T0, composite: true, tags: { service: 'api' } }),
    );
    h.advance(M);
    await h.send(alarmEvent({ name: 'api-critical', state: 'OK', at: h.now(), tags: { service: 'api' } }));
    const records = await readDecisionRecords(h.store!, fp);
    expect(records).toHaveLength(2);
    expect(records[0]?.routes.map((r) => [r.route, r.matched, r.selected])).toEqual([
      ['root', true, false],
      ['page', true, true],
    ]);
    expect(records[0]?.deliveries).toEqual([{ receiver: 'pager', outcome: 'delivered', status: 202 }]);
    expect(records[0]?.arrived.excerpt).toContain('api-critical');
    const text = formatRecord(records[0]!);
    expect(text).toContain('page');
    expect(text).toContain('answer:      pager: delivered (HTTP 202)');
    // The resolve of a notified alert goes through inhibition.
    expect(records[1]?.suppressed).toBeUndefined();
  });

  it('trims to the configured number per fingerprint', async () => {
    const h = harness('decisionRecords: { keep: 3 }');
    for (let i = 0; i < 6; i++) {
      h.advance(M);
      await h.send(alarmEvent({ name: 'x', state: i % 2 ? 'OK' : 'ALARM', at: h.now() }));
    }
    const records = await readDecisionRecords(h.store!, 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:x');
    expect(records.map((r) => r.alert.status)).toEqual(['resolved', 'firing', 'resolved']);
  });
});
