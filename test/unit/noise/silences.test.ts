import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/yaml';
import { parseMatchArgs, SilenceRepository } from '../../../shared/noise/silences';
import { ConfigError } from '../../../shared/errors';
import { alarmEvent, BASE_CONFIG, harness } from './harness';

const T0 = Date.UTC(2026, 2, 14, 10, 0, 0);
const HOUR = 3_600_000;

describe('ad-hoc silences (state table)', () => {
  it('records a silenced alert, does not deliver it, and names the silence and reason', async () => {
    const h = harness();
    const silence = await new SilenceRepository(h.store!).add(
      {
        matchers: parseMatchArgs(['alarmName=api-*']),
        reason: 'deploy',
        createdBy: 'ana',
        startsAt: T0,
        endsAt: T0 + 2 * HOUR,
      },
      T0,
    );
    const result = await h.send(alarmEvent({ name: 'api-prod-critical', state: 'ALARM', at: T0 }));
    expect(result.alerts[0]?.decision.suppressed).toBe(`silenced by ${silence.id}: deploy`);
    expect(result.alerts[0]?.deliveries).toEqual([]);
    expect(h.sent('pager')).toEqual([]);
    // Not matched by the silence: delivered as usual.
    await h.send(alarmEvent({ name: 'db-prod-critical', state: 'ALARM', at: T0 }));
    expect(h.sent('pager')).toHaveLength(1);
  });

  it('delivers a still-firing alert when the silence ends, and nothing when it resolved meanwhile', async () => {
    const h = harness();
    await new SilenceRepository(h.store!).add(
      {
        matchers: { alarmName: 'api-*' },
        reason: 'deploy',
        createdBy: 'ana',
        startsAt: T0,
        endsAt: T0 + 2 * HOUR,
      },
      T0,
    );
    await h.send(alarmEvent({ name: 'api-a-critical', state: 'ALARM', at: T0 }));
    await h.send(alarmEvent({ name: 'api-b-critical', state: 'ALARM', at: T0 + 60_000 }));
    await h.send(alarmEvent({ name: 'api-b-critical', state: 'OK', at: T0 + HOUR }));
    const scheduled = h.queue.retried.filter((r) => r.job.kind === 'noise');
    expect(scheduled).toHaveLength(1); // one job per silence, not per alert
    expect(scheduled[0]?.job).toMatchObject({ action: 'unmute', dueAt: T0 + 2 * HOUR + 1000 });
    h.set(T0 + 2 * HOUR - 5_000);
    await h.runDueJobs(); // too early: nothing yet
    expect(h.sent('pager')).toEqual([]);
    h.set(T0 + 2 * HOUR + 1000);
    await h.runDueJobs();
    expect(h.sent('pager')).toHaveLength(1);
    expect(h.receivers.pager.sent[0]?.labels.alarmName).toBe('api-a-critical');
    expect(h.sent('pager')[0]?.startsWith('firing:')).toBe(true);
    await h.runDueJobs(); // run again: exactly once
    expect(h.sent('pager')).toHaveLength(1);
  });

  it('applies the silence from its start (inclusive) to its end (exclusive)', async () => {
    const h = harness();
    await new SilenceRepository(h.store!).add(
      {
        matchers: { alarmName: 'x-*' },
        reason: 'r',
        createdBy: 'c',
        startsAt: T0 + HOUR,
        endsAt: T0 + 2 * HOUR,
      },
      T0,
    );
    const at = async (time: number, n: number) => {
      h.set(time);
      const r = await h.send(alarmEvent({ name: `x-${n}`, state: 'ALARM', at: time }));
      return r.alerts[0]?.decision.suppressed !== undefined;
    };
    expect(await at(T0 + HOUR - 1, 1)).toBe(false);
    expect(await at(T0 + HOUR, 2)).toBe(true);
    expect(await at(T0 + 2 * HOUR - 1, 3)).toBe(true);
    expect(await at(T0 + 2 * HOUR, 4)).toBe(false);
  });

  it('expire ends a silence now; a later alert is delivered', async () => {
    const h = harness();
    const repo = new SilenceRepository(h.store!);
    const s = await repo.add(
      { matchers: { alarmName: 'x' }, reason: 'r', createdBy: 'c', startsAt: T0, endsAt: T0 + HOUR },
      T0,
    );
    h.set(T0 + 60_000);
    expect((await repo.expire(s.id, T0 + 60_000))?.endsAt).toBe(T0 + 60_000);
    expect(await repo.expire('s-nope', T0)).toBeUndefined();
    const r = await h.send(alarmEvent({ name: 'x', state: 'ALARM', at: T0 + 61_000 }));
    expect(r.alerts[0]?.decision.suppressed).toBeUndefined();
  });

  it('lets the resolve of an already-notified alert through a silence (it closes the incident)', async () => {
    const h = harness();
    await h.send(alarmEvent({ name: 'api-critical', state: 'ALARM', at: T0 }));
    await new SilenceRepository(h.store!).add(
      { matchers: { alarmName: 'api-*' }, reason: 'deploy', createdBy: 'c', startsAt: T0, endsAt: T0 + HOUR },
      T0,
    );
    const r = await h.send(alarmEvent({ name: 'api-critical', state: 'OK', at: T0 + 60_000 }));
    expect(r.alerts[0]?.decision.suppressed).toBeUndefined();
    expect(h.sent('pager').map((s) => s.split(':')[0])).toEqual(['firing', 'resolved']);
  });
});

