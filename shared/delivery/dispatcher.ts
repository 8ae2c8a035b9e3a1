import { createHash } from 'node:crypto';
import type { Alert } from '../alert/alert';
import type { KlaxonConfig } from '../config/load';
import { StateStoreError } from '../errors';
import type { MetricDimensions } from '../observability/metrics';
import type { PipelineObserver } from '../observability/observer';
import type { Clock } from '../receivers/factory';
import { RECEIVER_DESCRIPTORS, type ReceiverType } from '../receivers/registry';
import { receiverTypeOf } from '../receivers/lookup';
import type { DeliveryResult, PreparedMessage, Receiver } from '../receivers/types';
import type { StateStore } from '../state/store';
import { type DeliveryJob, queuedAlert } from './jobs';
import type { DeliveryQueue } from './queue';

/** Default pace per destination type, in messages per second, as each receiver descriptor declares it. */
export const DEFAULT_RATE_PER_SECOND: Readonly<Record<ReceiverType, number>> = Object.fromEntries(
  RECEIVER_DESCRIPTORS.map((descriptor) => [descriptor.type, descriptor.ratePerSecond]),
) as Record<ReceiverType, number>;

/** Added to the nominal spacing between two messages to one destination. */
const PACING_MARGIN_MS = 50;

/** Time kept in reserve at the end of an invocation for writing state and queue messages. */
const RESERVE_MS = 3_000;

/** What deliveries run over; built once per cold start. */
export interface DispatcherDeps {
  config: KlaxonConfig;
  receivers: ReadonlyMap<string, Receiver>;
  /** Absent in local runs: no deduplication, grouping or distributed pacing. */
  store?: StateStore;
  /** Absent in local runs: a failure is final at once. */
  queue?: DeliveryQueue;
  clock: Clock;
  observer: PipelineObserver;
  /** Milliseconds this invocation may still spend. */
  remainingMs: () => number;
  /**
   * How long a claim protects an in-flight delivery: longer than one invocation (its timeout), so a
   * duplicate invocation never sends it twice. A delivery that fails without being handed over gives
   * its claim back, so Lambda's retry (a minute later) does not wait the lease out; only a claim
   * whose invocation was killed does.
   */
  leaseMs: number;
  /** Runs a `verify-remediation` job (shared/remediation); absent when no remediation is configured. */
  verifyRemediation?: (
    job: Extract<DeliveryJob, { kind: 'verify-remediation' }>,
    dispatcher: Dispatcher,
  ) => Promise<DeliveryResult | undefined>;
  /** Runs a `noise` job (shared/noise/jobs.ts); absent: such jobs are dropped with a log line. */
  noiseJob?: (
    job: Extract<DeliveryJob, { kind: 'noise' }>,
    dispatcher: Dispatcher,
  ) => Promise<DeliveryResult | undefined>;
}

/** How one dispatch may deliver. */
export interface DispatchOptions {
  /**
   * `false` for messages worthless when late (the heartbeat): in-invocation retries only. A failed
   * delivery is dropped (its claim marked failed, its `failed` result returned): never handed to the
   * retry queue, dead-lettered or reported to the fallback receiver; a pacing wait longer than the
   * invocation sends at once instead of queueing; no storm grouping. Default `true`.
   */
  durable?: boolean;
}

/** A delivery could not be finished nor handed over durably: the invocation must fail so Lambda retries it. */
export class DeliveryIncompleteError extends Error {
  override readonly name = 'DeliveryIncompleteError';
}

type Queued = MetricDimensions<'DeliveriesQueued'>['reason'];

function unitResult(
  receiver: Receiver,
  outcome: DeliveryResult['outcome'],
  extra: Partial<DeliveryResult> = {},
) {
  return {
    receiver: receiver.name,
    type: receiver.type,
    outcome,
    attempts: 0,
    ...extra,
  } satisfies DeliveryResult;
}

