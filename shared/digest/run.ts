import * as z from '../zod';
import type { KlaxonConfig } from '../config/load';
import type { Dispatcher } from '../delivery/dispatcher';
import { DigestDeliveryError } from '../errors';
import type { DecisionRecord } from '../noise/record';
import type { PipelineObserver } from '../observability/observer';
import type { DeliveryResult } from '../receivers/types';
import { receiverTypeOf } from '../receivers/lookup';
import type { StateStore } from '../state/store';
import { type Digest, DigestBuilder, type DigestOptions } from './digest';
import { prepareDigest } from './render';

/** Key prefixes the digest reads: decision-record sets and remediation audit records. */
export const DIGEST_SCAN = { sets: ['decisions#'], records: ['remediation#'] } as const;

const severity = z.enum(['critical', 'error', 'warning', 'info']);

/** The fields of a stored decision record the digest reads; rows written by other versions are checked, not trusted. */
const storedDecision = z.looseObject({
  at: z.string(),
  mode: z.enum(['deliver', 'preview']),
  fingerprint: z.string(),
  transitionId: z.string(),
  note: z.optional(z.string()),
  alert: z.looseObject({
    status: z.enum(['firing', 'resolved']),
    severity,
    summary: z.string(),
    labels: z.record(z.string(), z.string()),
  }),
  routes: z.array(z.looseObject({ route: z.string(), selected: z.boolean() })),
  receivers: z.array(z.string()),
  suppressed: z.optional(z.looseObject({ kind: z.string(), reason: z.string() })),
  flapping: z.optional(z.string()),
});

const storedRemediation = z.looseObject({
  rule: z.string(),
  action: z.string(),
  outcome: z.enum(['dry-run', 'started', 'pending-approval', 'skipped', 'starting']),
  result: z.optional(z.enum(['succeeded', 'failed'])),
  decidedAt: z.number(),
  startedAt: z.optional(z.number()),
});

/** How many unreadable rows a digest names in its log line (the count covers them all). */
const UNREADABLE_EXAMPLES = 5;

/** A digest built from the state table, and what of the table it had to leave out. */
export interface DigestRead {
  digest: Digest;
  /** Set members and records that did not have the expected shape or were not JSON (left out, and logged). */
  unreadable: number;
  /** The keys of the first few of them (`<set key> <member>` or `<record key>`). */
  examples: string[];
}

/**
 * Builds the digest of a period from the decision records and remediation audit records of the
 * state table, streamed: each page of the scan is checked and added to a DigestBuilder as it
 * arrives, so memory holds the digest's counters and lists, never the table. Rows that are not
 * JSON or not of the expected shape are counted, not trusted, and do not stop the digest.
 */
export async function readDigest(
  store: Pick<StateStore, 'scan'>,
  options: DigestOptions,
): Promise<DigestRead> {
  const builder = new DigestBuilder(options);
  const read: Omit<DigestRead, 'digest'> = { unreadable: 0, examples: [] };
  const leaveOut = (key: string) => {
    read.unreadable += 1;
    if (read.examples.length < UNREADABLE_EXAMPLES) read.examples.push(key);
  };
  await store.scan(DIGEST_SCAN, (page) => {
    for (const key of page.unreadable) leaveOut(key);
    for (const [setKey, members] of Object.entries(page.sets)) {
      const records: DecisionRecord[] = [];
      for (const [member, value] of Object.entries(members)) {
        const parsed = storedDecision.safeParse(value);
        if (parsed.success) records.push(parsed.data as unknown as DecisionRecord);
        else leaveOut(`${setKey} ${member}`);
      }
      // One set holds every record of its fingerprint, as the builder requires.
      builder.addDecisions(records);
    }
    for (const [key, value] of Object.entries(page.records)) {
      const parsed = storedRemediation.safeParse(value);
      if (parsed.success) builder.addRemediation(parsed.data);
      else leaveOut(key);
    }
  });
  return { digest: builder.build(), ...read };
}

/** What the digest function runs over; built once per cold start. */
export interface DigestDeps {
  config: KlaxonConfig;
  store: Pick<StateStore, 'scan'>;
  dispatcher: Pick<Dispatcher, 'post'>;
  observer: PipelineObserver;
  now: () => Date;
}

/** What one run did. */
export interface DigestRun {
  outcome: 'posted' | 'duplicate' | 'disabled';
  receiver?: string;
  digest?: Digest;
  delivery?: DeliveryResult;
}

/**
 * Builds the digest of the period ending at `at` (the scheduled time; default now) and posts it to
 * `digest.receiver`. An empty period is posted too: silence would look like a broken digest. When it
 * cannot be posted after the receiver's retries, it logs and throws DigestDeliveryError, so the
 * invocation fails and Lambda retries it; `key` (the schedule event's id) makes that retry, or a
 * duplicate event, post at most once.
 */
export async function runDigest(
  deps: DigestDeps,
  options: { at?: Date; key?: string } = {},
): Promise<DigestRun> {
  const settings = deps.config.digest;
  if (!settings) {
    deps.observer.note('warn', 'digest invoked but not configured (digest: in klaxon.yml); nothing sent', {});
    return { outcome: 'disabled' };
  }
  const to = options.at ?? deps.now();
  const { digest, unreadable, examples } = await readDigest(deps.store, {
    from: new Date(to.getTime() - settings.periodHours * 3_600_000),
    to,
    quickResolveMinutes: settings.quickResolveMinutes,
    top: settings.top,
    keep: deps.config.noise.decisionRecords.keep,
  });
  if (unreadable > 0) {
    deps.observer.note('warn', 'state table rows the digest could not read were left out', {
      unreadable,
      examples,
    });
  }
  const receiver = settings.receiver;
  const delivery = await deps.dispatcher.post(
    receiver,
    prepareDigest(digest, receiver),
    options.key ? `digest#${options.key}|${receiver}` : undefined,
  );
  const summary = {
    receiver,
    from: digest.from,
    to: digest.to,
    firing: digest.alerts.firing,
    informational: digest.informational.total,
    empty: digest.empty,
  };
  if (delivery.outcome === 'duplicate') {
    deps.observer.note('info', 'digest already posted for this schedule event; not posted again', summary);
    return { outcome: 'duplicate', receiver, digest, delivery };
  }
  if (delivery.outcome !== 'delivered') {
    deps.observer.note('error', 'digest could not be posted', {
      ...summary,
      attempts: delivery.attempts,
      status: delivery.status,
      error: delivery.error,
    });
    throw new DigestDeliveryError(
      `the digest could not be posted to ${receiver}: ${delivery.error ?? delivery.outcome}`,
    );
  }
  deps.observer.count('DigestsPosted', { receiverType: receiverTypeOf(delivery) });
  deps.observer.note('info', 'digest posted', summary);
  return { outcome: 'posted', receiver, digest, delivery };
}
