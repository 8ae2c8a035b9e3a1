import { createDynamoClient, createSqsClient } from '../aws/clients';
import { SqsDeliveryQueue } from '../delivery/queue';
import { DynamoStateStore } from '../state/dynamodb';
import type { DeployedEnv } from './env';

/** The state table and the retry queues of a deployed function; each is absent when not configured. */
export interface DeployedState {
  store?: DynamoStateStore;
  queue?: SqsDeliveryQueue;
}

/** Connects to the state table and the retry and dead-letter queues named in the environment. */
export function deployedState(env: DeployedEnv): DeployedState {
  const store = env.KLAXON_STATE_TABLE
    ? new DynamoStateStore(createDynamoClient(), env.KLAXON_STATE_TABLE)
    : undefined;
  const queue =
    env.KLAXON_RETRY_QUEUE_URL && env.KLAXON_DEAD_LETTER_QUEUE_URL
      ? new SqsDeliveryQueue(
          createSqsClient(env),
          env.KLAXON_RETRY_QUEUE_URL,
          env.KLAXON_DEAD_LETTER_QUEUE_URL,
        )
      : undefined;
  return { store, queue };
}
