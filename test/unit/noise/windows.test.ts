import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/yaml';
import { openOccurrence } from '../../../shared/noise/windows';
import { localTime, zonedToUtc } from '../../../shared/noise/timezone';
import { alarmEvent, BASE_CONFIG, harness } from './harness';

const SUNDAY_BERLIN = `
maintenanceWindows:
  - name: sunday-maintenance
    timeZone: Europe/Berlin
    schedule:
      - { days: [sun], start: '02:00', end: '04:00' }
    match: { env: prod }
    summary: chat
`;
const window = loadConfig(`${BASE_CONFIG}${SUNDAY_BERLIN}`).noise.windows[0]!;
const open = (iso: string) => openOccurrence(window, Date.parse(iso));
const M = 60_000;

describe('maintenance windows in a time zone', () => {
  it('is open Sundays 02:00–04:00 Berlin time in winter (CET, UTC+1)', () => {
    expect(open('2026-03-15T00:59:59Z')).toBeUndefined();
    expect(open('2026-03-15T01:00:00Z')?.end).toBe(Date.parse('2026-03-15T03:00:00Z'));
    expect(open('2026-03-15T02:59:59Z')).toBeDefined();
    expect(open('2026-03-15T03:00:00Z')).toBeUndefined();
    expect(open('2026-03-14T01:30:00Z')).toBeUndefined(); // a Saturday
  });

  it('follows summer time (CEST, UTC+2)', () => {
    expect(open('2026-06-07T00:00:00Z')?.end).toBe(Date.parse('2026-06-07T02:00:00Z'));
    expect(open('2026-06-07T02:00:00Z')).toBeUndefined();
    expect(open('2026-06-06T23:59:00Z')).toBeUndefined();
  });

  it('loses the skipped hour on the spring-forward Sunday (02:00–03:00 does not exist)', () => {
    expect(open('2026-03-29T00:59:00Z')).toBeUndefined(); // 01:59 CET
    expect(open('2026-03-29T01:00:00Z')?.end).toBe(Date.parse('2026-03-29T02:00:00Z')); // 03:00 CEST
    expect(open('2026-03-29T02:00:00Z')).toBeUndefined(); // 04:00 CEST
  });

  it('gains the repeated hour on the fall-back Sunday (three real hours)', () => {
    expect(open('2026-10-24T23:59:00Z')).toBeUndefined(); // 01:59 CEST
    expect(open('2026-10-25T00:00:00Z')?.end).toBe(Date.parse('2026-10-25T03:00:00Z')); // 02:00 CEST
    expect(open('2026-10-25T01:30:00Z')?.end).toBe(Date.parse('2026-10-25T03:00:00Z')); // 02:30 CET
    expect(open('2026-10-25T03:00:00Z')).toBeUndefined(); // 04:00 CET
  });

  it('runs periods past midnight on the start day, in another zone', () => {
    const config = loadConfig(`${BASE_CONFIG}
maintenanceWindows:
  - name: friday-night
    timeZone: America/New_York
    schedule: [{ days: [fri], start: '22:00', end: '06:00' }]`);
    const w = config.noise.windows[0]!;
    // Friday 2026-03-13 22:00 EDT = Saturday 02:00Z; Saturday 06:00 EDT = 10:00Z.
    expect(openOccurrence(w, Date.parse('2026-03-14T01:59:00Z'))).toBeUndefined();
    expect(openOccurrence(w, Date.parse('2026-03-14T02:00:00Z'))?.end).toBe(
      Date.parse('2026-03-14T10:00:00Z'),
    );
    expect(openOccurrence(w, Date.parse('2026-03-14T09:59:00Z'))).toBeDefined();
    expect(openOccurrence(w, Date.parse('2026-03-14T10:00:00Z'))).toBeUndefined();
    // Thursday night is not in the window.
    expect(openOccurrence(w, Date.parse('2026-03-13T03:00:00Z'))).toBeUndefined();
  });

  it('converts wall time to UTC across both DST changes', () => {
    expect(zonedToUtc(2026, 3, 29, 1, 30, 'Europe/Berlin')).toBe(Date.parse('2026-03-29T00:30:00Z'));
    expect(zonedToUtc(2026, 3, 29, 3, 0, 'Europe/Berlin')).toBe(Date.parse('2026-03-29T01:00:00Z'));
    expect(zonedToUtc(2026, 10, 25, 2, 30, 'Europe/Berlin')).toBe(Date.parse('2026-10-25T00:30:00Z'));
    expect(zonedToUtc(2026, 10, 25, 2, 30, 'Europe/Berlin', Date.parse('2026-10-25T00:30:00Z'))).toBe(
      Date.parse('2026-10-25T01:30:00Z'),
    );
    expect(localTime(Date.parse('2026-03-15T01:00:00Z'), 'Europe/Berlin')).toMatchObject({
      hour: 2,
      weekday: 0,
    });
  });

  it('rejects unknown time zones and summary receivers, naming the key', () => {
    expect(() =>
      loadConfig(`${BASE_CONFIG}
maintenanceWindows:
  - { name: w, timeZone: Mars/Olympus, schedule: [{ start: '01:00', end: '02:00' }], summary: nobody }`),
    ).toThrow(/maintenanceWindows\[0\]\.timeZone/);
    expect(() =>
      loadConfig(`${BASE_CONFIG}
maintenanceWindows:
  - { name: w, timeZone: UTC, schedule: [{ start: '01:00', end: '02:00' }], summary: nobody }`),
    ).toThrow(/maintenanceWindows\[0\]\.summary: unknown receiver/);
  });
});

describe('maintenance windows in the pipeline', () => {
  it('suppresses matching alerts while open, then sends a summary and the still-firing ones at the end', async () => {
    const start = Date.parse('2026-03-15T01:30:00Z'); // Sunday 02:30 Berlin
    const h = harness(SUNDAY_BERLIN, { start });
    const prod = { env: 'prod' };
    const a = await h.send(alarmEvent({ name: 'api-critical', state: 'ALARM', at: start, tags: prod }));
    expect(a.alerts[0]?.decision.suppressed).toBe(
      'maintenance window sunday-maintenance (Europe/Berlin) until 2026-03-15T03:00:00.000Z',
    );
    h.advance(10 * M);
    await h.send(alarmEvent({ name: 'db-critical', state: 'ALARM', at: h.now(), tags: prod }));
    h.advance(10 * M);
    await h.send(alarmEvent({ name: 'db-critical', state: 'OK', at: h.now(), tags: prod }));
    // Not in scope of the window: delivered.
    await h.send(alarmEvent({ name: 'dev-critical', state: 'ALARM', at: h.now(), tags: { env: 'dev' } }));
    expect(h.sent('pager')).toEqual(['firing:ALARM: dev-critical']);
    h.set(Date.parse('2026-03-15T03:00:01Z'));
    await h.runDueJobs();
    expect(h.sent('pager')).toEqual(['firing:ALARM: dev-critical', 'firing:ALARM: api-critical']);
    expect(h.sent('chat')).toHaveLength(1);
    const summary = h.receivers.chat.sent[0]!;
    expect(summary.annotations.summary).toBe(
      'Maintenance window sunday-maintenance ended: 2 alerts suppressed',
    );
    expect(summary.annotations.description).toContain('resolved: RESOLVED: db-critical');
  });
});