describe('static silences (klaxon.yml)', () => {
  it('silence in force within its dates, in preview mode too, without a state table', async () => {
    const h = harness(
      `silences:
  - id: freeze
    match: { alarmName: 'api-*' }
    reason: change freeze
    startsAt: '2026-03-14T00:00:00Z'
    endsAt: '2026-03-15T00:00:00Z'`,
      { mode: 'preview', store: false },
    );
    const inside = await h.send(alarmEvent({ name: 'api-critical', state: 'ALARM', at: T0 }));
    expect(inside.alerts[0]?.decision.suppressed).toBe('silenced by freeze: change freeze');
    h.set(Date.UTC(2026, 2, 15, 0, 0, 0));
    const after = await h.send(alarmEvent({ name: 'api-critical', state: 'ALARM', at: h.now() }));
    expect(after.alerts[0]?.decision.suppressed).toBeUndefined();
  });

  it('rejects a silence without matchers, a bad end, and duplicate ids, naming the key', () => {
    const bad = () =>
      loadConfig(`${BASE_CONFIG}
silences:
  - { id: a, match: {}, reason: r }
  - { id: a, match: { x: y }, reason: r, startsAt: '2026-03-14T00:00:00Z', endsAt: '2026-03-13T00:00:00Z' }`);
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('silences[0].match');
    }
    const second = () =>
      loadConfig(`${BASE_CONFIG}
silences:
  - { id: a, match: { x: y }, reason: r }
  - { id: a, match: { x: y }, reason: r, startsAt: '2026-03-14T00:00:00Z', endsAt: '2026-03-13T00:00:00Z' }`);
    expect(second).toThrow(/silences\[1\]\.id.*duplicate|duplicate[\s\S]*silences\[1\]\.endsAt/);
  });

  it('parses --match arguments: globs, regexes and repeated labels', () => {
    expect(parseMatchArgs(['alarmName=api-*', 'env=prod', 'env=staging', 'region=~us-.*'])).toEqual({
      alarmName: 'api-*',
      env: ['prod', 'staging'],
      region: { regex: 'us-.*' },
    });
    expect(() => parseMatchArgs(['nolabel'])).toThrow(/label=value/);
    expect(() => parseMatchArgs(['a=~('])).toThrow();
  });
});
