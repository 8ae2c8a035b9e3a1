import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/yaml';
import { DeliveryIncompleteError, Dispatcher } from '../../../shared/delivery/dispatcher';
import type { DeliveryJob } from '../../../shared/delivery/jobs';
import { silentObserver } from '../../../shared/observability/observer';
import type { Receiver } from '../../../shared/receivers/types';
import { MemoryStateStore } from '../../../shared/state/memory';
import { manualClock, RecordingQueue, ScriptedReceiver, testAlert } from '../../support/delivery-fakes';

const config = loadConfig(`
receivers:
  chat: { type: slack, webhookUrl: { env: X } }
route: { receiver: chat }
`);

/** A dispatcher whose claims outlive the invocation (lease longer than a 60 s timeout), as deployed. */
function setup() {
  const chat = new ScriptedReceiver('chat', 'slack');
  const store = new MemoryStateStore();
  const queue = new RecordingQueue();
  const clock = manualClock();
  const dispatcher = new Dispatcher({
    config,
    receivers: new Map<string, Receiver>([['chat', chat]]),
    store,
    queue,
    clock,
    observer: silentObserver,
    remainingMs: () => 50_000,
    leaseMs: 90_000,
  });
  return { dispatcher, chat, store, queue, clock };
}

describe('delivery claims longer than the invocation', () => {
  it('are given back when a failed delivery cannot be handed to the retry queue, so the retried invocation hands it on at once', async () => {
    const { dispatcher, chat, queue, clock } = setup();
    queue.failing = true;
    chat.script.push({ outcome: 'failed', retryable: true, status: 503 });
    await expect(dispatcher.dispatch(testAlert(1), ['chat'])).rejects.toBeInstanceOf(DeliveryIncompleteError);
    // Lambda's retry, a minute later: well within the 90 s lease, yet not skipped as in flight.
    queue.failing = false;
    clock.advance(60_000);
    const [retried] = await dispatcher.dispatch(testAlert(1), ['chat']);
    // The failed hand-off may have gone through: the delivery goes to the successor job both would
    // share (one claim), with no delay, rather than straight out.
    expect(retried?.outcome).toBe('queued');
    const [successor] = queue.drain();
    expect(successor?.delaySeconds).toBe(0);
    expect(successor?.job).toMatchObject({ kind: 'deliver', hop: 1 });
    expect((await dispatcher.runJob(successor?.job as DeliveryJob))?.outcome).toBe('delivered');
    expect((await dispatcher.runJob(successor?.job as DeliveryJob))?.outcome).toBe('duplicate');
    expect(chat.sent).toHaveLength(2);
  });

  it('still keep a duplicate from sending while the claim is held, and once it is done', async () => {
    const { dispatcher, chat, store, clock, queue } = setup();
    const alert = testAlert(2);
    await store.claimDelivery(`${alert.transitionId}|chat`, clock.now(), 90_000);
    clock.advance(60_000);
    expect((await dispatcher.dispatch(alert, ['chat']))[0]?.outcome).toBe('duplicate');
    expect(chat.sent).toEqual([]);
    // The holder may have been killed: a resume job looks again after the lease.
    const [resume] = queue.drain();
    expect(resume?.job).toMatchObject({ kind: 'deliver', resume: true });
    expect(resume?.delaySeconds).toBe(91);
    // Giving back a completed claim changes nothing.
    const other = testAlert(3);
    expect((await dispatcher.dispatch(other, ['chat']))[0]?.outcome).toBe('delivered');
    await store.releaseDelivery(`${other.transitionId}|chat`, clock.now());
    expect((await dispatcher.dispatch(other, ['chat']))[0]?.outcome).toBe('duplicate');
    expect(chat.sent).toHaveLength(1);
  });
});