/** Sends alerts to receivers exactly once per transition, paced, grouped, retried durably, with a fallback. */
export class Dispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  /** Delivers one alert to each named receiver, in parallel; a failing receiver never holds up another. */
  async dispatch(
    alert: Alert,
    receiverNames: readonly string[],
    groups: Readonly<Record<string, { route: string; by: readonly string[]; windowSeconds: number }>> = {},
    options: DispatchOptions = {},
  ): Promise<DeliveryResult[]> {
    const durable = options.durable ?? true;
    return Promise.all(receiverNames.map((name) => this.dispatchOne(alert, name, groups[name], durable)));
  }

  /** Runs one job from the retry queue (a retried delivery, or a group whose window closed). */
  async runJob(job: DeliveryJob): Promise<DeliveryResult | undefined> {
    if (job.kind === 'verify-remediation') return this.deps.verifyRemediation?.(job, this);
    if (job.kind === 'noise') return this.deps.noiseJob?.(job, this);
    const receiver = this.deps.receivers.get(job.receiver);
    if (!receiver) {
      this.deps.observer.note('error', 'queued delivery names an unknown receiver', {
        receiver: job.receiver,
      });
      return undefined;
    }
    if (job.kind === 'flush-group') return this.flushGroup(job, receiver);
    const fresh = await this.guard('claim retry', () =>
      this.deps.store
        ? this.deps.store.claimOnce(
            `job#${job.key}#${job.attempt}#${job.redrive ?? 0}`,
            this.deps.clock.now(),
          )
        : true,
    );
    if (fresh === false) {
      this.count('DeliveriesDeduplicated', receiver);
      return unitResult(receiver, 'duplicate');
    }
    return this.attempt(receiver, job);
  }

  /**
   * Posts a prepared message (the digest) to one receiver: paced like every message to it, sent within
   * the invocation's budget, never queued or dead-lettered (the caller fails and is retried). With
   * `key`, the post is claimed in the state table, so a duplicate or retried invocation posts it once.
   */
  async post(name: string, message: PreparedMessage, key?: string): Promise<DeliveryResult> {
    const receiver = this.deps.receivers.get(name);
    if (!receiver?.sendPrepared) {
      return {
        receiver: name,
        type: receiver?.type ?? 'console',
        outcome: 'failed',
        attempts: 0,
        retryable: false,
        error: receiver
          ? `receiver ${name} (${receiver.type}) cannot post a prepared message`
          : `receiver ${name} is not built`,
      };
    }
    if (key) {
      const claim = await this.guard('claim', () =>
        this.deps.store?.claimDelivery(key, this.deps.clock.now(), this.deps.leaseMs),
      );
      if (claim === 'done' || claim === 'in-flight') {
        this.count('DeliveriesDeduplicated', receiver);
        return unitResult(receiver, 'duplicate');
      }
    }
    // Nothing to defer to: when no slot comes within the invocation, post anyway and let the
    // receiver's retries honour a 429's Retry-After.
    await this.pace(receiver);
    const budget = Math.max(0, this.deps.remainingMs() - RESERVE_MS);
    const send = receiver.sendPrepared.bind(receiver);
    const result = await this.deps.observer.span(`deliver ${receiver.type}`, () => send(message, budget), {
      receiver: receiver.name,
      receiverType: receiverTypeOf(receiver),
    });
    if (result.outcome === 'delivered') {
      if (key) {
        await this.guard('complete', () =>
          this.deps.store?.completeDelivery(key, 'sent', this.deps.clock.now()),
        );
      }
      this.count('NotificationsDelivered', receiver);
    } else {
      // The claim is given back: the lease outlasts the invocation, so Lambda's retry (a minute
      // later) would otherwise find it still in flight and skip the post.
      if (key) {
        await this.guard('release', () => this.deps.store?.releaseDelivery(key, this.deps.clock.now()));
      }
      this.deps.observer.count('NotificationsFailed', {
        receiverType: receiverTypeOf(receiver),
        retryable: result.retryable ? 'true' : 'false',
      });
    }
    return result;
  }

  private async dispatchOne(
    alert: Alert,
    name: string,
    group: { route: string; by: readonly string[]; windowSeconds: number } | undefined,
    durable: boolean,
  ): Promise<DeliveryResult> {
    const receiver = this.deps.receivers.get(name);
    if (!receiver) {
      return {
        receiver: name,
        type: 'console',
        outcome: 'failed',
        attempts: 0,
        error: `receiver ${name} is not built`,
      };
    }
    const key = `${alert.transitionId}|${name}`;
    const claim = await this.guard('claim', () =>
      this.deps.store?.claimDelivery(key, this.deps.clock.now(), this.deps.leaseMs),
    );
    if (claim === 'done' || claim === 'in-flight') {
      this.count('DeliveriesDeduplicated', receiver);
      return unitResult(receiver, 'duplicate');
    }
    if (durable && group && receiver.sendGroup && this.deps.store && this.deps.queue) {
      const grouped = await this.addToGroup(alert, receiver, key, group);
      if (grouped) return grouped;
    }
    return this.attempt(
      receiver,
      { kind: 'deliver', key, receiver: name, alerts: [queuedAlert(alert)], attempt: 0 },
      durable,
    );
  }

  private async addToGroup(
    alert: Alert,
    receiver: Receiver,
    key: string,
    group: { route: string; by: readonly string[]; windowSeconds: number },
  ): Promise<DeliveryResult | undefined> {
    const now = this.deps.clock.now();
    const windowMs = group.windowSeconds * 1000;
    const bucket = Math.floor(now / windowMs);
    const labels = Object.fromEntries(group.by.map((label) => [label, alert.labels[label] ?? '']));
    const digest = createHash('sha256')
      .update(JSON.stringify([group.route, receiver.name, alert.status, labels]))
      .digest('hex')
      .slice(0, 24);
    const groupKey = `${digest}#${bucket}`;
    const store = this.deps.store;
    const queue = this.deps.queue;
    if (!store || !queue) return undefined;
    const added = await this.guard('group', () =>
      store.addToGroup(groupKey, { transitionId: alert.transitionId, alert: queuedAlert(alert) }, now),
    );
    if (!added) return undefined;
    if (added.created) {
      const delay = Math.ceil(((bucket + 1) * windowMs - now) / 1000) + 1;
      try {
        await queue.retry(
          {
            kind: 'flush-group',
            groupKey,
            receiver: receiver.name,
            route: group.route,
            labels,
            status: alert.status,
          },
          delay,
        );
      } catch (error) {
        // Without a scheduled flush the group would never go out: close it and send this alert now.
        this.deps.observer.note('error', 'could not schedule a group flush; sending directly', {
          fingerprint: alert.fingerprint,
          error: (error as Error).message,
        });
        await this.guard('group close', () => store.takeGroup(groupKey));
        return undefined;
      }
    }
    await this.guard('complete', () => store.completeDelivery(key, 'queued', this.deps.clock.now()));
    this.count('DeliveriesQueued', receiver, 'grouped');
    return unitResult(receiver, 'grouped');
  }

  private async flushGroup(
    job: Extract<DeliveryJob, { kind: 'flush-group' }>,
    receiver: Receiver,
  ): Promise<DeliveryResult | undefined> {
    const members = await this.guard('group take', () => this.deps.store?.takeGroup(job.groupKey));
    if (!members || members.length === 0) return undefined;
    const alerts = members.map((member) => member.alert as Alert);
    return this.attempt(receiver, {
      kind: 'deliver',
      key: `group#${job.groupKey}|${job.receiver}`,
      receiver: job.receiver,
      alerts,
      group: { route: job.route, labels: job.labels, status: job.status },
      attempt: 0,
    });
  }

  /**
   * One attempt (with in-invocation retries) of a deliver job, then: done, queued for later, or given
   * up; not `durable`: done or dropped.
   */
  private async attempt(
    receiver: Receiver,
    job: Extract<DeliveryJob, { kind: 'deliver' }>,
    durable = true,
  ): Promise<DeliveryResult> {
    const paced = await this.pace(receiver);
    // Not durable: nothing to defer to, so send now and let the receiver's retries honour a 429.
    if (paced > 0 && this.deps.queue && durable) {
      return this.requeue(receiver, job, job.attempt, Math.ceil(paced / 1000), 'paced');
    }
    const budget = Math.max(0, this.deps.remainingMs() - RESERVE_MS);
    const first = job.alerts[0] as Alert;
    const group = job.group;
    const result = await this.deps.observer.span(
      `deliver ${receiver.type}`,
      () =>
        group && receiver.sendGroup
          ? receiver.sendGroup({ ...group, alerts: job.alerts }, budget)
          : receiver.send(first, budget),
      { receiver: receiver.name, receiverType: receiverTypeOf(receiver) },
    );
    if (result.outcome === 'delivered') {
      await this.guard('complete', () =>
        this.deps.store?.completeDelivery(job.key, 'sent', this.deps.clock.now()),
      );
      this.count('NotificationsDelivered', receiver);
      for (const alert of job.alerts) {
        const started = Date.parse(alert.startsAt);
        if (!Number.isNaN(started)) {
          this.deps.observer.timing(
            'NotificationLatency',
            { receiverType: receiverTypeOf(receiver) },
            this.deps.clock.now() - started,
          );
        }
      }
      return result;
    }
    this.deps.observer.count('NotificationsFailed', {
      receiverType: receiverTypeOf(receiver),
      retryable: result.retryable ? 'true' : 'false',
    });
    if (!durable) {
      // Dropped: a later message replaces it. The claim is closed so a redelivered copy stays quiet.
      await this.guard('complete', () =>
        this.deps.store?.completeDelivery(job.key, 'failed', this.deps.clock.now()),
      );
      return result;
    }
    const schedule = this.deps.config.delivery.retrySchedule;
    if (result.retryable && this.deps.queue && job.attempt < schedule.length) {
      const delay = Math.max(schedule[job.attempt] ?? 0, Math.ceil((result.retryAfterMs ?? 0) / 1000));
      const queued = await this.requeue(
        receiver,
        { ...job, lastError: result.error },
        job.attempt + 1,
        delay,
        'retry',
      );
      return {
        ...queued,
        attempts: result.attempts,
        status: result.status,
        error: result.error,
        retryable: true,
      };
    }
    await this.giveUp(receiver, { ...job, lastError: result.error }, result.error ?? 'failed');
    return result;
  }

  private async requeue(
    receiver: Receiver,
    job: Extract<DeliveryJob, { kind: 'deliver' }>,
    attempt: number,
    delaySeconds: number,
    reason: Queued,
  ): Promise<DeliveryResult> {
    const queue = this.deps.queue;
    if (!queue) throw new DeliveryIncompleteError(`no retry queue for ${receiver.name}`);
    try {
      await queue.retry({ ...job, attempt }, Math.min(900, delaySeconds));
    } catch (error) {
      // Not handed over: give the claim back so the retried invocation delivers it rather than
      // finding it in flight (the lease may outlast Lambda's retry delay).
      await this.guard('release', () => this.deps.store?.releaseDelivery(job.key, this.deps.clock.now()));
      throw new DeliveryIncompleteError(
        `could not queue the delivery to ${receiver.name} (${(error as Error).name}); the invocation must be retried`,
        { cause: error },
      );
    }
    await this.guard('complete', () =>
      this.deps.store?.completeDelivery(job.key, 'queued', this.deps.clock.now()),
    );
    this.count('DeliveriesQueued', receiver, reason);
    return unitResult(receiver, 'queued');
  }

  private async giveUp(
    receiver: Receiver,
    job: Extract<DeliveryJob, { kind: 'deliver' }>,
    reason: string,
  ): Promise<void> {
    const first = job.alerts[0] as Alert;
    this.deps.observer.note('error', 'delivery given up', {
      fingerprint: first.fingerprint,
      transitionId: first.transitionId,
      receiver: receiver.name,
      attempts: job.attempt,
      reason,
    });
    this.count('DeliveriesDeadLettered', receiver);
    if (this.deps.queue) {
      try {
        await this.deps.queue.deadLetter(job, reason);
      } catch (error) {
        this.deps.observer.note('error', 'could not dead-letter a delivery', {
          fingerprint: first.fingerprint,
          receiver: receiver.name,
          error: (error as Error).message,
        });
      }
    }
    await this.guard('complete', () =>
      this.deps.store?.completeDelivery(job.key, 'failed', this.deps.clock.now()),
    );
    await this.tellFallback(receiver, job, reason);
  }

  private async tellFallback(
    failed: Receiver,
    job: Extract<DeliveryJob, { kind: 'deliver' }>,
    reason: string,
  ): Promise<void> {
    const name = this.deps.config.delivery.fallbackReceiver;
    const fallback = name ? this.deps.receivers.get(name) : undefined;
    if (!fallback || fallback.name === failed.name) return;
    const first = job.alerts[0] as Alert;
    const what =
      job.alerts.length > 1 ? `${job.alerts.length} grouped alerts` : `"${first.annotations.summary}"`;
    const notice: Alert = {
      ...first,
      labels: { ...first.labels, kind: 'delivery-failure', failedReceiver: failed.name },
      annotations: {
        summary: `Klaxon could not deliver ${what} to ${failed.name}: ${reason}`.slice(0, 1000),
        reason,
        description: job.alerts.map((a) => a.annotations.summary).join('\n'),
        runbookUrl: first.annotations.runbookUrl,
        consoleUrl: first.annotations.consoleUrl,
      },
      fingerprint: `klaxon:delivery-failure:${first.fingerprint}`,
      transitionId: `klaxon:delivery-failure:${job.key}`,
    };
    const result = await fallback.send(notice, Math.max(0, this.deps.remainingMs() - RESERVE_MS));
    if (result.outcome !== 'delivered') {
      this.deps.observer.count('FallbackFailed', {});
      this.deps.observer.note('error', 'fallback receiver failed too', {
        fingerprint: first.fingerprint,
        receiver: fallback.name,
        error: result.error,
      });
    }
  }

  /** Waits for a send slot while the invocation has time; returns how long to defer (0 = go now). */
  private async pace(receiver: Receiver): Promise<number> {
    const store = this.deps.store;
    const config = this.deps.config.receivers[receiver.name];
    const perSecond =
      (config && 'ratePerSecond' in config ? config.ratePerSecond : undefined) ??
      DEFAULT_RATE_PER_SECOND[receiverTypeOf(receiver)];
    if (!store || !Number.isFinite(perSecond)) return 0;
    // A small margin over the nominal spacing absorbs network jitter between us and the destination.
    const intervalMs = Math.ceil(1000 / perSecond) + PACING_MARGIN_MS;
    for (let tries = 0; tries < 60; tries++) {
      const wait = await this.guard('pace', () =>
        store.acquireSlot(`pace#${receiver.name}`, intervalMs, this.deps.clock.now()),
      );
      if (!wait) return 0;
      if (this.deps.remainingMs() - RESERVE_MS < wait + 5_000) return wait;
      await this.deps.clock.sleep(wait);
    }
    return intervalMs;
  }

  /** Runs a state-table call; on failure Klaxon fails open: it logs, counts, and carries on as if the store were absent. */
  private async guard<T>(what: string, work: () => Promise<T> | T): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof StateStoreError)) throw error;
      this.deps.observer.count('StateStoreDegraded', {});
      this.deps.observer.note('warn', 'state table unavailable; delivering without it (fail open)', {
        operation: what,
        error: error.message,
      });
      return undefined;
    }
  }

  private count(
    name: 'DeliveriesDeduplicated' | 'NotificationsDelivered' | 'DeliveriesDeadLettered',
    receiver: Receiver,
  ): void;
  private count(name: 'DeliveriesQueued', receiver: Receiver, reason: Queued): void;
  private count(name: MetricName, receiver: Receiver, reason?: Queued): void {
    if (name === 'DeliveriesQueued') {
      this.deps.observer.count('DeliveriesQueued', {
        receiverType: receiverTypeOf(receiver),
        reason: reason ?? 'retry',
      });
    } else {
      this.deps.observer.count(name as 'DeliveriesDeduplicated', { receiverType: receiverTypeOf(receiver) });
    }
  }
}

type MetricName =
  'DeliveriesDeduplicated' | 'NotificationsDelivered' | 'DeliveriesDeadLettered' | 'DeliveriesQueued';
