/**
 * The state-table meter: wraps the `send` of the DynamoDB client the real adapter
 * (shared/state/dynamodb.ts) uses and counts every read and write, with the capacity units
 * DynamoDB on demand would bill for it, by operation and by the code path that issued it (told
 * apart by the item's key prefix). Used by `npm run bench -- --state-table`.
 */
import { type AttributeValue, GetItemCommand } from '@aws-sdk/client-dynamodb';

/** The code paths of the state table, by the key prefixes they write (shared/state, shared/noise). */
export const STATE_PATHS = [
  'claim',
  'claim completion',
  'claim release',
  'group',
  'pacing',
  'noise state',
  'decision record',
  'remediation',
  'finding state',
  'failed sign-ins',
  'once',
  'lease',
  'other',
] as const;
/** One code path of the state table. */
export type StatePath = (typeof STATE_PATHS)[number];

/** One metered call. */
export interface MeteredCall {
  /** The SDK command (`PutItem`, `UpdateItem`, `GetItem`, `Scan`). */
  command: string;
  /** The item key (`pk`), or undefined for a Scan. */
  pk?: string;
  /** Whether the write carries a condition. */
  conditional: boolean;
  /** True for a conditional write whose condition failed (billed all the same). */
  conditionFailed: boolean;
  /** Item bytes before and after a write, or read (DynamoDB's item size rules). */
  bytesBefore: number;
  bytesAfter: number;
  /** For a read: strongly consistent or not. */
  consistent: boolean;
  /** A claim given back (a pending claim put back-dated to 0). */
  released?: boolean;
}

/** Capacity units DynamoDB on demand bills for one call: write request units or read request units. */
export interface CallUnits {
  kind: 'read' | 'write';
  units: number;
}

