import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { StateStoreError } from '../errors';
import {
  type ClaimResult,
  type DeliveryState,
  type GroupMember,
  STATE_TTL_SECONDS,
  type StateStore,
} from './store';

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

function ttl(now: number): AttributeValue {
  return N(Math.floor(now / 1000) + STATE_TTL_SECONDS);
}

/** The state table in DynamoDB: one `pk` string key, `expiresAt` as TTL attribute, conditional writes throughout. */
export class DynamoStateStore implements StateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  private async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw error;
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

  async claimDelivery(key: string, now: number, leaseMs: number): Promise<ClaimResult> {
    const pk = `delivery#${key}`;
    const claimed = await this.conditional('claim', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: S(pk), state: S('pending'), claimedAt: N(now), expiresAt: ttl(now) },
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :pending AND claimedAt < :cutoff)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':pending': S('pending'), ':cutoff': N(now - leaseMs) },
        }),
      ),
    );
    if (claimed) return 'claimed';
    const existing = await this.call('read claim', () =>
      this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { pk: S(pk) }, ConsistentRead: true }),
      ),
    );
    return existing.Item?.state?.S === 'pending' ? 'in-flight' : 'done';
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

  async addToGroup(groupKey: string, member: GroupMember, now: number): Promise<{ created: boolean }> {
    const result = await this.call('group add', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`group#${groupKey}`) },
          UpdateExpression:
            'SET members = list_append(if_not_exists(members, :empty), :member), expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(taken)',
          ExpressionAttributeValues: {
            ':empty': { L: [] },
            ':member': { L: [S(JSON.stringify(member))] },
            ':expires': ttl(now),
          },
          ReturnValues: 'UPDATED_OLD',
        }),
      ),
    );
    return { created: !result.Attributes?.members };
  }

  async takeGroup(groupKey: string): Promise<GroupMember[] | undefined> {
    try {
      const result = await this.call('group take', () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { pk: S(`group#${groupKey}`) },
            UpdateExpression: 'SET taken = :true',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(taken)',
            ExpressionAttributeValues: { ':true': { BOOL: true } },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return (result.Attributes?.members?.L ?? []).map((item) => JSON.parse(item.S ?? '{}') as GroupMember);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async acquireSlot(key: string, intervalMs: number, now: number): Promise<number> {
    const pk = `slot#${key}`;
    const granted = await this.conditional('pace', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: S(pk), next: N(now + intervalMs), expiresAt: N(Math.floor(now / 1000) + 3600) },
          ConditionExpression: 'attribute_not_exists(pk) OR #next <= :now',
          ExpressionAttributeNames: { '#next': 'next' },
          ExpressionAttributeValues: { ':now': N(now) },
        }),
      ),
    );
    if (granted) return 0;
    const existing = await this.call('read pace', () =>
      this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { pk: S(pk) }, ConsistentRead: true }),
      ),
    );
    const next = Number(existing.Item?.next?.N ?? now);
    return Math.max(1, next - now);
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
}
