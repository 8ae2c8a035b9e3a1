import { createHash } from 'node:crypto';
import type { Alert } from '../alert/alert';
import type { KlaxonConfig } from '../config/load';
import { StateItemRejectedError, StateStoreError } from '../errors';
import type { MetricDimensions } from '../observability/metrics';
import type { PipelineObserver } from '../observability/observer';
import type { Clock } from '../receivers/factory';
import { RECEIVER_DESCRIPTORS, type ReceiverType } from '../receivers/registry';
import { receiverTypeOf } from '../receivers/lookup';
import type { DeliveryResult, PreparedMessage, Receiver } from '../receivers/types';
import type { ClaimResult, GroupAdd, StateStore } from '../state/store';
import { fitAlert, MEMBER_MAX_BYTES } from '../alert/fit';
import { type DeliveryJob, fitJob, queuedAlert } from './jobs';
import type { DeliveryQueue } from './queue';

/** Default pace per destination type, in messages per second, as each receiver descriptor declares it. */
export const DEFAULT_RATE_PER_SECOND: Readonly<Record<ReceiverType, number>> = Object.fromEntries(
  RECEIVER_DESCRIPTORS.map((descriptor) => [descriptor.type, descriptor.ratePerSecond]),
) as Record<ReceiverType, number>;

/** Added to the nominal spacing between two messages to one destination. */
const PACING_MARGIN_MS = 50;

/** How many members of a group are kept whole and listed; the rest are counted ("and N more"). */
export const GROUP_KEPT_MEMBERS = 100;

/** How many groups one window may open after its earlier ones were flushed (late members); then alone. */
const GROUP_GENERATIONS = 4;

/** How far back an alert's own time may place it in a grouping window. */
const ANCHOR_SPAN_MS = 15 * 60_000;

/** The claim of one job of a delivery's chain of hand-offs (each hand-off is the next hop). */
function jobClaimKey(job: Extract<DeliveryJob, { kind: 'deliver' }>): string {
  return `job#${job.key}#${job.redrive ?? 0}#${job.hop ?? 0}`;
}

