import {
  type AttributeValue,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  callUnits,
  installMeter,
  itemBytes,
  type MeteredCall,
  familyOf,
  pathOf,
  sharesByPath,
  StateMeter,
} from '../../../bench/lib/state-meter';

const call = (overrides: Partial<MeteredCall>): MeteredCall => ({
  command: 'PutItem',
  pk: 'delivery#x',
  conditional: false,
  conditionFailed: false,
  bytesBefore: 0,
  bytesAfter: 0,
  consistent: true,
  ...overrides,
});

describe('item sizes as DynamoDB counts them', () => {
  it('adds attribute names to values: strings in UTF-8 bytes, numbers by significant digits', () => {
    expect(itemBytes({ pk: { S: 'abc' } })).toBe(5);
    expect(itemBytes({ pk: { S: 'é' } })).toBe(4);
    // 12345: five significant digits → ceil(5/2) + 1 = 4 bytes, plus 1 for the name.
    expect(itemBytes({ n: { N: '12345' } })).toBe(5);
    expect(itemBytes({ n: { N: '1000' } })).toBe(3);
    expect(itemBytes({ b: { BOOL: true } })).toBe(2);
    // A list: 3 bytes, 1 per element, and the elements.
    expect(itemBytes({ l: { L: [{ N: '1' }, { N: '2' }] } })).toBe(1 + 3 + 2 * (1 + 2));
    expect(itemBytes(undefined)).toBe(0);
  });
});

describe('request units on demand', () => {
  it('bills a write per started KB of the larger of the item before and after, at least one', () => {
    expect(callUnits(call({ bytesAfter: 10 }))).toEqual({ kind: 'write', units: 1 });
    expect(callUnits(call({ bytesAfter: 1024 }))).toEqual({ kind: 'write', units: 1 });
    expect(callUnits(call({ bytesAfter: 1025 }))).toEqual({ kind: 'write', units: 2 });
    // Shrinking a 5 KB set row to 1 KB still bills the 5 KB it was.
    expect(callUnits(call({ command: 'UpdateItem', bytesBefore: 5000, bytesAfter: 900 }))).toEqual({
      kind: 'write',
      units: 5,
    });
  });

  it('bills a failed condition by the item as it stands, never nothing', () => {
    expect(
      callUnits(call({ conditional: true, conditionFailed: true, bytesBefore: 3000, bytesAfter: 9999 })),
    ).toEqual({ kind: 'write', units: 3 });
    expect(callUnits(call({ conditional: true, conditionFailed: true }))).toEqual({
      kind: 'write',
      units: 1,
    });
  });

  it('bills a read per started 4 KB, half when eventually consistent, one for a missing item', () => {
    expect(callUnits(call({ command: 'GetItem', bytesAfter: 0 }))).toEqual({ kind: 'read', units: 1 });
    expect(callUnits(call({ command: 'GetItem', bytesAfter: 4097 }))).toEqual({ kind: 'read', units: 2 });
    expect(callUnits(call({ command: 'GetItem', bytesAfter: 4097, consistent: false }))).toEqual({
      kind: 'read',
      units: 1,
    });
  });
});

describe('code paths by key prefix', () => {
  it.each([
    [call({ pk: 'delivery#t|r', conditional: true }), 'claim'],
    [call({ pk: 'delivery#t|r' }), 'claim completion'],
    [call({ pk: 'delivery#t|r', conditional: true, released: true }), 'claim release'],
    [call({ command: 'GetItem', pk: 'delivery#t|r' }), 'claim'],
    [call({ pk: 'groupjoin#g#t' }), 'group'],
    [call({ pk: 'group#g#1' }), 'group'],
    [call({ pk: 'slot#pace#alerts' }), 'pacing'],
    [call({ pk: 'set#decisions#arn' }), 'decision record'],
    [call({ pk: 'set#silences' }), 'noise state'],
    [call({ pk: 'record#alert#arn' }), 'noise state'],
    [call({ pk: 'eventsonce#flap#arn' }), 'noise state'],
    [call({ pk: 'record#remediation#tok' }), 'remediation'],
    [call({ pk: 'record#remediation-resolved#arn' }), 'remediation'],
    [call({ pk: 'finding#f' }), 'finding state'],
    [call({ pk: 'events#signin#1.2.3.4' }), 'failed sign-ins'],
    [call({ pk: 'once#poison' }), 'once'],
    [call({ pk: 'lease#x' }), 'lease'],
    [call({ pk: 'what#ever' }), 'other'],
  ])('%o is %s', (metered, path) => {
    expect(pathOf(metered)).toBe(path);
  });
});

