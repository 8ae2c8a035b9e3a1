import { createServer, request, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeRefusedConnections, UnitTestNetworkError } from '../support/network-guard';

/** A listening loopback server: listening is allowed, so only the guard can stop a client reaching it. */
let server: Server;
let port: number;
let accepted = 0;

beforeAll(async () => {
  server = createServer((_req, res) => res.end('ok'));
  server.on('connection', () => {
    accepted += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  expect(accepted).toBe(0);
});

/** Asserts that exactly one connection, to `target`, was refused since the last call. */
function expectOneRefusal(target: string): void {
  const refused = takeRefusedConnections();
  expect(refused).toHaveLength(1);
  expect(refused[0]).toBeInstanceOf(UnitTestNetworkError);
  expect(refused[0]?.target).toBe(target);
}

describe('the unit project refuses outgoing connections', () => {
  it('net.connect throws UnitTestNetworkError at once, before any packet leaves', () => {
    let caught: unknown;
    try {
      net.connect(port, '127.0.0.1');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnitTestNetworkError);
    expect((caught as Error).name).toBe('UnitTestNetworkError');
    expect((caught as Error).message).toContain(`connection to 127.0.0.1:${port} was refused`);
    expect((caught as Error).message).toContain('test/integration/');
    expectOneRefusal(`127.0.0.1:${port}`);
  });

  it('tls.connect and Unix socket paths are refused too', () => {
    expect(() => tls.connect({ host: '127.0.0.1', port })).toThrow(UnitTestNetworkError);
    expectOneRefusal(`127.0.0.1:${port}`);
    expect(() => net.connect('/tmp/klaxon-no-such.sock')).toThrow(UnitTestNetworkError);
    expectOneRefusal('/tmp/klaxon-no-such.sock');
  });

  it('http.request and fetch fail with the named error as the cause', async () => {
    expect(() => request(`http://127.0.0.1:${port}/`).end()).toThrow(UnitTestNetworkError);
    expectOneRefusal(`127.0.0.1:${port}`);

    const failure = await fetch(`http://127.0.0.1:${port}/`).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((failure as Error).cause).toBeInstanceOf(UnitTestNetworkError);
    expectOneRefusal(`127.0.0.1:${port}`);
  });

  it('an AWS SDK call fails with the named error instead of reaching an endpoint', async () => {
    const ssm = new SSMClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    await expect(ssm.send(new GetParameterCommand({ Name: 'klaxon-guard' }))).rejects.toBeInstanceOf(
      UnitTestNetworkError,
    );
    expectOneRefusal(`127.0.0.1:${port}`);
  });

  it('remembers a refusal the code under test swallowed, so the setup file fails that test', () => {
    try {
      net.connect(port, '127.0.0.1');
    } catch (error) {
      // Code under test that hides the error: the guard still knows.
      expect(error).toBeInstanceOf(UnitTestNetworkError);
    }
    expectOneRefusal(`127.0.0.1:${port}`);
    expect(takeRefusedConnections()).toEqual([]);
  });
});
