import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoStateStore } from '../../shared/state/dynamodb';
import { useMotoEnv } from '../support/aws-env';
import { createStateTable } from '../support/aws-resources';
import { KILL_SCENARIOS, killAtEveryStep } from '../support/crash-harness';

let restore: () => void;
let client: DynamoDBClient;
let tables = 0;

beforeAll(() => {
  restore = useMotoEnv(inject('motoEndpoint'));
  client = new DynamoDBClient({});
});

afterAll(() => {
  client.destroy();
  restore();
});

/** A fresh state table per run, so each killed run starts from nothing. */
async function freshStore(): Promise<DynamoStateStore> {
  tables += 1;
  const name = `interruption-${process.pid}-${tables}`;
  await createStateTable(name);
  return new DynamoStateStore(client, name);
}

describe('interrupting the retry and flush paths at every step (DynamoDB on moto)', () => {
  for (const [name, scenario] of Object.entries(KILL_SCENARIOS)) {
    it(`${name}: nothing lost, nothing sent twice`, { timeout: 120_000 }, async () => {
      const result = await killAtEveryStep(scenario, freshStore);
      expect(result.steps).toBeGreaterThan(5);
      expect(result.failures).toEqual([]);
    });
  }
});
