/**
 * A loopback fake of the PagerDuty Events API v2 (`POST /v2/enqueue`) for integration tests.
 *
 * It validates events the way the published contract and developer documentation describe,
 * answers 202/400 like the real service, can be scripted to fail (429, 5xx, hang, delay) and
 * keeps an in-memory incident table so tests can assert that a resolve closed a trigger.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clearTimeout as realClearTimeout, setTimeout as realSetTimeout } from 'node:timers';

/** Captured at load time so that tests using fake timers do not freeze the fake's clock. */
const realNow = Date.now.bind(Date);

/** Largest accepted request body (512 KB, PagerDuty developer documentation). */
export const PAGERDUTY_MAX_BODY_BYTES = 512 * 1024;
/** Largest accepted `payload.summary`, in characters. */
export const PAGERDUTY_MAX_SUMMARY_CHARS = 1024;
/** Largest accepted `dedup_key`, in characters. */
export const PAGERDUTY_MAX_DEDUP_KEY_CHARS = 255;

/** Bodies above this size are not buffered (only counted), so a runaway client cannot exhaust memory. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

const EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

/** An event action accepted by the Events API v2. */
export type PagerDutyEventAction = (typeof EVENT_ACTIONS)[number];

/**
 * A scripted behaviour that overrides how the next request is answered; behaviours are consumed
 * one per request, in order, and requests beyond the script are answered normally.
 *
 * - `{ status: 429 }` throttles (no `Retry-After`, as PagerDuty documents none);
 * - `{ status: 500 | 502 | 503 }` fails with a server error;
 * - `{ status: 400 }` rejects as an invalid event whatever the body;
 * - `{ hang: true }` reads the request and never answers until `close()`;
 * - `{ delayMs: n }` waits `n` ms and then answers normally (or with `status` when both are given).
 *
 * A scripted failure is not applied to the incident table: the event was not taken.
 */
export interface PagerDutyBehaviour {
  /** HTTP status to answer with instead of the normal outcome. */
  status?: 400 | 429 | 500 | 502 | 503;
  /** Accept the request and never answer (until the server is closed). */
  hang?: true;
  /** Wait this many milliseconds before answering. */
  delayMs?: number;
}

/** Options for {@link startFakePagerDuty}. */
export interface FakePagerDutyOptions {
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /**
   * Answer 429 once more than this many events for one routing key arrived within 60 seconds
   * (PagerDuty documents about 120 per minute). Off by default.
   */
  rateLimitPerMinute?: number;
}

/** One request as the fake received it, including rejected and scripted ones. */
export interface RecordedRequest {
  /** HTTP method, e.g. `POST`. */
  method: string;
  /** Request path including any query string, e.g. `/v2/enqueue`. */
  path: string;
  /** Request headers as Node parsed them (lower-case names). */
  headers: IncomingHttpHeaders;
  /** The raw body as UTF-8 text (truncated beyond 4 MB). */
  rawBody: string;
  /** Body size in bytes as received. */
  bodyBytes: number;
  /** The parsed JSON body, or `undefined` when the body was not valid JSON. */
  body: unknown;
  /** Wall-clock arrival time in epoch milliseconds. */
  receivedAt: number;
  /** The scripted behaviour applied to this request, if any. */
  behaviour?: PagerDutyBehaviour;
  /** The answer sent, or `undefined` while pending or when the request hung. */
  response?: { status: number; body: unknown };
}

/** State of one alert as the fake tracks it, keyed by routing key and dedup key. */
export interface FakeIncident {
  /** Routing (integration) key the events were sent with. */
  routingKey: string;
  /** Dedup key that correlates trigger, acknowledge and resolve. */
  dedupKey: string;
  /** `open` after a trigger, `resolved` after a resolve. */
  status: 'open' | 'resolved';
  /** Whether an acknowledge arrived while the incident was open. */
  acknowledged: boolean;
  /** Summary of the latest trigger. */
  summary: string;
  /** Severity of the latest trigger. */
  severity: string;
  /** Number of triggers received for this key (deduplicated into one incident while open). */
  triggerCount: number;
  /** Every action applied to the incident, in order. */
  history: PagerDutyEventAction[];
}