/** The bytes DynamoDB counts for one attribute value (developer guide, "Item sizes and formats"). */
export function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.N !== undefined) {
    const digits = value.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
  if (value.NS !== undefined) return value.NS.reduce((n, s) => n + valueBytes({ N: s }), 0);
  if (value.BS !== undefined) return value.BS.reduce((n, b) => n + b.byteLength, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((n, v) => n + 1 + valueBytes(v), 0);
  if (value.M !== undefined) return 3 + itemBytes(value.M) + Object.keys(value.M).length;
  return 0;
}

/** The size of an item as DynamoDB counts it: attribute names plus values, in bytes. */
export function itemBytes(item: Record<string, AttributeValue> | undefined): number {
  if (!item) return 0;
  let bytes = 0;
  for (const [name, value] of Object.entries(item))
    bytes += Buffer.byteLength(name, 'utf8') + valueBytes(value);
  return bytes;
}

/**
 * The request units of one call on demand: a write is 1 WRU per KB of the larger of the item before
 * and after (a failed condition still bills the item as it stands), at least 1; a read is 1 RRU per
 * 4 KB read strongly consistent, half that eventually consistent, at least one unit (a missing item
 * too). A Scan bills the bytes it read before its filter.
 */
export function callUnits(call: MeteredCall): CallUnits {
  if (call.command === 'GetItem' || call.command === 'Scan') {
    const units = Math.max(1, Math.ceil(call.bytesAfter / 4096));
    return { kind: 'read', units: call.consistent ? units : units / 2 };
  }
  const bytes = call.conditionFailed ? call.bytesBefore : Math.max(call.bytesBefore, call.bytesAfter);
  return { kind: 'write', units: Math.max(1, Math.ceil(bytes / 1024)) };
}

/** The code path a call belongs to, from its command and its item key. */
export function pathOf(call: Pick<MeteredCall, 'command' | 'pk' | 'conditional' | 'released'>): StatePath {
  const pk = call.pk ?? '';
  if (pk.startsWith('delivery#')) {
    if (call.released) return 'claim release';
    return call.command === 'PutItem' && !call.conditional ? 'claim completion' : 'claim';
  }
  if (pk.startsWith('groupjoin#') || pk.startsWith('group#')) return 'group';
  if (pk.startsWith('slot#')) return 'pacing';
  if (pk.startsWith('set#decisions#')) return 'decision record';
  if (
    pk.startsWith('set#') ||
    pk.startsWith('record#alert#') ||
    pk.startsWith('record#flap#') ||
    pk.startsWith('eventsonce#flap#') ||
    pk.startsWith('once#unmute-job#')
  )
    return 'noise state';
  if (pk.startsWith('record#remediation') || pk.startsWith('record#resolved')) return 'remediation';
  if (pk.startsWith('finding#')) return 'finding state';
  if (pk.startsWith('events#')) return 'failed sign-ins';
  if (pk.startsWith('once#')) return 'once';
  if (pk.startsWith('lease#')) return 'lease';
  return 'other';
}

/** The key family of an item: its key up to the second `#` when that part is a word (`record#alert`, `set#inhibit`, `slot#pace`). */
export function familyOf(pk: string | undefined): string {
  if (pk === undefined) return '(scan)';
  const parts = pk.split('#');
  // The second part names the family when it is a word (`alert`, `flap`), not a digest or an id.
  if (parts.length > 1 && /^[a-z][a-z-]*$/.test(parts[1] ?? '') && (parts.length > 2 || parts[0] === 'set'))
    return parts.slice(0, 2).join('#');
  return parts[0] ?? '';
}

/** Totals of one row of the breakdown. */
export interface MeterRow {
  path: StatePath;
  /** The key family (`familyOf`), which tells the parts of a path apart (alert state, flapping, inhibition). */
  family: string;
  /** `PutItem`, `PutItem (conditional)`, `UpdateItem`, `GetItem`, `Scan`. */
  operation: string;
  reads: number;
  writes: number;
  readUnits: number;
  writeUnits: number;
  /** Conditional writes whose condition failed (billed, changed nothing). */
  conditionFailed: number;
}

/** What the meter counted. */
export interface MeterTotals {
  reads: number;
  writes: number;
  readUnits: number;
  writeUnits: number;
  rows: MeterRow[];
}

/** Counts metered calls; `record` is the whole accounting, so it is tested without DynamoDB. */
export class StateMeter {
  private readonly rows = new Map<string, MeterRow>();
  /** When false, calls pass through uncounted (setup). */
  enabled = true;
  /** Milliseconds spent reading items back to size writes: the bench takes them off the duration. */
  probeMs = 0;

  /** Accounts one call. */
  record(call: MeteredCall, path: StatePath = pathOf(call)): void {
    if (!this.enabled) return;
    const operation = call.conditional ? `${call.command} (conditional)` : call.command;
    const family = familyOf(call.pk);
    const id = `${path}\u0000${family}\u0000${operation}`;
    const row = this.rows.get(id) ?? {
      path,
      family,
      operation,
      reads: 0,
      writes: 0,
      readUnits: 0,
      writeUnits: 0,
      conditionFailed: 0,
    };
    const units = callUnits(call);
    if (units.kind === 'read') {
      row.reads += 1;
      row.readUnits += units.units;
    } else {
      row.writes += 1;
      row.writeUnits += units.units;
      if (call.conditionFailed) row.conditionFailed += 1;
    }
    this.rows.set(id, row);
  }

  /** Everything counted so far, rows with the most calls first. */
  totals(): MeterTotals {
    const rows = [...this.rows.values()].sort(
      (a, b) => b.writes + b.reads - (a.writes + a.reads) || a.path.localeCompare(b.path),
    );
    const sum = (pick: (row: MeterRow) => number) => rows.reduce((n, row) => n + pick(row), 0);
    return {
      reads: sum((r) => r.reads),
      writes: sum((r) => r.writes),
      readUnits: sum((r) => r.readUnits),
      writeUnits: sum((r) => r.writeUnits),
      rows,
    };
  }

  /** Forgets every count. */
  reset(): void {
    this.rows.clear();
  }
}

/** Shares of writes (or reads) by code path, largest first: what stands in the way of a target. */
export function sharesByPath(
  totals: MeterTotals,
  kind: 'writes' | 'reads',
): Array<{ path: StatePath; count: number; share: number }> {
  const byPath = new Map<StatePath, number>();
  for (const row of totals.rows) byPath.set(row.path, (byPath.get(row.path) ?? 0) + row[kind]);
  const all = totals[kind];
  return [...byPath.entries()]
    .filter(([, count]) => count > 0)
    .map(([path, count]) => ({ path, count, share: all === 0 ? 0 : count / all }))
    .sort((a, b) => b.count - a.count);
}

interface SendableCommand {
  input: Record<string, unknown>;
  constructor: { name: string };
}

/** The `send` of a DynamoDB client (or of its prototype), as the meter wraps it. */
type Send = (this: unknown, command: SendableCommand, ...rest: unknown[]) => Promise<Record<string, unknown>>;

/**
 * Wraps `target.send` (a DynamoDBClient or DynamoDBClient.prototype) so every GetItem, PutItem,
 * UpdateItem and Scan is counted in `meter`. To bill a write by the larger of the item before and
 * after, the meter keeps each item's size as last seen and reads the item once after each write,
 * with the unwrapped `send`, uncounted. Returns a function that puts the original `send` back.
 */
export function installMeter(target: { send: unknown }, meter: StateMeter): () => void {
  const original = target.send as Send;
  const sizes = new Map<string, number>();
  const wrapped: Send = async function (this: unknown, command, ...rest) {
    const name = command.constructor.name.replace(/Command$/, '');
    if (!meter.enabled || !['GetItem', 'PutItem', 'UpdateItem', 'Scan'].includes(name))
      return original.call(this, command, ...rest);
    const input = command.input;
    const key = (input.Key ??
      (input.Item ? { pk: (input.Item as Record<string, AttributeValue>).pk } : undefined)) as
      Record<string, AttributeValue> | undefined;
    const pk = key?.pk?.S;
    const conditional = typeof input.ConditionExpression === 'string';
    const item = input.Item as Record<string, AttributeValue> | undefined;
    const released = item?.state?.S === 'pending' && item.claimedAt?.N === '0';
    const before = pk === undefined ? 0 : (sizes.get(pk) ?? 0);
    let output: Record<string, unknown>;
    try {
      output = await original.call(this, command, ...rest);
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        meter.record({
          command: name,
          pk,
          conditional,
          conditionFailed: true,
          bytesBefore: before,
          bytesAfter: before,
          consistent: true,
          released,
        });
      }
      throw error;
    }
    if (name === 'GetItem') {
      const bytes = itemBytes(output.Item as Record<string, AttributeValue> | undefined);
      if (pk !== undefined) sizes.set(pk, bytes);
      meter.record({
        command: name,
        pk,
        conditional: false,
        conditionFailed: false,
        bytesBefore: bytes,
        bytesAfter: bytes,
        consistent: input.ConsistentRead === true,
      });
      return output;
    }
    if (name === 'Scan') {
      const items = (output.Items ?? []) as Array<Record<string, AttributeValue>>;
      const bytes = items.reduce((n, item) => n + itemBytes(item), 0);
      meter.record({
        command: name,
        conditional: false,
        conditionFailed: false,
        bytesBefore: bytes,
        bytesAfter: bytes,
        consistent: input.ConsistentRead === true,
      });
      return output;
    }
    let after = 0;
    if (key && pk !== undefined) {
      const probe = new GetItemCommand({
        TableName: input.TableName as string,
        Key: key,
        ConsistentRead: true,
      });
      const started = performance.now();
      const read = await original.call(this, probe as unknown as SendableCommand);
      meter.probeMs += performance.now() - started;
      after = itemBytes(read.Item as Record<string, AttributeValue> | undefined);
      sizes.set(pk, after);
    }
    meter.record({
      command: name,
      pk,
      conditional,
      conditionFailed: false,
      bytesBefore: before,
      bytesAfter: after,
      consistent: true,
      released,
    });
    return output;
  };
  target.send = wrapped;
  return () => {
    target.send = original;
  };
}
