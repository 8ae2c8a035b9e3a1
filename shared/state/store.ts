/** The answer to a delivery claim. */
export type ClaimResult =
  /** This invocation owns the delivery and must send it. */
  | 'claimed'
  /**
   * Owned, taken over from an invocation that stopped before recording how it ended: it may already
   * have handed the delivery on, so the delivery goes to the same successor job (deduplicated).
   */
  | 'reclaimed'
  /** It already went out (or was handed to the retry queue or fallback): do not send again. */
  | 'done'
  /** Another invocation is sending it right now (its lease has not expired). */
  | 'in-flight';

/** The answer to `acquireSlot`: the slot is this caller's in `waitMs` (0: now), or it is not reserved. */
export interface SlotGrant {
  reserved: boolean;
  waitMs: number;
}

/** How a claimed delivery ended. */
export type DeliveryState = 'sent' | 'queued' | 'failed';

/** How a group keeps its members. */
export interface GroupOptions {
  /** How many members are kept whole (the rest are counted). */
  listLimit: number;
  /** A join that crashed half-way may be retried after this long (the delivery claim's lease). */
  leaseMs: number;
}

/** The answer to `addToGroup`. */
export interface GroupAdd {
  outcome: 'added' | 'duplicate' | 'closed';
  /** The member's position (1 = first) when known. */
  position?: number;
}

/** A closed group as `closeGroup` reads it. */
export interface GroupSnapshot {
  /** The members kept whole, in arrival order (at most the list limit). */
  members: GroupMember[];
  /** How many members joined (a crash half-way through a join may count one more than listed). */
  total: number;
}

/** DynamoDB's item size limit; both stores refuse a larger state item. */
export const STATE_ITEM_MAX_BYTES = 400 * 1024;

/** One alert waiting in a notification group. */
export interface GroupMember {
  transitionId: string;
  alert: unknown;
}

/**
 * Klaxon's durable memory: delivery claims (exactly-once effect), notification groups, rate
 * windows and one-off notices. Adapters: DynamoDB (deployed) and in-memory (local runs, tests).
 */
export interface StateStore {
  /** Claims (transition, receiver) for this invocation, or says why not; a claim whose lease ran out is taken over (`reclaimed`). */
  claimDelivery(key: string, now: number, leaseMs: number): Promise<ClaimResult>;
  /** Records how a claimed delivery ended, so duplicates and retries of the invocation skip it. */
  completeDelivery(key: string, state: DeliveryState, now: number): Promise<void>;
  /**
   * Gives back a claim still pending (its delivery failed and was not handed over), so the retried
   * invocation can take it at once (as `reclaimed`) rather than after the lease; nothing happens to a
   * completed one.
   */
  releaseDelivery(key: string, now: number): Promise<void>;
  /**
   * Adds a member to an open group: a header counts the members, the first `listLimit` are kept whole,
   * the rest only counted, and a transition joins once (`duplicate` when it already did). `closed`
   * when the group was flushed: the caller opens the next one. Position 1 schedules the flush.
   */
  addToGroup(groupKey: string, member: GroupMember, now: number, options: GroupOptions): Promise<GroupAdd>;
  /**
   * Closes a group to new members (idempotent) and reads it: the members kept (in arrival order) and
   * how many joined. Nothing is consumed, so a flush that fails can read it again. Undefined when
   * the group does not exist.
   */
  closeGroup(groupKey: string, listLimit: number): Promise<GroupSnapshot | undefined>;
  /**
   * Reads a group as `closeGroup` does, leaving it as it is (open or closed): what a posted group
   * message is re-rendered from. Undefined when the group does not exist (or expired).
   */
  readGroup(groupKey: string, listLimit: number): Promise<GroupSnapshot | undefined>;
  /**
   * Reserves the next send slot of a paced destination: the first slot at least `intervalMs` after
   * the last one reserved, when it starts within `maxWaitMs`. Spacing, not counting per fixed
   * window, keeps any sliding one-second window under the limit. Not reserved: how long until the
   * next slot, to defer the send by.
   */
  acquireSlot(key: string, intervalMs: number, now: number, maxWaitMs: number): Promise<SlotGrant>;
  /** True the first time a key is seen within its retention (used to report a poison event once). */
  claimOnce(key: string, now: number): Promise<boolean>;
  /** Records one event for `key` at `at` and returns how many fell within the last `windowMs` (failed sign-ins). */
  countEvent(key: string, at: number, windowMs: number): Promise<number>;
  /**
   * Records event `eventId` of `key` at `at`, once: how many fell within the last `windowMs`, or
   * `{ counted: false }` when that id is among the last {@link COUNTED_ONCE_IDS} already recorded
   * (a redelivered event). One conditional write: the count and the duplicate check are one item.
   */
  countEventOnce(key: string, eventId: string, at: number, windowMs: number): Promise<CountOnce>;
  /**
   * Keeps a small JSON document on the item of the once-counter `key` (what the counted events
   * started, such as a flapping episode), so every count returns it without a read of its own.
   */
  attachToCount(key: string, value: unknown, now: number): Promise<void>;
  /** The document attached to the once-counter `key`, read alone (undefined when none). */
  countAttachment<T>(key: string): Promise<T | undefined>;
  /**
   * Adds one member (a distinct call, or an event id) to the window `tally.windowStart` of a
   * threshold counter and says whether this event crossed the threshold: true exactly once per
   * window (and again for a retry of that same event, so a retried invocation re-sends the alert);
   * a window that has fired stops growing. The window's item expires after the window (TTL).
   */
  tallyThreshold(key: string, tally: ThresholdTallyInput, now: number): Promise<ThresholdTally>;
  /** What was last notified for a finding (undefined when never). */
  findingState(fingerprint: string): Promise<FindingState | undefined>;
  /** Records what was just notified for a finding. */
  saveFindingState(fingerprint: string, state: FindingState, now: number): Promise<void>;
  /** Reads a JSON record written by `saveRecord` (remediation audit, executions, breakers, resolves). */
  loadRecord<T>(key: string): Promise<T | undefined>;
  /** Writes a JSON record; with `ifAbsent` only when none exists yet (then returns false). */
  saveRecord(key: string, value: unknown, now: number, options?: RecordOptions): Promise<boolean>;
  /** Takes (or renews) the lease `key` for `owner` until `until` when it is free, expired or already theirs; true when taken. */
  acquireLease(key: string, owner: string, until: number, now: number): Promise<boolean>;
  /** Gives a lease back before it expires (only its owner can). */
  releaseLease(key: string, owner: string): Promise<void>;
  /**
   * Adds or replaces one member of a small keyed set kept in one row (silences, firing inhibitors,
   * decision records) and returns the names of the set's members after the write, at no extra read.
   */
  putSetMember(
    setKey: string,
    member: string,
    value: unknown,
    now: number,
    ttlSeconds?: number,
  ): Promise<string[]>;
  /** Removes one member of a set; nothing happens when it is absent. */
  removeSetMember(setKey: string, member: string): Promise<void>;
  /** Every member of a set with its value (empty when the set does not exist). */
  setMembers<T>(setKey: string): Promise<Record<string, T>>;
  /**
   * Reads every set and record whose key starts with one of the prefixes, in one pass over the whole
   * table (parallel, paginated Scan segments in DynamoDB), and hands them to `onPage` a page at a
   * time, so no caller holds the table: for scheduled reports such as the digest, never the hot path.
   * A set comes whole, in one page. Pages arrive in no particular order; each segment waits for
   * `onPage` before reading on. A failing page stops the scan, which then rejects.
   */
  scan(prefixes: ScanPrefixes, onPage: (page: ScanPage) => void | Promise<void>): Promise<void>;
}

