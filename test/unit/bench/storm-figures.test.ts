import { describe, expect, it } from 'vitest';
import {
  klaxonWebhookMessage,
  messageBudget,
  namesIn,
  peakPerWindow,
  processCpuMs,
  receiverFigures,
  slackMessage,
  stormAlarms,
} from '../../../bench/lib/storm-figures';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `a${i}`);

describe('storm figures', () => {
  it('an empty run loses everything and has no first or last', () => {
    const figures = receiverFigures(ids(3), [], 0);
    expect(figures).toEqual({
      expected: 3,
      covered: 0,
      lost: 3,
      duplicated: 0,
      unexpected: 0,
      messages: 0,
      peakPerSecond: 0,
    });
    expect(receiverFigures([], [], 0)).toMatchObject({ expected: 0, lost: 0, covered: 0 });
  });

  it('counts a group size beyond its list as covered, never as a name', () => {
    const figures = receiverFigures(ids(10), [{ at: 5_000, listed: ['a0', 'a1'], size: 10 }], 1_000);
    expect(figures).toMatchObject({ covered: 10, lost: 0, duplicated: 0, messages: 1, firstMs: 4_000 });
  });

  it('an id listed twice is one duplicate, in one message or across two', () => {
    expect(receiverFigures(ids(2), [{ at: 0, listed: ['a0', 'a0', 'a1'] }], 0)).toMatchObject({
      covered: 2,
      lost: 0,
      duplicated: 1,
    });
    expect(
      receiverFigures(
        ids(2),
        [
          { at: 0, listed: ['a0'] },
          { at: 10, listed: ['a0', 'a1'] },
        ],
        0,
      ),
    ).toMatchObject({ covered: 2, lost: 0, duplicated: 1 });
  });

  it('group sizes adding up to more than remained are duplicates, and too few are losses', () => {
    const twice = receiverFigures(
      ids(4),
      [
        { at: 0, listed: ['a0'], size: 4 },
        { at: 1, listed: ['a1'], size: 3 },
      ],
      0,
    );
    // a0 and a1 listed; 2 remain; 3 + 2 counted: 2 cover them, 3 are extra copies.
    expect(twice).toMatchObject({ covered: 4, lost: 0, duplicated: 3 });
    const short = receiverFigures(ids(5), [{ at: 0, listed: ['a0'], size: 3 }], 0);
    expect(short).toMatchObject({ covered: 3, lost: 2, duplicated: 0 });
  });

  it('ids nobody sent are unexpected, and cover nothing', () => {
    expect(receiverFigures(ids(1), [{ at: 0, listed: ['zz'] }], 0)).toMatchObject({
      covered: 0,
      lost: 1,
      unexpected: 1,
    });
  });

  it('a size below the list length counts nothing extra', () => {
    expect(receiverFigures(ids(2), [{ at: 0, listed: ['a0', 'a1'], size: 1 }], 0)).toMatchObject({
      covered: 2,
      duplicated: 0,
    });
  });

  it('first and last come from the earliest and latest arrival, in any order', () => {
    const figures = receiverFigures(
      ids(3),
      [
        { at: 9_000, listed: ['a2'] },
        { at: 2_000, listed: ['a0'] },
        { at: 4_000, listed: ['a1'] },
      ],
      1_000,
    );
    expect(figures).toMatchObject({ firstMs: 1_000, lastMs: 8_000, covered: 3 });
  });

  it('peak per second counts a half-open window over unsorted times', () => {
    expect(peakPerWindow([])).toBe(0);
    expect(peakPerWindow([0, 1000, 2000])).toBe(1);
    expect(peakPerWindow([2000, 0, 999, 1000])).toBe(2);
    expect(peakPerWindow([5, 5, 5, 3000])).toBe(3);
    expect(peakPerWindow([0, 600, 1200], 700)).toBe(2);
  });

  it('the message budget is windows touched times group keys, plus pages', () => {
    expect(messageBudget({ start: 0, end: 29_999, windowSeconds: 30, groupKeys: 2, pages: 100 })).toBe(102);
    expect(messageBudget({ start: 29_000, end: 31_000, windowSeconds: 30, groupKeys: 2, pages: 0 })).toBe(4);
    expect(messageBudget({ start: 10, end: 0, windowSeconds: 30, groupKeys: 1, pages: 1 })).toBe(2);
  });

  it('the alarm generator is seeded: same seed, same alarms; names unique; exactly 1% critical', () => {
    const a = stormAlarms(1_000, 7);
    expect(stormAlarms(1_000, 7)).toEqual(a);
    expect(stormAlarms(1_000, 8).map((x) => x.name)).not.toEqual(a.map((x) => x.name));
    expect(new Set(a.map((x) => x.name)).size).toBe(1_000);
    expect(a.filter((x) => x.critical)).toHaveLength(10);
    expect(stormAlarms(0, 7)).toEqual([]);
  });

  it('reads the alarms a Slack group message names once each, and its "…and N more"', () => {
    const a = 'storm-00001-latency-warn';
    const b = 'storm-00100-errors-crit';
    const body = {
      blocks: [
        { type: 'section', text: { text: `• <https://x/alarm/${a}|${a}>\n• <https://x/alarm/${b}|${b}>` } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '…and 38 more' }] },
      ],
    };
    expect(slackMessage(body, 7)).toEqual({ at: 7, listed: [a, b], size: 40 });
    expect(slackMessage({ text: 'storm-0001-x-warn storm-00002-x-warning' }, 0)).toMatchObject({
      listed: [],
      size: 0,
    });
    expect(namesIn(undefined)).toEqual([]);
  });

  it('reads a Klaxon webhook group by group.size, and a single alert as one', () => {
    const alerts = [{ labels: { alarmName: 'storm-00003-throttles-warn' } }];
    expect(klaxonWebhookMessage({ group: { size: 250, listed: 1 }, alerts }, 1)).toEqual({
      at: 1,
      listed: ['storm-00003-throttles-warn'],
      size: 250,
    });
    expect(klaxonWebhookMessage({ labels: { alarmName: 'storm-00004-errors-warn' } }, 2)).toEqual({
      at: 2,
      listed: ['storm-00004-errors-warn'],
      size: 1,
    });
  });

  it('reads user and system ticks from /proc/<pid>/stat, even with a command name holding ") ("', () => {
    const fields = ['S', '1', '2', '3', '0', '-1', '4194560', '10', '0', '0', '0', '250', '50', '0', '0'];
    expect(processCpuMs(`1234 (prometheus-alertmanager) ${fields.join(' ')}`)).toBe(3_000);
    expect(processCpuMs(`1234 (a) (b c) ${fields.join(' ')}`, 1000)).toBe(300);
  });
});
