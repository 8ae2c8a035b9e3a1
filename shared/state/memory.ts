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
  parseStored,
  type RecordOptions,
  type ScanPage,
  type ScanPrefixes,
  type SlotGrant,
  STATE_ITEM_MAX_BYTES,
  type StateStore,
  THRESHOLD_GRACE_SECONDS,
  THRESHOLD_MEMBER_MAX_CHARS,
  type ThresholdTally,
  type ThresholdTallyInput,
} from './store';
import { StateItemRejectedError } from '../errors';

/** Rows per page of the in-memory scan: small, so local runs and tests page as DynamoDB does. */
const MEMORY_SCAN_PAGE_ROWS = 25;

/** A StateStore kept in process memory: for local replays and tests (one process, nothing durable). */
export class MemoryStateStore implements StateStore {
  private readonly deliveries = new Map<string, { state: DeliveryState | 'pending'; claimedAt: number }>();
  private readonly groups = new Map<
    string,
    { members: GroupMember[]; total: number; closed: boolean; joined: Map<string, number> }
  >();
  private readonly slots = new Map<string, number>();
  private readonly once = new Set<string>();
  private readonly events = new Map<string, number[]>();
  private readonly eventsOnce = new Map<string, { times: number[]; ids: string[]; attached?: string }>();
  private readonly findings = new Map<string, FindingState>();
  private readonly records = new Map<string, string>();
  private readonly leases = new Map<string, { owner: string; until: number }>();
  private readonly windows = new Map<string, { members: Set<string>; firedBy?: string; expiresAt: number }>();

  async claimDelivery(key: string, now: number, leaseMs: number): Promise<ClaimResult> {
    const existing = this.deliveries.get(key);
    if (existing && existing.state !== 'pending') return 'done';
    if (existing && now - existing.claimedAt < leaseMs) return 'in-flight';
    this.deliveries.set(key, { state: 'pending', claimedAt: now });
    return existing ? 'reclaimed' : 'claimed';
  }

  async completeDelivery(key: string, state: DeliveryState, now: number): Promise<void> {
    this.deliveries.set(key, { state, claimedAt: now });
  }

  async releaseDelivery(key: string, _now?: number): Promise<void> {
    // Still pending, with its lease run out: the next claim takes it over (`reclaimed`), since a
    // hand-off that reported failure may have gone through.
    if (this.deliveries.get(key)?.state === 'pending')
      this.deliveries.set(key, { state: 'pending', claimedAt: -Infinity });
  }

  async addToGroup(
    groupKey: string,
    member: GroupMember,
    _now: number,
    options: GroupOptions,
  ): Promise<GroupAdd> {
    const group = this.groups.get(groupKey) ?? {
      members: [],
      total: 0,
      closed: false,
      joined: new Map<string, number>(),
    };
    this.groups.set(groupKey, group);
    const joined = group.joined.get(member.transitionId);
    if (joined !== undefined) return { outcome: 'duplicate', position: joined };
    if (group.closed) return { outcome: 'closed' };
    // As DynamoDB does, a member item over the item limit is refused.
    const text = JSON.stringify(member);
    if (group.total < options.listLimit && Buffer.byteLength(text, 'utf8') > STATE_ITEM_MAX_BYTES - 1024) {
      throw new StateItemRejectedError('state table group member: Item size has exceeded the maximum');
    }
    group.total += 1;
    group.joined.set(member.transitionId, group.total);
    if (group.total <= options.listLimit) group.members.push(JSON.parse(text) as GroupMember);
    return { outcome: 'added', position: group.total };
  }

  async closeGroup(groupKey: string, listLimit: number): Promise<GroupSnapshot | undefined> {
    const group = this.groups.get(groupKey);
    if (!group) return undefined;
    group.closed = true;
    return { members: group.members.slice(0, listLimit), total: group.total };
  }

  async readGroup(groupKey: string, listLimit: number): Promise<GroupSnapshot | undefined> {
    const group = this.groups.get(groupKey);
    if (!group) return undefined;
    return { members: group.members.slice(0, listLimit), total: group.total };
  }

  async acquireSlot(key: string, intervalMs: number, now: number, maxWaitMs: number): Promise<SlotGrant> {
    const next = this.slots.get(key) ?? 0;
    if (next > now + maxWaitMs) return { reserved: false, waitMs: next - now };
    const slot = Math.max(next, now);
    this.slots.set(key, slot + intervalMs);
    return { reserved: true, waitMs: slot - now };
  }

  async claimOnce(key: string): Promise<boolean> {
    if (this.once.has(key)) return false;
    this.once.add(key);
    return true;
  }

  async countEvent(key: string, at: number, windowMs: number): Promise<number> {
    const kept = (this.events.get(key) ?? []).filter((t) => t > at - windowMs && t <= at);
    kept.push(at);
    this.events.set(key, kept);
    return kept.length;
  }