/** A running fake PagerDuty Events API v2. */
export interface FakePagerDuty {
  /** The enqueue URL, e.g. `http://127.0.0.1:PORT/v2/enqueue`. */
  url: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** Incidents keyed by {@link incidentKey}(routing_key, dedup_key). */
  incidents: Map<string, FakeIncident>;
  /** Looks up the incident for one routing key and dedup key. */
  incident(routingKey: string, dedupKey: string): FakeIncident | undefined;
  /** Appends behaviours that override how the next requests are answered, in order. */
  script(behaviours: PagerDutyBehaviour[]): void;
  /** Clears recorded requests, incidents and any remaining script. */
  reset(): void;
  /** Stops the server, dropping hung and pending requests. */
  close(): Promise<void>;
}

/** Builds the key of the incident table from a routing key and a dedup key. */
export function incidentKey(routingKey: string, dedupKey: string): string {
  return `${routingKey}\u0000${dedupKey}`;
}

/** Result of validating one event body. */
type Validation =
  | { ok: true; routingKey: string; action: PagerDutyEventAction; dedupKey: string | undefined }
  | { ok: false; errors: string[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

/** Validates an Events API v2 event as documented (required fields, enums and lengths). */
function validateEvent(body: unknown): Validation {
  if (!isRecord(body)) return { ok: false, errors: ['Event object must be a JSON object'] };
  const errors: string[] = [];
  const routingKey = body.routing_key;
  if (!isNonEmptyString(routingKey)) errors.push("'routing_key' is missing or blank");
  const action = body.event_action;
  if (!EVENT_ACTIONS.includes(action as PagerDutyEventAction)) {
    errors.push("'event_action' is missing or invalid (expected trigger, acknowledge or resolve)");
  }
  const dedupKey = body.dedup_key;
  if (dedupKey !== undefined) {
    if (typeof dedupKey !== 'string') errors.push("'dedup_key' must be a string");
    else if (dedupKey.length > PAGERDUTY_MAX_DEDUP_KEY_CHARS) {
      errors.push(`'dedup_key' is longer than ${PAGERDUTY_MAX_DEDUP_KEY_CHARS} characters`);
    }
  }
  if (action === 'trigger') {
    const payload = body.payload;
    if (!isRecord(payload)) {
      errors.push("'payload' is missing or not an object");
    } else {
      if (!isNonEmptyString(payload.summary)) errors.push("'payload.summary' is missing or blank");
      else if (payload.summary.length > PAGERDUTY_MAX_SUMMARY_CHARS) {
        errors.push(`'payload.summary' is longer than ${PAGERDUTY_MAX_SUMMARY_CHARS} characters`);
      }
      if (!isNonEmptyString(payload.source)) errors.push("'payload.source' is missing or blank");
      if (payload.severity === undefined) errors.push("'payload.severity' is missing");
      else if (!SEVERITIES.includes(payload.severity as (typeof SEVERITIES)[number])) {
        errors.push("'payload.severity' is invalid (expected critical, error, warning or info)");
      }
    }
  } else if ((action === 'acknowledge' || action === 'resolve') && !isNonEmptyString(dedupKey)) {
    errors.push(`'dedup_key' is required for ${action} events`);
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    routingKey: routingKey as string,
    action: action as PagerDutyEventAction,
    dedupKey: typeof dedupKey === 'string' ? dedupKey : undefined,
  };
}

/** Parses JSON text, reporting a syntax error as `{ ok: false }` instead of throwing. */
function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    if (error instanceof SyntaxError) return { ok: false };
    throw error;
  }
}

function invalidEvent(errors: string[]): { status: number; body: unknown } {
  return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };
}

/** The canned answer for a scripted status. */
function scriptedAnswer(status: number): { status: number; body: unknown } {
  if (status === 400) return invalidEvent(['Scripted rejection']);
  if (status === 429) {
    return {
      status,
      body: { status: 'throttle event', message: 'Requests for this service are arriving too quickly.' },
    };
  }
  return { status, body: { status: 'error', message: 'Internal Server Error' } };
}

/**
 * Starts a fake PagerDuty Events API v2 on 127.0.0.1 and resolves once it listens.
 *
 * @example
 * const pd = await startFakePagerDuty();
 * pd.script([{ status: 429 }]); // the next event is throttled, the following one accepted
 */
