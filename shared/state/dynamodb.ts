import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { StateItemRejectedError, StateStoreError } from '../errors';
import {
  type ClaimResult,
  COUNTED_ONCE_IDS,
  type CountOnce,
  type DeliveryState,
  type FindingState,
  type GroupAdd,
  type GroupMember,
  type GroupOptions,
  type GroupSnapshot,
  type RecordOptions,
  type ScanPage,
  type ScanPrefixes,
  type SlotGrant,
  STATE_TTL_SECONDS,
  type StateStore,
  THRESHOLD_GRACE_SECONDS,
  THRESHOLD_MEMBER_MAX_CHARS,
  type ThresholdTally,
  type ThresholdTallyInput,
} from './store';
import { decodeStoredDoc, encodeStoredDoc, readStoredDoc } from './stored-doc';

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

/** Parallel Scan segments of `scan`: each reads its share of the table page by page, at the same time. */
export const SCAN_SEGMENTS = 4;

function ttl(now: number): AttributeValue {
  return N(Math.floor(now / 1000) + STATE_TTL_SECONDS);
}

/** The state table in DynamoDB: one `pk` string key, `expiresAt` as TTL attribute, conditional writes throughout. */
export class DynamoStateStore implements StateStore {
  /** The last `next` seen per pacing key: a hint, never trusted for correctness. */
  private readonly lastSlots = new Map<string, number>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  private async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw error;
      // The table answered, and refused the item (over 400 KB, or invalid): not an outage.
      if ((error as Error).name === 'ValidationException') {
        throw new StateItemRejectedError(
          `state table ${what} refused the item: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      throw new StateStoreError(`state table ${what} failed: ${(error as Error).name}`, { cause: error });
    }
  }

  private async conditional(what: string, work: () => Promise<unknown>): Promise<boolean> {
    try {
      await this.call(what, work);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * The item a failed condition found: DynamoDB returns it with the refusal
   * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), which saves a read; only when it did not (an
   * emulator without that option) is it read.
   */
  private async foundItem(
    what: string,
    error: unknown,
    pk: string,
  ): Promise<Record<string, AttributeValue> | undefined> {
    const found = (error as ConditionalCheckFailedException).Item;
    if (found) return found;
    const existing = await this.call(what, () =>
      this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { pk: S(pk) }, ConsistentRead: true }),
      ),
    );
    return existing.Item;
  }

  /** A conditional write: true when it went through, else the item that failed the condition. */
  private async conditionalWrite(
    what: string,
    pk: string,
    work: () => Promise<unknown>,
  ): Promise<{ written: true } | { written: false; item?: Record<string, AttributeValue> }> {
    try {
      await this.call(what, work);
      return { written: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { written: false, item: await this.foundItem(`read ${what}`, error, pk) };
    }
  }

  async claimDelivery(key: string, now: number, leaseMs: number): Promise<ClaimResult> {
    const pk = `delivery#${key}`;
    let previous: Record<string, AttributeValue> | undefined;
    const claim = await this.conditionalWrite('claim', pk, async () => {
      const put = await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: S(pk), state: S('pending'), claimedAt: N(now), expiresAt: ttl(now) },
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :pending AND claimedAt < :cutoff)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':pending': S('pending'), ':cutoff': N(now - leaseMs) },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      previous = put.Attributes;
    });
    // A pending claim whose lease ran out, or that was given back, is taken over: its holder may
    // have handed the delivery on (a hand-off that reported failure may have gone through).
    if (claim.written) return previous ? 'reclaimed' : 'claimed';
    return claim.item?.state?.S === 'pending' ? 'in-flight' : 'done';
  }

  async completeDelivery(key: string, state: DeliveryState, now: number): Promise<void> {
    await this.call('complete', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: S(`delivery#${key}`), state: S(state), claimedAt: N(now), expiresAt: ttl(now) },
        }),
      ),
    );
  }

  async releaseDelivery(key: string, now: number): Promise<void> {
    // Back-dates a pending claim so the next claim takes it over; a completed one is left alone. A
    // conditional put, not an update: the digest's role has no dynamodb:UpdateItem.
    await this.conditional('release claim', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: S(`delivery#${key}`), state: S('pending'), claimedAt: N(0), expiresAt: ttl(now) },
          ConditionExpression: '#state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':pending': S('pending') },
        }),
      ),
    );
  }

  /**
   * A group is a header (`group#<key>`: a member counter, `closed` once flushed), one join marker per
   * transition (`groupjoin#<key>#<transition>`: put if absent, then given its position) and one item
   * per kept member (`group#<key>#<position>`). No item grows with the storm.
   */
  async addToGroup(
    groupKey: string,
    member: GroupMember,
    now: number,
    options: GroupOptions,
  ): Promise<GroupAdd> {
    const join = S(`groupjoin#${groupKey}#${member.transitionId}`);
    // A marker without a position belongs to a join that stopped half-way; after the lease it is retried.
    const marked = await this.conditionalWrite('group join', join.S as string, () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: join, at: N(now), expiresAt: ttl(now) },
          ConditionExpression:
            'attribute_not_exists(pk) OR (attribute_not_exists(#position) AND #at < :cutoff)',
          ExpressionAttributeNames: { '#position': 'position', '#at': 'at' },
          ExpressionAttributeValues: { ':cutoff': N(now - options.leaseMs) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    if (!marked.written) {
      const position = marked.item?.position?.N;
      return { outcome: 'duplicate', ...(position ? { position: Number(position) } : {}) };
    }
    let position: number;
    try {
      const counted = await this.call('group count', () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { pk: S(`group#${groupKey}`) },
            UpdateExpression: 'ADD #total :one SET expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(closed)',
            ExpressionAttributeNames: { '#total': 'total' },
            ExpressionAttributeValues: { ':one': N(1), ':expires': ttl(now) },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      position = Number(counted.Attributes?.total?.N ?? '1');
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Flushed already: the marker is given back, so this transition can join the next group.
      await this.call('group join undo', () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: { pk: join, at: N(0), expiresAt: ttl(now) },
          }),
        ),
      );
      return { outcome: 'closed' };
    }
    if (position <= options.listLimit) {
      await this.call('group member', () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              pk: S(`group#${groupKey}#${position}`),
              doc: encodeStoredDoc(member),
              expiresAt: ttl(now),
            },
          }),
        ),
      );
    }
    await this.call('group join position', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: join },
          UpdateExpression: 'SET #position = :position',
          ExpressionAttributeNames: { '#position': 'position' },
          ExpressionAttributeValues: { ':position': N(position) },
        }),
      ),
    );
    return { outcome: 'added', position };
  }

  async closeGroup(groupKey: string, listLimit: number): Promise<GroupSnapshot | undefined> {
    let total: number;
    try {
      const closed = await this.call('group close', () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { pk: S(`group#${groupKey}`) },
            UpdateExpression: 'SET closed = :true',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':true': { BOOL: true } },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      total = Number(closed.Attributes?.total?.N ?? '0');
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
    return { members: await this.readMembers(groupKey, Math.min(total, listLimit)), total };
  }

  async readGroup(groupKey: string, listLimit: number): Promise<GroupSnapshot | undefined> {
    const header = await this.call('group read', () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`group#${groupKey}`) },
          ConsistentRead: true,
        }),
      ),
    );
    if (!header.Item) return undefined;
    const total = Number(header.Item.total?.N ?? '0');
    return { members: await this.readMembers(groupKey, Math.min(total, listLimit)), total };
  }

  private async readMembers(groupKey: string, wanted: number): Promise<GroupMember[]> {
    const members: GroupMember[] = [];
    // Point reads a few at a time (the roles grant GetItem, not BatchGetItem); a missing position
    // belongs to a join that stopped half-way and is skipped.
    for (let from = 1; from <= wanted; from += 25) {
      const positions = Array.from({ length: Math.min(25, wanted - from + 1) }, (_, i) => from + i);
      const items = await Promise.all(
        positions.map((position) =>
          this.call('group read', () =>
            this.client.send(
              new GetItemCommand({
                TableName: this.tableName,
                Key: { pk: S(`group#${groupKey}#${position}`) },
                ConsistentRead: true,
              }),
            ),
          ),
        ),
      );
      for (const item of items) {
        const parsed = decodeStoredDoc(item.Item?.doc);
        if (parsed) members.push(parsed.value as GroupMember);
      }
    }
    return members;
  }

  /**
   * Two conditional writes, tried in the order the last known slot suggests: take a free slot
   * (`next` is past: it becomes now + interval), or queue behind a taken one (`next` grows by the
   * interval, atomically, so concurrent callers get distinct slots). A refusal returns the item, which
   * says which one to try next; a good guess costs one write.
   */
  async acquireSlot(key: string, intervalMs: number, now: number, maxWaitMs: number): Promise<SlotGrant> {
    const pk = `slot#${key}`;
    const expires = N(Math.floor((now + maxWaitMs) / 1000) + 3600);
    let taken = (this.lastSlots.get(pk) ?? 0) > now;
    for (let tries = 0; tries < 4; tries++) {
      if (!taken) {
        const free = await this.conditionalWrite('pace', pk, () =>
          this.client.send(
            new PutItemCommand({
              TableName: this.tableName,
              Item: { pk: S(pk), next: N(now + intervalMs), expiresAt: expires },
              ConditionExpression: 'attribute_not_exists(pk) OR #next <= :now',
              ExpressionAttributeNames: { '#next': 'next' },
              ExpressionAttributeValues: { ':now': N(now) },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          ),
        );
        if (free.written) {
          this.rememberSlot(pk, now + intervalMs);
          return { reserved: true, waitMs: 0 };
        }
        const next = Number(free.item?.next?.N ?? now);
        this.rememberSlot(pk, next);
        if (next > now + maxWaitMs) return { reserved: false, waitMs: next - now };
        taken = true;
        continue;
      }
      let reserved: number | undefined;
      const queued = await this.conditionalWrite('pace', pk, async () => {
        const result = await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { pk: S(pk) },
            UpdateExpression: 'SET #next = #next + :interval, expiresAt = :expires',
            ConditionExpression: '#next > :now AND #next <= :latest',
            ExpressionAttributeNames: { '#next': 'next' },
            ExpressionAttributeValues: {
              ':interval': N(intervalMs),
              ':now': N(now),
              ':latest': N(now + maxWaitMs),
              ':expires': expires,
            },
            ReturnValues: 'UPDATED_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        reserved = Number(result.Attributes?.next?.N) - intervalMs;
      });
      if (queued.written) {
        // Without the new value (never from DynamoDB), waiting as long as allowed is never too early.
        const slot = reserved !== undefined && Number.isFinite(reserved) ? reserved : now + maxWaitMs;
        this.rememberSlot(pk, slot + intervalMs);
        return { reserved: true, waitMs: Math.max(0, slot - now) };
      }
      const next = Number(queued.item?.next?.N ?? 0);
      this.rememberSlot(pk, next);
      if (next > now + maxWaitMs) return { reserved: false, waitMs: next - now };
      taken = next > now;
    }
    // Four refusals in a row: others are taking slots as fast as they free; come back one interval later.
    return { reserved: false, waitMs: intervalMs };
  }

  /** The last slot this process saw for a key: which write to try first next time (a few keys). */
  private rememberSlot(pk: string, next: number): void {
    if (!this.lastSlots.has(pk) && this.lastSlots.size >= 256) this.lastSlots.clear();
    this.lastSlots.set(pk, next);
  }

  async claimOnce(key: string, now: number): Promise<boolean> {
    return this.conditional('claim once', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: S(`once#${key}`), expiresAt: ttl(now) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async countEvent(key: string, at: number, windowMs: number): Promise<number> {
    const pk = `events#${key}`;
    const result = await this.call('count', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(pk) },
          UpdateExpression:
            'SET events = list_append(if_not_exists(events, :empty), :at), expiresAt = :expires',
          ExpressionAttributeValues: {
            ':empty': { L: [] },
            ':at': { L: [N(at)] },
            ':expires': N(Math.floor((at + windowMs) / 1000) + 3600),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    const times = (result.Attributes?.events?.L ?? []).map((item) => Number(item.N));
    const inWindow = times.filter((t) => t > at - windowMs && t <= at);
    if (times.length > 200) {
      // Keep the list short: rewrite it with only the events still inside the window.
      await this.call('count prune', () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              pk: S(pk),
              events: { L: inWindow.map(N) },
              expiresAt: N(Math.floor((at + windowMs) / 1000) + 3600),
            },
          }),
        ),
      );
    }
    return inWindow.length;
  }

  /**
   * One item (`eventsonce#<key>`): the event times and the hashed ids of the last events, appended
   * in one UpdateItem whose condition refuses an id already there (a redelivery adds nothing). The
   * ids are 16 characters of their SHA-256, so the item stays small; it is pruned to the events in
   * the window and the last ids only when it grows, under a condition that no other append came in
   * between (else the next append prunes).
   */
  async countEventOnce(key: string, eventId: string, at: number, windowMs: number): Promise<CountOnce> {
    const pk = `eventsonce#${key}`;
    const id = createHash('sha256').update(eventId).digest('base64url').slice(0, 16);
    let attributes: Record<string, AttributeValue> | undefined;
    const counted = await this.conditional('count once', async () => {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(pk) },
          UpdateExpression:
            'SET events = list_append(if_not_exists(events, :empty), :at), ids = list_append(if_not_exists(ids, :empty), :id), expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(ids) OR NOT contains(ids, :idValue)',
          ExpressionAttributeValues: {
            ':empty': { L: [] },
            ':at': { L: [N(at)] },
            ':id': { L: [S(id)] },
            ':idValue': S(id),
            ':expires': ttl(at),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      attributes = result.Attributes;
    });
    if (!counted) return { counted: false };
    const times = (attributes?.events?.L ?? []).map((item) => Number(item.N));
    const ids = (attributes?.ids?.L ?? []).flatMap((item) => (item.S === undefined ? [] : [item.S]));
    const inWindow = times.filter((t) => t > at - windowMs && t <= at);
    if (ids.length > 2 * COUNTED_ONCE_IDS || times.length > 200) {
      // An update, not a put: the attached document stays as it is.
      await this.conditional('count once prune', () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { pk: S(pk) },
            UpdateExpression: 'SET events = :events, ids = :ids',
            ConditionExpression: 'size(ids) = :seen',
            ExpressionAttributeValues: {
              ':events': { L: inWindow.map(N) },
              ':ids': { L: ids.slice(-COUNTED_ONCE_IDS).map(S) },
              ':seen': N(ids.length),
            },
          }),
        ),
      );
    }
    const attached = attributes?.doc && readStoredDoc(attributes.doc, `count ${key} attachment`);
    return { counted: true, count: inWindow.length, ...(attached === undefined ? {} : { attached }) };
  }

  async attachToCount(key: string, value: unknown, now: number): Promise<void> {
    await this.call('count attach', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`eventsonce#${key}`) },
          UpdateExpression: 'SET doc = :doc, expiresAt = :expires',
          ExpressionAttributeValues: { ':doc': encodeStoredDoc(value), ':expires': ttl(now) },
        }),
      ),
    );
  }

  async countAttachment<T>(key: string): Promise<T | undefined> {
    const result = await this.call('count attachment', () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`eventsonce#${key}`) },
          ConsistentRead: true,
          ProjectionExpression: 'doc',
        }),
      ),
    );
    return readStoredDoc(result.Item?.doc, `count ${key} attachment`) as T | undefined;
  }

  /**
   * One item per window (`threshold#<key>#<windowStart>`): a string set of members, grown with
   * `ADD` (idempotent: a retried event adds nothing) while no event has fired the window, then a
   * conditional `SET firedBy` that only one event wins. The set stops growing once fired, so the
   * item stays bounded by the threshold (at most 1000 members of 200 characters).
   */
  async tallyThreshold(key: string, tally: ThresholdTallyInput, _now: number): Promise<ThresholdTally> {
    const pk = S(`threshold#${key}#${tally.windowStart}`);
    const unfired = 'attribute_not_exists(firedBy) OR firedBy = :me';
    const expires = N(Math.floor((tally.windowStart + tally.windowMs) / 1000) + THRESHOLD_GRACE_SECONDS);
    let attributes: Record<string, AttributeValue> | undefined;
    const added = await this.conditional('threshold tally', async () => {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk },
          UpdateExpression: 'ADD members :member SET expiresAt = :expires',
          ConditionExpression: unfired,
          ExpressionAttributeValues: {
            ':member': { SS: [tally.member.slice(0, THRESHOLD_MEMBER_MAX_CHARS)] },
            ':expires': expires,
            ':me': S(tally.eventId),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      attributes = result.Attributes;
    });
    // Another event fired this window already: counted, never alerted again.
    if (!added) return { count: tally.threshold, crossed: false };
    const count = attributes?.members?.SS?.length ?? 0;
    if (attributes?.firedBy?.S === tally.eventId) return { count, crossed: true };
    if (count < tally.threshold) return { count, crossed: false };
    const crossed = await this.conditional('threshold fire', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk },
          UpdateExpression: 'SET firedBy = :me',
          ConditionExpression: unfired,
          ExpressionAttributeValues: { ':me': S(tally.eventId) },
        }),
      ),
    );
    return { count, crossed };
  }

  async findingState(fingerprint: string): Promise<FindingState | undefined> {
    const result = await this.call('finding state', () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`finding#${fingerprint}`) },
          ConsistentRead: true,
        }),
      ),
    );
    const status = result.Item?.status?.S;
    const severity = result.Item?.severity?.S;
    if (!status || !severity) return undefined;
    return { status, severity } as FindingState;
  }

  async saveFindingState(fingerprint: string, state: FindingState, now: number): Promise<void> {
    await this.call('save finding state', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: S(`finding#${fingerprint}`),
            status: S(state.status),
            severity: S(state.severity),
            // Findings live long (GuardDuty re-publishes for months); keep their state 90 days.
            expiresAt: N(Math.floor(now / 1000) + 90 * 86_400),
          },
        }),
      ),
    );
  }

  async loadRecord<T>(key: string): Promise<T | undefined> {
    const result = await this.call('load record', () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`record#${key}`) },
          ConsistentRead: true,
        }),
      ),
    );
    return readStoredDoc(result.Item?.doc, `record ${key}`) as T | undefined;
  }

  async saveRecord(key: string, value: unknown, now: number, options: RecordOptions = {}): Promise<boolean> {
    const put = new PutItemCommand({
      TableName: this.tableName,
      Item: {
        pk: S(`record#${key}`),
        doc: encodeStoredDoc(value),
        expiresAt: N(Math.floor(now / 1000) + (options.ttlSeconds ?? STATE_TTL_SECONDS)),
      },
      ...(options.ifAbsent ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
    });
    return this.conditional('save record', () => this.client.send(put));
  }

  async acquireLease(key: string, owner: string, until: number, now: number): Promise<boolean> {
    return this.conditional('lease', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: S(`lease#${key}`),
            owner: S(owner),
            until: N(until),
            expiresAt: N(Math.floor(until / 1000) + 3600),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #until <= :now OR #owner = :owner',
          ExpressionAttributeNames: { '#until': 'until', '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': N(now), ':owner': S(owner) },
        }),
      ),
    );
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    // An update, not a delete: the role needs no dynamodb:DeleteItem. Only the owner can release.
    await this.conditional('release lease', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`lease#${key}`) },
          UpdateExpression: 'SET #until = :zero',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#until': 'until', '#owner': 'owner' },
          ExpressionAttributeValues: { ':zero': N(0), ':owner': S(owner) },
        }),
      ),
    );
  }

  /** Sets are one row (`set#<key>`); each member is an attribute `m:<member>` holding JSON. */
  async putSetMember(
    setKey: string,
    member: string,
    value: unknown,
    now: number,
    ttlSeconds = STATE_TTL_SECONDS,
  ): Promise<string[]> {
    // The row as written comes back with the write (billed as the write), so no read is needed to trim.
    const updated = await this.call('set put', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`set#${setKey}`) },
          UpdateExpression: 'SET #member = :value, expiresAt = :expires',
          ExpressionAttributeNames: { '#member': `m:${member}` },
          ExpressionAttributeValues: {
            ':value': encodeStoredDoc(value),
            ':expires': N(Math.floor(now / 1000) + ttlSeconds),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return Object.keys(updated.Attributes ?? {})
      .filter((name) => name.startsWith('m:'))
      .map((name) => name.slice(2));
  }

  async removeSetMember(setKey: string, member: string): Promise<void> {
    // An update, not a delete: the role needs no dynamodb:DeleteItem.
    await this.call('set remove', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`set#${setKey}`) },
          UpdateExpression: 'REMOVE #member',
          ExpressionAttributeNames: { '#member': `m:${member}` },
        }),
      ),
    );
  }

  async setMembers<T>(setKey: string): Promise<Record<string, T>> {
    const result = await this.call('set read', () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`set#${setKey}`) },
          ConsistentRead: true,
        }),
      ),
    );
    const members: Record<string, T> = {};
    for (const [name, value] of Object.entries(result.Item ?? {})) {
      if (name.startsWith('m:')) members[name.slice(2)] = readStoredDoc(value, `set ${setKey} member`) as T;
    }
    return members;
  }

  /**
   * A Scan of the whole table in SCAN_SEGMENTS parallel segments, filtered on the key prefixes, each
   * page handed over as it arrives. A Scan is billed for every item it reads, before the filter: the
   * filter and projection only cut what crosses the network; segments cut the time, not the cost.
   * Set members are attributes with open names (`m:<member>`), which a projection cannot list, so
   * only a records-only scan projects (`pk`, `doc`). A member or record that is not JSON is listed
   * in the page's `unreadable`, never thrown.
   */
  async scan(prefixes: ScanPrefixes, onPage: (page: ScanPage) => void | Promise<void>): Promise<void> {
    const wanted = [
      ...(prefixes.sets ?? []).map((prefix) => `set#${prefix}`),
      ...(prefixes.records ?? []).map((prefix) => `record#${prefix}`),
    ];
    if (wanted.length === 0) return;
    const values = Object.fromEntries(wanted.map((prefix, index) => [`:p${index}`, S(prefix)]));
    const filter = wanted.map((_, index) => `begins_with(pk, :p${index})`).join(' OR ');
    const projection =
      (prefixes.sets ?? []).length === 0
        ? { ProjectionExpression: 'pk, #doc', ExpressionAttributeNames: { '#doc': 'doc' } }
        : {};
    // Once a segment fails, the others stop after the page they are reading.
    let failed = false;
    const segment = async (index: number) => {
      let start: Record<string, AttributeValue> | undefined;
      try {
        do {
          const page = await this.call('scan', () =>
            this.client.send(
              new ScanCommand({
                TableName: this.tableName,
                FilterExpression: filter,
                ExpressionAttributeValues: values,
                Segment: index,
                TotalSegments: SCAN_SEGMENTS,
                ...projection,
                ...(start ? { ExclusiveStartKey: start } : {}),
              }),
            ),
          );
          if (failed) return;
          await onPage(scanPage(page.Items ?? []));
          start = page.LastEvaluatedKey;
        } while (start && !failed);
      } catch (error) {
        failed = true;
        throw error;
      }
    };
    const outcomes = await Promise.allSettled(
      Array.from({ length: SCAN_SEGMENTS }, (_, index) => segment(index)),
    );
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
  }
}

/** The sets and records of one Scan page; members and records that are not JSON are listed apart. */
function scanPage(items: ReadonlyArray<Record<string, AttributeValue>>): ScanPage {
  const page: ScanPage = { sets: {}, records: {}, unreadable: [] };
  for (const item of items) {
    const pk = item.pk?.S ?? '';
    if (pk.startsWith('record#')) {
      const key = pk.slice(7);
      if (item.doc === undefined) continue;
      const parsed = decodeStoredDoc(item.doc);
      if (parsed) page.records[key] = parsed.value;
      else page.unreadable.push(key);
      continue;
    }
    const setKey = pk.slice(4);
    const members: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(item)) {
      if (!name.startsWith('m:')) continue;
      const parsed = decodeStoredDoc(value);
      if (parsed) members[name.slice(2)] = parsed.value;
      else page.unreadable.push(`${setKey} ${name.slice(2)}`);
    }
    // A row whose members were all removed is left out.
    if (Object.keys(members).length > 0) page.sets[setKey] = members;
  }
  return page;
}
