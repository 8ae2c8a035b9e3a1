/**
 * A loopback generic webhook receiver for integration tests and the live storm bench: it accepts
 * JSON POSTs on any path, answers 200 (413 past its body limit, 400 for a body that is not JSON),
 * and records each request with its path, parsed body, size and arrival time.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Bodies larger than this are answered 413 (Klaxon's own webhook limit is 256 KB). */
export const WEBHOOK_FAKE_MAX_BODY_BYTES = 1024 * 1024;

/** One request as the fake received it. */
export interface RecordedWebhookRequest {
  /** Request path including any query string, e.g. `/klaxon`. */
  path: string;
  /** The parsed JSON body, or `undefined` when it was not JSON or too large. */
  body: unknown;
  /** Body size in bytes as received. */
  bodyBytes: number;
  /** Wall-clock arrival time in epoch milliseconds. */
  receivedAt: number;
  /** The status answered. */
  status: number;
}

/** A running fake webhook receiver. */
export interface FakeWebhook {
  /** The URL of one path on the fake, e.g. `http://127.0.0.1:PORT/klaxon`. */
  url(path?: string): string;
  /** Every request received, in arrival order. */
  requests: RecordedWebhookRequest[];
  /** The accepted (200) requests on one path, in arrival order. */
  accepted(path?: string): RecordedWebhookRequest[];
  /** Clears recorded requests. */
  reset(): void;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts the fake on a free loopback port. */
export async function startFakeWebhook(opts: { maxBodyBytes?: number } = {}): Promise<FakeWebhook> {
  const maxBodyBytes = opts.maxBodyBytes ?? WEBHOOK_FAKE_MAX_BODY_BYTES;
  const requests: RecordedWebhookRequest[] = [];
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      let body: unknown;
      let status = 200;
      if (req.method !== 'POST') status = 405;
      else if (bytes > maxBodyBytes) status = 413;
      else {
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          status = 400;
        }
      }
      requests.push({ path: req.url ?? '/', body, bodyBytes: bytes, receivedAt: Date.now(), status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'rejected');
    });
  };
  const server = createServer(answer);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/') => `http://127.0.0.1:${port}${path.startsWith('/') ? path : `/${path}`}`,
    requests,
    accepted: (path = '/') => requests.filter((r) => r.path === path && r.status === 200),
    reset: () => void requests.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