  async countEventOnce(key: string, eventId: string, at: number, windowMs: number): Promise<CountOnce> {
    const entry = this.eventsOnce.get(key) ?? { times: [], ids: [] };
    if (entry.ids.includes(eventId)) return { counted: false };
    const times = [...entry.times.filter((t) => t > at - windowMs && t <= at), at];
    this.eventsOnce.set(key, { ...entry, times, ids: [...entry.ids, eventId].slice(-COUNTED_ONCE_IDS) });
    return {
      counted: true,
      count: times.length,
      ...(entry.attached === undefined ? {} : { attached: JSON.parse(entry.attached) as unknown }),
    };
  }

  async attachToCount(key: string, value: unknown, _now: number): Promise<void> {
    const entry = this.eventsOnce.get(key) ?? { times: [], ids: [] };
    this.eventsOnce.set(key, { ...entry, attached: JSON.stringify(value) });
  }

  async countAttachment<T>(key: string): Promise<T | undefined> {
    const attached = this.eventsOnce.get(key)?.attached;
    return attached === undefined ? undefined : (JSON.parse(attached) as T);
  }

  async tallyThreshold(key: string, tally: ThresholdTallyInput, now: number): Promise<ThresholdTally> {
    // Windows past their grace are swept, as DynamoDB's TTL would.
    for (const [k, w] of this.windows) if (w.expiresAt <= now) this.windows.delete(k);
    const id = `${key}#${tally.windowStart}`;
    const expiresAt = tally.windowStart + tally.windowMs + THRESHOLD_GRACE_SECONDS * 1000;
    const window = this.windows.get(id) ?? { members: new Set<string>(), expiresAt };
    this.windows.set(id, window);
    if (window.firedBy !== undefined && window.firedBy !== tally.eventId) {
      return { count: Math.max(window.members.size, tally.threshold), crossed: false };
    }
    window.members.add(tally.member.slice(0, THRESHOLD_MEMBER_MAX_CHARS));
    if (window.members.size < tally.threshold) return { count: window.members.size, crossed: false };
    window.firedBy = tally.eventId;
    return { count: window.members.size, crossed: true };
  }

  async findingState(fingerprint: string): Promise<FindingState | undefined> {
    return this.findings.get(fingerprint);
  }

  async saveFindingState(fingerprint: string, state: FindingState): Promise<void> {
    this.findings.set(fingerprint, state);
  }

  async loadRecord<T>(key: string): Promise<T | undefined> {
    const text = this.records.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async saveRecord(key: string, value: unknown, _now: number, options: RecordOptions = {}): Promise<boolean> {
    if (options.ifAbsent && this.records.has(key)) return false;
    this.records.set(key, JSON.stringify(value));
    return true;
  }

  async acquireLease(key: string, owner: string, until: number, now: number): Promise<boolean> {
    const lease = this.leases.get(key);
    if (lease && lease.until > now && lease.owner !== owner) return false;
    this.leases.set(key, { owner, until });
    return true;
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    if (this.leases.get(key)?.owner === owner) this.leases.delete(key);
  }

  private readonly sets = new Map<string, Map<string, string>>();

  async putSetMember(setKey: string, member: string, value: unknown): Promise<string[]> {
    const set = this.sets.get(setKey) ?? new Map<string, string>();
    set.set(member, JSON.stringify(value));
    this.sets.set(setKey, set);
    return [...set.keys()];
  }

  async removeSetMember(setKey: string, member: string): Promise<void> {
    this.sets.get(setKey)?.delete(member);
  }

  async setMembers<T>(setKey: string): Promise<Record<string, T>> {
    const set = this.sets.get(setKey);
    return Object.fromEntries([...(set ?? [])].map(([member, text]) => [member, JSON.parse(text) as T]));
  }

  async scan(prefixes: ScanPrefixes, onPage: (page: ScanPage) => void | Promise<void>): Promise<void> {
    const wanted = (key: string, list: readonly string[] | undefined) =>
      (list ?? []).some((prefix) => key.startsWith(prefix));
    let page: ScanPage = { sets: {}, records: {}, unreadable: [] };
    let rows = 0;
    const flush = async () => {
      if (rows > 0) await onPage(page);
      page = { sets: {}, records: {}, unreadable: [] };
      rows = 0;
    };
    // Snapshots of the keys: writes made while a page is handled do not disturb the walk.
    for (const [key, set] of [...this.sets]) {
      // Sets without members are left out (as the DynamoDB adapter leaves out rows without members).
      if (set.size === 0 || !wanted(key, prefixes.sets)) continue;
      const members: Record<string, unknown> = {};
      for (const [member, text] of set) {
        const parsed = parseStored(text);
        if (parsed) members[member] = parsed.value;
        else page.unreadable.push(`${key} ${member}`);
      }
      if (Object.keys(members).length > 0) page.sets[key] = members;
      rows += 1;
      if (rows >= MEMORY_SCAN_PAGE_ROWS) await flush();
    }
    for (const [key, text] of [...this.records]) {
      if (!wanted(key, prefixes.records)) continue;
      const parsed = parseStored(text);
      if (parsed) page.records[key] = parsed.value;
      else page.unreadable.push(key);
      rows += 1;
      if (rows >= MEMORY_SCAN_PAGE_ROWS) await flush();
    }
    await flush();
  }
}