/** How long a group message's edit waits: resolves arriving meanwhile are shown by the same edit. */
const GROUP_UPDATE_DELAY_SECONDS = 2;

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
    if (job.kind === 'update-group') return this.updateGroup(job, receiver);
    // The claim is a lease, spent only once the job was sent, handed on or given up: a job that goes
    // back to SQS (an incomplete hand-off, a timeout) is taken again, never acknowledged as a duplicate.
    // Jobs form a chain (hop 0, 1, 2…), each claimed apart; a resumed delivery claims the transition.
    const claimKey = job.resume ? job.key : jobClaimKey(job);
    const claim = await this.guard('claim retry', () =>
      this.deps.store?.claimDelivery(claimKey, this.deps.clock.now(), this.deps.leaseMs),
    );
    if (claim === 'done') {
      this.count('DeliveriesDeduplicated', receiver);
      return unitResult(receiver, 'duplicate');
    }
    if (claim === 'in-flight') return this.handBack(receiver, job);
    const { resume, regroup, ...plain } = job;
    const first = job.alerts[0] as Alert;
    if (resume && regroup && receiver.sendGroup && this.deps.store && this.deps.queue) {
      const grouped = await this.addToGroup(first, receiver, job.key, regroup);
      if (grouped) return grouped;
    }
    return this.claimed(receiver, plain, claimKey, claim, true);
  }

  /**
   * Sends a claimed deliver job, or, when the claim was taken over from an invocation that stopped,
   * hands it to its successor job at once: the stopped one may have handed it on already, and both
   * successors share one claim, so it goes out once.
   */
  private async claimed(
    receiver: Receiver,
    job: Extract<DeliveryJob, { kind: 'deliver' }>,
    claimKey: string,
    claim: ClaimResult | undefined,
    durable: boolean,
  ): Promise<DeliveryResult> {
    if (claim === 'reclaimed' && durable && this.deps.queue) {
      return this.requeue(receiver, job, job.attempt, 0, 'retry', claimKey);
    }
    return this.attempt(receiver, job, durable, claimKey);
  }

  /** Puts a job another invocation holds back on the queue until its lease runs out (never drops it). */
  private async handBack(receiver: Receiver, job: DeliveryJob): Promise<DeliveryResult> {
    try {
      await this.deps.queue?.retry(job, Math.ceil(this.deps.leaseMs / 1000) + 1);
    } catch (error) {
      throw new DeliveryIncompleteError(
        `could not put back a delivery to ${receiver.name} held by another invocation (${(error as Error).name})`,
        { cause: error },
      );
    }
    this.count('DeliveriesQueued', receiver, 'paced');
    return unitResult(receiver, 'queued');
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
    if (claim === 'in-flight' && durable && this.deps.store && this.deps.queue) {
      // Usually the same transition arriving by a second path at the same time; but the holder may
      // have been killed, so a resume job looks again once its lease ran out (then finds it done).
      await this.resumeLater(receiver, {
        kind: 'deliver',
        key,
        receiver: name,
        alerts: [fitAlert(queuedAlert(alert), MEMBER_MAX_BYTES)],
        attempt: 0,
        resume: true,
        ...(group
          ? { regroup: { route: group.route, by: [...group.by], windowSeconds: group.windowSeconds } }
          : {}),
      });
    }
    if (claim === 'done' || claim === 'in-flight') {
      this.count('DeliveriesDeduplicated', receiver);
      return unitResult(receiver, 'duplicate');
    }
    if (durable && group && receiver.sendGroup && this.deps.store && this.deps.queue) {
      const grouped = await this.addToGroup(alert, receiver, key, group);
      if (grouped) return grouped;
    }
    return this.claimed(
      receiver,
      { kind: 'deliver', key, receiver: name, alerts: [queuedAlert(alert)], attempt: 0 },
      key,
      claim,
      durable,
    );
  }

  /** Queues a resume job for after the lease; failing that, the invocation must be retried. */
  private async resumeLater(
    receiver: Receiver,
    job: Extract<DeliveryJob, { kind: 'deliver' }>,
  ): Promise<void> {
    try {
      await this.deps.queue?.retry(job, Math.ceil(this.deps.leaseMs / 1000) + 1);
    } catch (error) {
      throw new DeliveryIncompleteError(
        `could not queue a check of a delivery to ${receiver.name} held by another invocation (${(error as Error).name})`,
        { cause: error },
      );
    }
  }

  private async addToGroup(
    alert: Alert,
    receiver: Receiver,
    key: string,
    group: { route: string; by: readonly string[]; windowSeconds: number },
  ): Promise<DeliveryResult | undefined> {
    const now = this.deps.clock.now();
    const windowMs = group.windowSeconds * 1000;
    // The window comes from the alert's own time (clamped to the last 15 minutes), not the clock: a
    // retried or resumed delivery finds the group it joined before, and its join is deduplicated.
    const started = Date.parse(alert.startsAt);
    const anchor = Number.isNaN(started) ? now : Math.min(now, Math.max(now - ANCHOR_SPAN_MS, started));
    const bucket = Math.floor(anchor / windowMs);
    const labels = Object.fromEntries(group.by.map((label) => [label, alert.labels[label] ?? '']));
    const digest = createHash('sha256')
      .update(JSON.stringify([group.route, receiver.name, alert.status, labels]))
      .digest('hex')
      .slice(0, 24);
    const store = this.deps.store;
    const queue = this.deps.queue;
    if (!store || !queue) return undefined;
    const member = {
      transitionId: alert.transitionId,
      alert: fitAlert(queuedAlert(alert), MEMBER_MAX_BYTES),
    };
    // A window whose group was already flushed opens the next one (a member that arrived late).
    for (let generation = 0; generation < GROUP_GENERATIONS; generation++) {
      const groupKey = generation === 0 ? `${digest}#${bucket}` : `${digest}#${bucket}~${generation}`;
      const added = await this.joinGroup(alert, groupKey, member, now);
      if (!added) return undefined;
      if (added.outcome === 'closed') continue;
      // The first member schedules the flush; a retried first member schedules it again (the flush
      // is claimed, so a second copy sends nothing).
      if (added.position === 1) {
        const delay = Math.max(2, Math.ceil(((bucket + 1) * windowMs - now) / 1000) + 1);
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
          await this.guard('release', () => store.releaseDelivery(key, this.deps.clock.now()));
          throw new DeliveryIncompleteError(
            `could not schedule the flush of a group for ${receiver.name} (${(error as Error).name}); the invocation must be retried`,
            { cause: error },
          );
        }
      }
      await this.guard('complete', () => store.completeDelivery(key, 'queued', this.deps.clock.now()));
      this.count('DeliveriesQueued', receiver, 'grouped');
      return unitResult(receiver, 'grouped');
    }
    return undefined;
  }

  /** Adds a member; undefined (send it alone) when the table is down or refuses the item. */
  private async joinGroup(
    alert: Alert,
    groupKey: string,
    member: { transitionId: string; alert: Alert },
    now: number,
  ): Promise<GroupAdd | undefined> {
    const store = this.deps.store;
    if (!store) return undefined;
    try {
      return await store.addToGroup(groupKey, member, now, {
        listLimit: GROUP_KEPT_MEMBERS,
        leaseMs: this.deps.leaseMs,
      });
    } catch (error) {
      if (!(error instanceof StateItemRejectedError)) return this.guard('group', () => Promise.reject(error));
      this.deps.observer.note('error', 'the state table refused a group member; sending it alone', {
        fingerprint: alert.fingerprint,
        error: error.message.slice(0, 300),
      });
      return undefined;
    }
  }

  private async flushGroup(
    job: Extract<DeliveryJob, { kind: 'flush-group' }>,
    receiver: Receiver,
  ): Promise<DeliveryResult | undefined> {
    const store = this.deps.store;
    if (!store) return undefined;
    // Claimed as a lease and spent only once the group went out or was handed on; closing a group
    // consumes nothing, so a flush that stops anywhere is run again by SQS and reads it again.
    const claimKey = `group#${job.groupKey}|${job.receiver}`;
    const claim = await this.guard('claim flush', () =>
      store.claimDelivery(claimKey, this.deps.clock.now(), this.deps.leaseMs),
    );
    if (claim === 'done') {
      this.count('DeliveriesDeduplicated', receiver);
      return unitResult(receiver, 'duplicate');
    }
    if (claim === 'in-flight') return this.handBack(receiver, job);
    let snapshot;
    try {
      snapshot = await store.closeGroup(job.groupKey, GROUP_KEPT_MEMBERS);
    } catch (error) {
      if (!(error instanceof StateStoreError)) throw error;
      await this.guard('release', () => store.releaseDelivery(claimKey, this.deps.clock.now()));
      throw new DeliveryIncompleteError(`could not read the group for ${receiver.name} (${error.message})`, {
        cause: error,
      });
    }
    const alerts = (snapshot?.members ?? []).map((member) => member.alert as Alert);
    if (!snapshot || alerts.length === 0) {
      if (snapshot && snapshot.total > 0) {
        this.deps.observer.note('error', 'a group counted members but kept none', {
          receiver: receiver.name,
          total: snapshot.total,
        });
      }
      await this.guard('complete', () => store.completeDelivery(claimKey, 'sent', this.deps.clock.now()));
      return undefined;
    }
    return this.claimed(
      receiver,
      {
        kind: 'deliver',
        key: claimKey,
        receiver: job.receiver,
        alerts,
        group: {
          route: job.route,
          labels: job.labels,
          status: job.status,
          total: snapshot.total,
          key: job.groupKey,
        },
        attempt: 0,
      },
      claimKey,
      claim,
      true,
    );
  }

  /**
   * One attempt (with in-invocation retries) of a deliver job, then: done, queued for later, or given
   * up; not `durable`: done or dropped.
   */
  private async attempt(
    receiver: Receiver,
    job: Extract<DeliveryJob, { kind: 'deliver' }>,
    durable = true,
    claimKey = job.key,
  ): Promise<DeliveryResult> {
    const paced = await this.pace(receiver);
    // Not durable: nothing to defer to, so send now and let the receiver's retries honour a 429.
    if (paced > 0 && this.deps.queue && durable) {
      return this.requeue(receiver, job, job.attempt, Math.ceil(paced / 1000), 'paced', claimKey);
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
        this.deps.store?.completeDelivery(claimKey, 'sent', this.deps.clock.now()),
      );
      this.count('NotificationsDelivered', receiver);
      const { groupUpdates, ...delivered } = result;
      await this.scheduleGroupUpdates(receiver, groupUpdates ?? []);
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
      // The edits are the dispatcher's business: results (logs, replay output) do not carry them.
      return delivered;
    }
    this.deps.observer.count('NotificationsFailed', {
      receiverType: receiverTypeOf(receiver),
      retryable: result.retryable ? 'true' : 'false',
    });
    if (!durable) {
      // Dropped: a later message replaces it. The claim is closed so a redelivered copy stays quiet.
      await this.guard('complete', () =>
        this.deps.store?.completeDelivery(claimKey, 'failed', this.deps.clock.now()),
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
        claimKey,
      );
      return {
        ...queued,
        attempts: result.attempts,
        status: result.status,
        error: result.error,
        retryable: true,
      };
    }
    await this.giveUp(receiver, { ...job, lastError: result.error }, result.error ?? 'failed', claimKey);
    return result;
  }

  /**
   * Has each group message a delivery changed edited later by an `update-group` job, coalesced: while
   * one is due, later changes leave it to that job (it reads the state when it runs), so a storm of
   * resolves edits the message at most once per GROUP_UPDATE_DELAY_SECONDS, paced with the
   * receiver's other messages. Without a queue (local runs) it is edited at once.
   */
  private async scheduleGroupUpdates(receiver: Receiver, refs: readonly string[]): Promise<void> {
    for (const ref of refs) {
      const queue = this.deps.queue;
      if (!queue) {
        await this.updateGroup({ kind: 'update-group', receiver: receiver.name, ref, attempt: 0 }, receiver);
        continue;
      }
      const now = this.deps.clock.now();
      const key = `group-update#${receiver.name}#${ref}`;
      const due = await this.guard('coalesce', () => this.deps.store?.loadRecord<{ dueAt: number }>(key));
      // Two changes at the same moment may both schedule one: an edit shows the state, so twice is harmless.
      if (due && due.dueAt > now) continue;
      try {
        await queue.retry(
          { kind: 'update-group', receiver: receiver.name, ref, attempt: 0 },
          GROUP_UPDATE_DELAY_SECONDS,
        );
        const dueAt = now + GROUP_UPDATE_DELAY_SECONDS * 1000;
        await this.guard('coalesce', () =>
          this.deps.store?.saveRecord(key, { dueAt }, now, { ttlSeconds: 3600 }),
        );
      } catch (error) {
        // The delivery itself went out; only the group message stays as it was until its next change.
        this.deps.observer.note('error', 'could not schedule the update of a group message', {
          receiver: receiver.name,
          error: (error as Error).message.slice(0, 300),
        });
      }
    }
  }

  /**
   * Runs an `update-group` job: paced like every message to the receiver, retried on the retry
   * schedule, dead-lettered once it is spent. Edits are idempotent (they show the state as it is
   * now), so the job needs no claim.
   */
  private async updateGroup(
    job: Extract<DeliveryJob, { kind: 'update-group' }>,
    receiver: Receiver,
  ): Promise<DeliveryResult | undefined> {
    if (!receiver.updateGroup) {
      this.deps.observer.note('error', 'a group message update names a receiver that cannot edit one', {
        receiver: receiver.name,
      });
      return undefined;
    }
    const queue = this.deps.queue;
    const paced = await this.pace(receiver);
    if (paced > 0 && queue) {
      await this.putBack(receiver, job, Math.ceil(paced / 1000));
      this.count('DeliveriesQueued', receiver, 'paced');
      return unitResult(receiver, 'queued');
    }
    const budget = Math.max(0, this.deps.remainingMs() - RESERVE_MS);
    const update = receiver.updateGroup.bind(receiver);
    const result = await this.deps.observer.span(
      `update group ${receiver.type}`,
      () => update(job.ref, budget),
      {
        receiver: receiver.name,
        receiverType: receiverTypeOf(receiver),
      },
    );
    if (result.outcome === 'delivered') return result;
    this.deps.observer.count('NotificationsFailed', {
      receiverType: receiverTypeOf(receiver),
      retryable: result.retryable ? 'true' : 'false',
    });
    if (!queue) return result;
    const schedule = this.deps.config.delivery.retrySchedule;
    if (result.retryable && job.attempt < schedule.length) {
      const delay = Math.max(schedule[job.attempt] ?? 0, Math.ceil((result.retryAfterMs ?? 0) / 1000));
      await this.putBack(receiver, { ...job, attempt: job.attempt + 1, lastError: result.error }, delay);
      this.count('DeliveriesQueued', receiver, 'retry');
      return { ...result, outcome: 'queued' };
    }
    const reason = result.error ?? 'failed';
    this.deps.observer.note('error', 'group message update given up', {
      receiver: receiver.name,
      ref: job.ref,
      attempts: job.attempt,
      reason,
    });
    this.count('DeliveriesDeadLettered', receiver);
    try {
      await queue.deadLetter({ ...job, lastError: result.error }, reason);
    } catch (error) {
      this.deps.observer.note('error', 'could not dead-letter a group message update', {
        receiver: receiver.name,
        error: (error as Error).message,
      });
    }
    return result;
  }

  /** Puts a job back on the retry queue; failing that, the invocation must be retried. */
  private async putBack(receiver: Receiver, job: DeliveryJob, delaySeconds: number): Promise<void> {
    try {
      await this.deps.queue?.retry(job, Math.min(900, delaySeconds));
    } catch (error) {
      throw new DeliveryIncompleteError(
        `could not queue a job for ${receiver.name} (${(error as Error).name}); the invocation must be retried`,
        { cause: error },
      );
    }
  }

  private async requeue(
    receiver: Receiver,
    job: Extract<DeliveryJob, { kind: 'deliver' }>,
    attempt: number,
    delaySeconds: number,
    reason: Queued,
    claimKey: string,
  ): Promise<DeliveryResult> {
    const queue = this.deps.queue;
    if (!queue) throw new DeliveryIncompleteError(`no retry queue for ${receiver.name}`);
    try {
      // Each hand-off is a new job (its own claim): a copy of it that SQS delivers twice sends once.
      await queue.retry(fitJob({ ...job, attempt, hop: (job.hop ?? 0) + 1 }), Math.min(900, delaySeconds));
    } catch (error) {
      // Not handed over: give the claim back so the retried invocation delivers it rather than
      // finding it in flight (the lease may outlast Lambda's retry delay).
      await this.guard('release', () => this.deps.store?.releaseDelivery(claimKey, this.deps.clock.now()));
      throw new DeliveryIncompleteError(
        `could not queue the delivery to ${receiver.name} (${(error as Error).name}); the invocation must be retried`,
        { cause: error },
      );
    }
    await this.guard('complete', () =>
      this.deps.store?.completeDelivery(claimKey, 'queued', this.deps.clock.now()),
    );
    this.count('DeliveriesQueued', receiver, reason);
    return unitResult(receiver, 'queued');
  }

  private async giveUp(
    receiver: Receiver,
    job: Extract<DeliveryJob, { kind: 'deliver' }>,
    reason: string,
    claimKey: string,
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
      this.deps.store?.completeDelivery(claimKey, 'failed', this.deps.clock.now()),
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
    const count = job.group?.total ?? job.alerts.length;
    const what = count > 1 ? `${count} grouped alerts` : `"${first.annotations.summary}"`;
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
    // The slot is reserved only as far ahead as this invocation can wait; beyond, the send is deferred.
    const maxWaitMs = Math.max(0, this.deps.remainingMs() - RESERVE_MS - 5_000);
    const slot = await this.guard('pace', () =>
      store.acquireSlot(`pace#${receiver.name}`, intervalMs, this.deps.clock.now(), maxWaitMs),
    );
    if (!slot) return 0;
    if (!slot.reserved) return Math.max(1, slot.waitMs);
    if (slot.waitMs > 0) await this.deps.clock.sleep(slot.waitMs);
    return 0;
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