/** What `scan` looks for: key prefixes of sets (`decisions#`) and of records (`remediation#`). */
export interface ScanPrefixes {
  sets?: readonly string[];
  records?: readonly string[];
}

/** One page of a `scan`: each set's members by set key, each record's value by record key. */
export interface ScanPage {
  sets: Record<string, Record<string, unknown>>;
  records: Record<string, unknown>;
  /** Members (`<set key> <member>`) and records (`<record key>`) whose stored JSON does not parse: left out. */
  unreadable: string[];
}

/** Parses a stored JSON value; undefined when it is not JSON (a row written by hand or damaged). */
export function parseStored(text: string | undefined): { value: unknown } | undefined {
  if (text === undefined) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** One event counted by `tallyThreshold`. */
export interface ThresholdTallyInput {
  /** The start of the fixed window the event falls in (epoch milliseconds). */
  windowStart: number;
  windowMs: number;
  /** The count that fires the window. */
  threshold: number;
  /** What is counted once: `eventSource eventName` for distinct calls, the event id for calls. */
  member: string;
  /** The event's own id: the window remembers which event fired it. */
  eventId: string;
}

/** What `tallyThreshold` answers. */
export interface ThresholdTally {
  /** Members in the window after this event (at least the threshold once it fired). */
  count: number;
  /** True for the event that crossed the threshold (once per window; again on its own retry). */
  crossed: boolean;
}

/** The longest member `tallyThreshold` stores; longer ones are cut (bounds the window's item). */
export const THRESHOLD_MEMBER_MAX_CHARS = 200;

/** How long a threshold window's item outlives its window, in seconds (late and retried events). */
export const THRESHOLD_GRACE_SECONDS = 3600;

/** Options of `saveRecord`. */
export interface RecordOptions {
  /** Write only when no record exists (a conditional put: one writer wins). */
  ifAbsent?: boolean;
  /** How long the record lives; defaults to STATE_TTL_SECONDS. */
  ttlSeconds?: number;
}

/** What was last notified for a security finding. */
export interface FindingState {
  status: 'firing' | 'resolved';
  severity: 'critical' | 'error' | 'warning' | 'info';
}

/** How long state rows live (TTL), in seconds: long enough to cover every retry and duplicate path. */
export const STATE_TTL_SECONDS = 7 * 24 * 3600;

/**
 * What {@link StateStore.countEventOnce} says: counted, with the events in the window and the
 * counter's attached document (when one was attached), or a duplicate.
 */
export type CountOnce = { counted: true; count: number; attached?: unknown } | { counted: false };

/** How many event ids a once-counter remembers, newest last: a redelivery comes soon after the first delivery. */
export const COUNTED_ONCE_IDS = 32;
