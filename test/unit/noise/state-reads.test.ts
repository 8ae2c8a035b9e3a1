import { describe, expect, it, vi } from 'vitest';
import { type AlertState, alertStateKey } from '../../../shared/noise/alert-state';
import { SilenceRepository } from '../../../shared/noise/silences';
import { alarmEvent, harness } from './harness';

const T0 = Date.UTC(2026, 2, 14, 10, 0, 0);
const HOUR = 3_600_000;
const ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:';

/** The harness with a count of the state reads the noise stage makes. */
function counted(extraYaml = '') {
  const h = harness(extraYaml);
  const store = h.store!;
  const load = vi.spyOn(store, 'loadRecord');
  const attachment = vi.spyOn(store, 'countAttachment');
  const readsOf = (prefix: string) =>
    load.mock.calls.filter(([key]) => String(key).startsWith(prefix)).length;
  const alertStateReads = () => readsOf('alert#');
  const state = (name: string) => store.loadRecord<AlertState>(alertStateKey(`${ARN}${name}`));
  return { h, alertStateReads, state, readsOf, attachmentReads: () => attachment.mock.calls.length };
}

describe('the alert state is read only when it can change the outcome', () => {
  it('a firing alert that is sent reads none; its resolve reads it once', async () => {
    const { h, alertStateReads } = counted();
    await h.send(alarmEvent({ name: 'api-critical', state: 'ALARM', at: T0 }));
    expect(h.sent('pager')).toHaveLength(1);
    expect(alertStateReads()).toBe(0);
    await h.send(alarmEvent({ name: 'api-critical', state: 'OK', at: T0 + 60_000 }));
    expect(alertStateReads()).toBe(1);
    expect(h.sent('pager').map((s) => s.split(':')[0])).toEqual(['firing', 'resolved']);
  });

  it('a suppressed duplicate of a notified transition reads it, and keeps it notified', async () => {
    const { h, alertStateReads, state } = counted();
    const firing = alarmEvent({ name: 'api-critical', state: 'ALARM', at: T0 });
    await h.send(firing);
    await new SilenceRepository(h.store!).add(
      { matchers: { alarmName: 'api-*' }, reason: 'deploy', createdBy: 'c', startsAt: T0, endsAt: T0 + HOUR },
      T0,
    );
    h.advance(1000);
    const again = await h.send(firing);
    expect(again.alerts[0]?.decision.suppressed).toMatch(/^silenced by/);
    expect(alertStateReads()).toBe(1);
    expect((await state('api-critical'))?.notified).toBe(true);
    // So its resolve still goes through the silence: it closes the incident that was opened.
    await h.send(alarmEvent({ name: 'api-critical', state: 'OK', at: T0 + 60_000 }));
    expect(h.sent('pager').map((s) => s.split(':')[0])).toEqual(['firing', 'resolved']);
  });

  it('a new transition that is suppressed is recorded as not notified', async () => {
    const { h, state } = counted();
    await new SilenceRepository(h.store!).add(
      { matchers: { alarmName: 'api-*' }, reason: 'deploy', createdBy: 'c', startsAt: T0, endsAt: T0 + HOUR },
      T0,
    );
    await h.send(alarmEvent({ name: 'api-critical', state: 'ALARM', at: T0 }));
    expect((await state('api-critical'))?.notified).toBe(false);
  });
});

describe('flap damping reads its episode with the count', () => {
  it('through a whole episode, no transition reads the episode on its own; only the settle job does', async () => {
    const { h, readsOf, attachmentReads } = counted('flapping: { transitions: 2, windowMinutes: 30 }');
    for (let i = 0; i < 6; i++) {
      h.advance(60_000);
      await h.send(alarmEvent({ name: 'db-critical', state: i % 2 === 0 ? 'ALARM' : 'OK', at: h.now() }));
    }
    // Notified twice, then once as flapping; the other three were held.
    expect(h.sent('pager')).toHaveLength(3);
    expect(h.sent('pager')[2]).toMatch(/^firing:\[FLAPPING\]/);
    expect(readsOf('flap#')).toBe(0);
    expect(attachmentReads()).toBe(0);
    h.advance(31 * 60_000);
    await h.runDueJobs();
    await h.runDueJobs();
    expect(h.sent('pager')[3]).toMatch(/^resolved:\[settled after flapping\]/);
    expect(attachmentReads()).toBeGreaterThan(0);
  });
});
