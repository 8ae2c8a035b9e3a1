import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { saveDecisionRecord } from '../../../shared/noise/decision-records';
import { noiseEffects } from '../../../shared/noise/effects';
import type { DecisionRecord } from '../../../shared/noise/record';
import { silentObserver } from '../../../shared/observability/observer';
import { DynamoStateStore } from '../../../shared/state/dynamodb';
import { MemoryStateStore } from '../../../shared/state/memory';

/**
 * A client whose every conditional put fails on `existing`, answering with the item (as DynamoDB
 * does with ReturnValuesOnConditionCheckFailure) unless `withItem` is false; it records the commands.
 */
function refusingClient(existing: Record<string, AttributeValue>, withItem = true) {
  const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
  const client = {
    async send(command: { input: object; constructor: { name: string } }) {
      const input = command.input as Record<string, unknown>;
      sent.push({ name: command.constructor.name, input });
      if (command instanceof GetItemCommand) return { Item: existing };
      if (command instanceof PutItemCommand && input.ConditionExpression) {
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
          ...(withItem ? { Item: existing } : {}),
        });
      }
      if (command instanceof UpdateItemCommand)
        return {
          Attributes: { pk: { S: 'set#s' }, 'm:a': { S: '1' }, 'm:b': { S: '2' }, expiresAt: { N: '1' } },
        };
      return {};
    },
  };
  return { client: client as unknown as DynamoDBClient, sent };
}

const reads = (sent: Array<{ name: string }>) => sent.filter((c) => c.name === 'GetItemCommand').length;

describe('the state table reads nothing a refused write already answered', () => {
  it('a taken pacing slot: the wait comes from the refusal, with no read', async () => {
    const { client, sent } = refusingClient({ pk: { S: 'slot#pace#a' }, next: { N: '1500' } });
    await expect(new DynamoStateStore(client, 't').acquireSlot('pace#a', 1050, 1000, 0)).resolves.toEqual({
      reserved: false,
      waitMs: 500,
    });
    expect(sent[0]?.input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(reads(sent)).toBe(0);
  });

  it('a claim held or done elsewhere: told apart from the refusal, with no read', async () => {
    const held = refusingClient({
      pk: { S: 'delivery#k' },
      state: { S: 'pending' },
      claimedAt: { N: '999' },
    });
    await expect(new DynamoStateStore(held.client, 't').claimDelivery('k', 1000, 45_000)).resolves.toBe(
      'in-flight',
    );
    const done = refusingClient({ pk: { S: 'delivery#k' }, state: { S: 'sent' }, claimedAt: { N: '999' } });
    await expect(new DynamoStateStore(done.client, 't').claimDelivery('k', 1000, 45_000)).resolves.toBe(
      'done',
    );
    expect(reads(held.sent) + reads(done.sent)).toBe(0);
  });

  it('a transition that already joined a group: its position from the refusal, with no read', async () => {
    const { client, sent } = refusingClient({
      pk: { S: 'groupjoin#g#t' },
      at: { N: '1' },
      position: { N: '3' },
    });
    const added = await new DynamoStateStore(client, 't').addToGroup(
      'g',
      { transitionId: 't', alert: {} },
      1000,
      { listLimit: 100, leaseMs: 45_000 },
    );
    expect(added).toEqual({ outcome: 'duplicate', position: 3 });
    expect(reads(sent)).toBe(0);
  });

  it('still reads the item when a refusal comes without it (an emulator without the option)', async () => {
    const { client, sent } = refusingClient({ pk: { S: 'delivery#k' }, state: { S: 'pending' } }, false);
    await expect(new DynamoStateStore(client, 't').claimDelivery('k', 1000, 45_000)).resolves.toBe(
      'in-flight',
    );
    expect(reads(sent)).toBe(1);
  });

  it('a set member put answers with the member names, from the written row', async () => {
    const { client, sent } = refusingClient({});
    await expect(new DynamoStateStore(client, 't').putSetMember('s', 'b', 2, 1000)).resolves.toEqual([
      'a',
      'b',
    ]);
    expect(sent[0]?.input.ReturnValues).toBe('ALL_NEW');
    expect(reads(sent)).toBe(0);
  });
});

describe('decision records', () => {
  it('keep the newest `keep` of a fingerprint without reading the set back', async () => {
    const store = new MemoryStateStore();
    let setReads = 0;
    const setMembers = store.setMembers.bind(store);
    store.setMembers = async <T>(key: string) => {
      setReads += 1;
      return setMembers<T>(key);
    };
    const settings = { enabled: true, ttlDays: 7, keep: 2 };
    const effects = noiseEffects(undefined, silentObserver);
    for (const at of [1000, 2000, 3000]) {
      const record = { fingerprint: 'f', transitionId: `t${at}` } as DecisionRecord;
      await saveDecisionRecord(settings, effects, record, at, store);
    }
    expect(setReads).toBe(0);
    const kept = await setMembers<DecisionRecord>('decisions#f');
    expect(Object.values(kept).map((r) => r.transitionId)).toEqual(['t2000', 't3000']);
  });
});
