import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/yaml';
import type { ProcessResult } from '../../../shared/pipeline';
import type { Receiver } from '../../../shared/receivers/types';
import { LiveReplayRuntime, liveSummaryLine } from '../../../shared/replay/live';
import { manualClock, ScriptedReceiver, testAlert } from '../../support/delivery-fakes';

const config = loadConfig(`
delivery:
  retrySchedule: [60, 300, 900]
receivers:
  chat: { type: slack, webhookUrl: { env: X } }
  pager: { type: pagerduty, routingKey: { env: Y } }
route: { receiver: chat }
`);

function runtime() {
  const chat = new ScriptedReceiver('chat', 'slack');
  const pager = new ScriptedReceiver('pager', 'pagerduty', false);
  const clock = manualClock();
  const live = new LiveReplayRuntime(
    config,
    new Map<string, Receiver>([
      ['chat', chat],
      ['pager', pager],
    ]),
    clock,
  );
  /** What the pipeline would hand back for one file that dispatched these deliveries. */
  const file = async (n: number, receivers: string[], grouped = false): Promise<ProcessResult> => {
    const groups: Record<string, { route: string; by: string[]; windowSeconds: number }> = grouped
      ? { chat: { route: 'storm', by: ['region'], windowSeconds: 30 } }
      : {};
    const deliveries = await live.dispatcher.dispatch(testAlert(n), receivers, groups);
    return {
      outcome: 'alerts',
      alerts: [{ deliveries, payloads: {} }],
      notices: [],
      errors: [],
      ignored: [],
    } as unknown as ProcessResult;
  };
  return { live, chat, pager, clock, file };
}

describe('replay --live runtime', () => {
  it('deduplicates, paces one Slack message a second and groups a storm into one message', async () => {
    const { live, chat, clock, file } = runtime();
    const started = clock.now();
    for (let n = 1; n <= 20; n++) live.record(await file(n, ['chat'], true));
    live.record(await file(1, ['chat'], true));
    await live.drain();
    expect(chat.groups).toHaveLength(1);
    expect(chat.groups[0]?.alerts).toHaveLength(20);
    expect(chat.sent).toEqual([]);
    expect(live.summary()).toEqual({ delivered: 1, grouped: 20, retried: 0, failed: 0, deduplicated: 1 });
    // Waits are compressed: the 30 s window closes within the 5 s cap.
    expect(clock.now() - started).toBeLessThanOrEqual(6_000);
  });

  it('retries a failure from the local queue and counts it', async () => {
    const { live, pager, file } = runtime();
    pager.script.push({ outcome: 'failed', retryable: true, error: 'HTTP 503' });
    live.record(await file(1, ['pager']));
    await live.drain();
    expect(pager.sent).toHaveLength(2);
    expect(live.summary()).toMatchObject({ delivered: 1, retried: 1, failed: 0 });
  });

  it('counts deliveries given up on, so the CLI can exit non-zero', async () => {
    const { live, pager, file } = runtime();
    for (let i = 0; i < 4; i++) pager.script.push({ outcome: 'failed', retryable: true, error: 'HTTP 500' });
    live.record(await file(1, ['pager']));
    await live.drain();
    const summary = live.summary();
    expect(summary).toMatchObject({ delivered: 0, retried: 3, failed: 1 });
    expect(liveSummaryLine(summary)).toBe(
      'Live: 0 messages delivered, 0 alerts grouped, 3 retried, 1 failed, 0 duplicates skipped.\n',
    );
  });
});