describe('key families', () => {
  it('tell the parts of a path apart by the key up to its second #', () => {
    expect(familyOf('record#alert#arn:aws:cloudwatch:us-east-1:1:alarm:a#b')).toBe('record#alert');
    expect(familyOf('set#silences')).toBe('set#silences');
    expect(familyOf('delivery#t|r')).toBe('delivery');
    expect(familyOf('set#inhibit#deployment#x')).toBe('set#inhibit');
    expect(familyOf('group#3a821d5e7a0a2b8a#1')).toBe('group');
    expect(familyOf('delivery#group#3a821d5e|alerts')).toBe('delivery#group');
    expect(familyOf(undefined)).toBe('(scan)');
  });
});

/** A one-key table in memory answering the adapter's commands as DynamoDB does. */
function fakeClient() {
  const items = new Map<string, Record<string, AttributeValue>>();
  const sent: string[] = [];
  return {
    items,
    sent,
    async send(command: { input: object; constructor: { name: string } }) {
      sent.push(command.constructor.name);
      const input = command.input as Record<string, unknown>;
      if (command instanceof GetItemCommand) {
        const key = (input.Key as Record<string, AttributeValue>).pk?.S ?? '';
        return { Item: items.get(key) };
      }
      if (command instanceof PutItemCommand) {
        const item = input.Item as Record<string, AttributeValue>;
        const key = item.pk?.S ?? '';
        if (input.ConditionExpression === 'attribute_not_exists(pk)' && items.has(key))
          throw new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });
        items.set(key, item);
        return {};
      }
      if (command instanceof UpdateItemCommand) {
        const key = (input.Key as Record<string, AttributeValue>).pk?.S ?? '';
        items.set(key, { ...(items.get(key) ?? { pk: { S: key } }), doc: { S: 'x'.repeat(2000) } });
        return {};
      }
      return {};
    },
  };
}

describe('the metered client', () => {
  it('counts each call once by path, sizes writes by reading back uncounted, and bills failed conditions', async () => {
    const client = fakeClient();
    const meter = new StateMeter();
    const restore = installMeter(client, meter);
    const put = (pk: string, conditional: boolean) =>
      client.send(
        new PutItemCommand({
          TableName: 't',
          Item: { pk: { S: pk }, doc: { S: 'y'.repeat(1500) } },
          ...(conditional ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
        }),
      );
    await put('delivery#a', true);
    await expect(put('delivery#a', true)).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await put('delivery#a', false);
    await client.send(new UpdateItemCommand({ TableName: 't', Key: { pk: { S: 'set#decisions#f' } } }));
    await client.send(
      new GetItemCommand({ TableName: 't', Key: { pk: { S: 'set#decisions#f' } }, ConsistentRead: true }),
    );
    restore();
    await put('delivery#b', false);

    const totals = meter.totals();
    expect(totals.writes).toBe(4);
    expect(totals.reads).toBe(1);
    const row = (path: string, operation: string) =>
      totals.rows.find((r) => r.path === path && r.operation === operation);
    // 1.5 KB items: two units each, the failed condition too (the item it found is 1.5 KB).
    expect(row('claim', 'PutItem (conditional)')).toMatchObject({
      family: 'delivery',
      writes: 2,
      writeUnits: 4,
      conditionFailed: 1,
    });
    expect(row('claim completion', 'PutItem')).toMatchObject({ writes: 1, writeUnits: 2 });
    expect(row('decision record', 'UpdateItem')).toMatchObject({ writes: 1, writeUnits: 2 });
    expect(row('decision record', 'GetItem')).toMatchObject({ reads: 1, readUnits: 1 });
    // The read-backs went to the table but were not counted; after restore nothing is counted.
    expect(client.sent.filter((name) => name === 'GetItemCommand').length).toBe(4);
    expect(meter.probeMs).toBeGreaterThanOrEqual(0);
    expect(sharesByPath(totals, 'writes')).toEqual([
      { path: 'claim', count: 2, share: 0.5 },
      { path: 'claim completion', count: 1, share: 0.25 },
      { path: 'decision record', count: 1, share: 0.25 },
    ]);
  });

  it('passes calls through uncounted while disabled, and forgets on reset', async () => {
    const client = fakeClient();
    const meter = new StateMeter();
    installMeter(client, meter);
    meter.enabled = false;
    await client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } }));
    expect(meter.totals().reads).toBe(0);
    meter.enabled = true;
    await client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } }));
    expect(meter.totals()).toMatchObject({ reads: 1, readUnits: 0.5 });
    meter.reset();
    expect(meter.totals()).toMatchObject({ reads: 0, writes: 0, rows: [] });
  });
});