export async function startFakePagerDuty(opts: FakePagerDutyOptions = {}): Promise<FakePagerDuty> {
  const requests: RecordedRequest[] = [];
  const incidents = new Map<string, FakeIncident>();
  const pendingScript: PagerDutyBehaviour[] = [];
  const timers = new Set<ReturnType<typeof realSetTimeout>>();
  const acceptedTimes = new Map<string, number[]>();

  /** Applies an accepted event to the incident table and returns the dedup key to echo. */
  const applyEvent = (event: Record<string, unknown>, action: PagerDutyEventAction, routingKey: string) => {
    const dedupKey =
      typeof event.dedup_key === 'string' && event.dedup_key !== '' ? event.dedup_key : randomUUID();
    const key = incidentKey(routingKey, dedupKey);
    const existing = incidents.get(key);
    if (action === 'trigger') {
      const payload = event.payload as Record<string, unknown>;
      if (existing && existing.status === 'open') {
        existing.triggerCount += 1;
        existing.summary = String(payload.summary);
        existing.severity = String(payload.severity);
        existing.history.push(action);
      } else {
        incidents.set(key, {
          routingKey,
          dedupKey,
          status: 'open',
          acknowledged: false,
          summary: String(payload.summary),
          severity: String(payload.severity),
          triggerCount: (existing?.triggerCount ?? 0) + 1,
          history: [...(existing?.history ?? []), action],
        });
      }
    } else if (existing && existing.status === 'open') {
      // Acknowledge and resolve act only on an open alert with the same routing key and dedup key.
      existing.history.push(action);
      if (action === 'acknowledge') existing.acknowledged = true;
      else existing.status = 'resolved';
    }
    return dedupKey;
  };

  /** Whether one more accepted event for this routing key would exceed the optional rate limit. */
  const overRateLimit = (routingKey: string, now: number): boolean => {
    const limit = opts.rateLimitPerMinute;
    if (limit === undefined) return false;
    const recent = (acceptedTimes.get(routingKey) ?? []).filter((t) => now - t < 60_000);
    acceptedTimes.set(routingKey, recent);
    return recent.length >= limit;
  };

  /** Computes the normal (unscripted) answer to a recorded request. */
  const normalAnswer = (record: RecordedRequest): { status: number; body: unknown } => {
    if (record.path.split('?')[0] !== '/v2/enqueue') {
      return { status: 404, body: { status: 'not found', message: 'Not Found' } };
    }
    if (record.method !== 'POST') {
      return { status: 405, body: { status: 'method not allowed', message: 'Use POST' } };
    }
    if (record.bodyBytes > PAGERDUTY_MAX_BODY_BYTES) {
      return invalidEvent([`Event object is larger than ${PAGERDUTY_MAX_BODY_BYTES} bytes`]);
    }
    if (record.body === undefined) return invalidEvent(['JSON parse error']);
    const validation = validateEvent(record.body);
    if (!validation.ok) return invalidEvent(validation.errors);
    if (overRateLimit(validation.routingKey, record.receivedAt)) return scriptedAnswer(429);
    const accepted = acceptedTimes.get(validation.routingKey) ?? [];
    accepted.push(record.receivedAt);
    acceptedTimes.set(validation.routingKey, accepted);
    const dedupKey = applyEvent(
      record.body as Record<string, unknown>,
      validation.action,
      validation.routingKey,
    );
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
  };

  const send = (res: ServerResponse, record: RecordedRequest, answer: { status: number; body: unknown }) => {
    if (res.destroyed || res.writableEnded) return;
    record.response = answer;
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: Buffer, bodyBytes: number) => {
    const rawBody = raw.toString('utf8');
    const parsed = parseJson(rawBody);
    const body = parsed.ok ? parsed.value : undefined;
    const behaviour = pendingScript.shift();
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      rawBody,
      bodyBytes,
      body,
      receivedAt: realNow(),
      ...(behaviour ? { behaviour } : {}),
    };
    requests.push(record);
    if (behaviour?.hang) return;
    const answer = () =>
      send(
        res,
        record,
        behaviour?.status !== undefined ? scriptedAnswer(behaviour.status) : normalAnswer(record),
      );
    if (behaviour?.delayMs !== undefined && behaviour.delayMs > 0) {
      const timer = realSetTimeout(() => {
        timers.delete(timer);
        answer();
      }, behaviour.delayMs);
      timers.add(timer);
    } else {
      answer();
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (bodyBytes <= MAX_BUFFERED_BYTES) chunks.push(chunk);
    });
    req.on('end', () => handle(req, res, Buffer.concat(chunks), bodyBytes));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v2/enqueue`,
    requests,
    incidents,
    incident: (routingKey, dedupKey) => incidents.get(incidentKey(routingKey, dedupKey)),
    script: (behaviours) => {
      pendingScript.push(...behaviours);
    },
    reset: () => {
      requests.length = 0;
      incidents.clear();
      pendingScript.length = 0;
      acceptedTimes.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) realClearTimeout(timer);
        timers.clear();
        if (!server.listening) {
          resolve();
          return;
        }
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
