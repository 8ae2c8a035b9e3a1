/**
 * A loopback fake of the JSM Operations alert API (`/jsm/ops/integration/v2/alerts`) and of
 * Opsgenie's (`/v2/alerts`), which share one request shape.
 *
 * Like the real API it authenticates `Authorization: GenieKey <key>` (401), validates a create
 * request's documented limits (422 with `errors`), answers 202 with a `requestId`, deduplicates
 * creates by alias (an open alert with the same alias counts one more occurrence) and closes or
 * acknowledges by alias (`?identifierType=alias`). Tests can script 429 (with `Retry-After`
 * when given) and 5xx.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The documented limits of a create request, in characters. */
export const JSM_CREATE_LIMITS = {
  message: 130,
  alias: 512,
  description: 15_000,
  tags: 20,
  tag: 50,
} as const;

const PRIORITIES = new Set(['P1', 'P2', 'P3', 'P4', 'P5']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The field errors the API answers a create request with (422), or `undefined` when it is accepted. */
export function jsmCreateErrors(body: unknown): Record<string, string> | undefined {
  if (!isRecord(body)) return { body: 'Request body must be a JSON object.' };
  const errors: Record<string, string> = {};
  const { message, alias, description, priority, tags, details } = body;
  if (typeof message !== 'string' || message.trim() === '') errors.message = 'Message can not be empty.';
  else if (message.length > JSM_CREATE_LIMITS.message)
    errors.message = 'Message can not be longer than 130 characters.';
  if (alias !== undefined && (typeof alias !== 'string' || alias.length > JSM_CREATE_LIMITS.alias)) {
    errors.alias = 'Alias can not be longer than 512 characters.';
  }
  if (
    description !== undefined &&
    (typeof description !== 'string' || description.length > JSM_CREATE_LIMITS.description)
  ) {
    errors.description = 'Description can not be longer than 15000 characters.';
  }
  if (priority !== undefined && !PRIORITIES.has(String(priority)))
    errors.priority = 'Priority should be one of [P1, P2, P3, P4, P5].';
  if (tags !== undefined) {
    const ok =
      Array.isArray(tags) &&
      tags.length <= JSM_CREATE_LIMITS.tags &&
      tags.every((t) => typeof t === 'string' && t.length <= JSM_CREATE_LIMITS.tag);
    if (!ok) errors.tags = 'Tags can be at most 20, each at most 50 characters.';
  }
  if (
    details !== undefined &&
    (!isRecord(details) || !Object.values(details).every((v) => typeof v === 'string'))
  ) {
    errors.details = 'Details must be a map of strings.';
  }
  return Object.keys(errors).length > 0 ? errors : undefined;
}

/** One alert as the fake holds it. */
export interface FakeJsmAlert {
  alias: string;
  status: 'open' | 'closed';
  acknowledged: boolean;
  count: number;
  create: Record<string, unknown>;
}

/** One request the fake received. */
export interface RecordedJsmRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  status: number;
  /** What it did: `create`, `close` or `acknowledge` (and for which alias), when accepted. */
  action?: { kind: 'create' | 'close' | 'acknowledge'; alias: string };
}

/** A scripted answer for the next request. */
export interface JsmBehaviour {
  status: 429 | 500 | 503;
  /** `Retry-After` seconds on a 429 (the API does not always send one). */
  retryAfter?: number;
}

/** A running fake alert API. */
export interface FakeJsm {
  /** The JSM Operations base URL (`…/jsm/ops/integration`) of the fake. */
  readonly jsmUrl: string;
  /** The Opsgenie-style base URL (alerts directly under `/v2/alerts`). */
  readonly opsgenieUrl: string;
  readonly apiKey: string;
  requests: RecordedJsmRequest[];
  alerts: Map<string, FakeJsmAlert>;
  script(behaviours: JsmBehaviour[]): void;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 with one integration key. */
export async function startFakeJsm(apiKey = 'fake-genie-key-0123456789'): Promise<FakeJsm> {
  const requests: RecordedJsmRequest[] = [];
  const alerts = new Map<string, FakeJsmAlert>();
  const script: JsmBehaviour[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch (error) {
        body = undefined;
        if (!(error instanceof SyntaxError)) throw error;
      }
      const record: RecordedJsmRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.search,
        headers: req.headers,
        body,
        status: 0,
      };
      requests.push(record);
      const requestId = randomUUID();
      const answer = (
        status: number,
        payload: Record<string, unknown>,
        headers: Record<string, string> = {},
      ) => {
        record.status = status;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify({ ...payload, took: 0.01, requestId }));
      };
      const path = url.pathname.replace(/^\/jsm\/ops\/integration/, '');
      if (req.headers.authorization !== `GenieKey ${apiKey}`) {
        return answer(401, { message: 'Could not authenticate' });
      }
      const behaviour = script.shift();
      if (behaviour?.status === 429) {
        return answer(
          429,
          { message: 'You are making too many requests! To avoid errors, we recommend you limit requests.' },
          behaviour.retryAfter === undefined ? {} : { 'retry-after': String(behaviour.retryAfter) },
        );
      }
      if (behaviour) return answer(behaviour.status, { message: 'Internal Server Error' });
      if (req.method !== 'POST') return answer(405, { message: 'Method not allowed' });
      if (body === undefined) return answer(400, { message: 'Could not parse the request body.' });
      if (path === '/v2/alerts') {
        const errors = jsmCreateErrors(body);
        if (errors)
          return answer(422, {
            message: 'Request body is not processable. Please check the errors.',
            errors,
          });
        const create = body as Record<string, unknown>;
        const alias = typeof create.alias === 'string' ? create.alias : randomUUID();
        const open = alerts.get(alias);
        if (open?.status === 'open') open.count += 1;
        else alerts.set(alias, { alias, status: 'open', acknowledged: false, count: 1, create });
        record.action = { kind: 'create', alias };
        return answer(202, { result: 'Request will be processed' });
      }
      const match = /^\/v2\/alerts\/([^/]+)\/(close|acknowledge)$/.exec(path);
      if (match && url.searchParams.get('identifierType') === 'alias') {
        const alias = decodeURIComponent(match[1] ?? '');
        const kind = match[2] as 'close' | 'acknowledge';
        const alert = alerts.get(alias);
        // The API is asynchronous: an unknown alias is accepted and fails later in the request's status.
        if (alert && kind === 'close') alert.status = 'closed';
        if (alert && kind === 'acknowledge') alert.acknowledged = true;
        record.action = { kind, alias };
        return answer(202, { result: 'Request will be processed' });
      }
      return answer(404, { message: 'Resource not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    jsmUrl: `${base}/jsm/ops/integration`,
    opsgenieUrl: base,
    apiKey,
    requests,
    alerts,
    script: (behaviours) => {
      script.push(...behaviours);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
