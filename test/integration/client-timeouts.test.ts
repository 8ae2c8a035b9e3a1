import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient, createSqsClient } from '../../shared/aws/clients';
import { SqsDeliveryQueue } from '../../shared/delivery/queue';
import { StateStoreError } from '../../shared/errors';
import { DynamoStateStore } from '../../shared/state/dynamodb';
import { useMotoEnv } from '../support/aws-env';

// An endpoint that accepts connections, reads the request and never answers: what a hung state
// table or queue looks like to the SDK. Without client timeouts the call waits forever.
let server: Server;
let endpoint: string;
let restore: () => void;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  endpoint = `http://127.0.0.1:${address.port}`;
  restore = useMotoEnv(endpoint);
});

afterAll(async () => {
  restore();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('AWS clients against an endpoint that never answers', () => {
  it('the state table fails with StateStoreError within its request timeout, so the pipeline can fail open', async () => {
    const store = new DynamoStateStore(createDynamoClient(), 'klaxon-test-state');
    const started = Date.now();
    const error = await store.claimOnce('poison#abc', Date.now()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as Error).message).toMatch(/TimeoutError|RequestTimeout/);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 15_000);

  it('the retry queue gives up instead of holding the invocation', async () => {
    const queue = new SqsDeliveryQueue(
      createSqsClient(),
      `${endpoint}/123456789012/klaxon-test-retry`,
      `${endpoint}/123456789012/klaxon-test-dlq`,
    );
    const outcome = await Promise.race([
      queue
        .retry({ kind: 'deliver', receiver: 'chat' } as never, 0)
        .then(() => 'sent')
        .catch(() => 'failed'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 12_000)),
    ]);
    expect(outcome).toBe('failed');
  }, 15_000);
});
