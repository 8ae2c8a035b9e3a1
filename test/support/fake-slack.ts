/**
 * A loopback fake of Slack incoming webhooks for integration tests.
 *
 * It answers like the real service (plain-text `ok` or a plain-text error code), enforces the
 * documented Block Kit limits, can revoke a webhook, rate-limit it and be
 * scripted to fail (429 with `Retry-After`, 5xx, hang, delay), and records each request's arrival
 * time so tests can compute the highest rate a client produced.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { clearTimeout as realClearTimeout, setTimeout as realSetTimeout } from 'node:timers';

/** Captured at load time so that tests using fake timers do not freeze the fake's clock. */
const realNow = Date.now.bind(Date);
const monotonicNow = performance.now.bind(performance);

/** Block Kit limits enforced by the fake (Block Kit reference; see limits.md). */
export const SLACK_LIMITS = {
  maxBlocks: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  buttonText: 75,
  buttonUrl: 3000,
  actionsElements: 25,
  contextElements: 10,
  blockId: 255,
  /** Total text in all blocks beyond which Slack answers `msg_blocks_too_long` (slackapi/bolt-js#2509). */
  blocksTextTotal: 13_200,
} as const;

/** Bodies above this size are not buffered (only counted). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Default plain-text error body for a scripted status. */
const DEFAULT_ERROR_BODIES: Record<number, string> = {
  400: 'invalid_payload',
  403: 'action_prohibited',
  404: 'channel_not_found',
  410: 'channel_is_archived',
  429: 'rate_limited',
  500: 'internal_error',
  503: 'service_unavailable',
};

/**
 * A scripted behaviour that overrides how the next request is answered; behaviours are consumed
 * one per request, in order, and requests beyond the script are answered normally.
 *
 * - `{ status: 429, retryAfter: 1 }` throttles with `Retry-After: 1` (seconds; default 1);
 * - `{ status: 500 | 503 }` fails with a server error;
 * - `{ status: 400 | 403 | 404 | 410, body?: 'channel_is_archived' }` fails with a Slack error code;
 * - `{ hang: true }` reads the request and never answers until `close()`;
 * - `{ delayMs: n }` waits `n` ms and then answers normally (or with `status` when both are given).
 */
export interface SlackBehaviour {
  /** HTTP status to answer with instead of the normal outcome. */
  status?: 400 | 403 | 404 | 410 | 429 | 500 | 503;
  /** Plain-text body for a scripted status (defaults to Slack's code for that status). */
  body?: string;
  /** `Retry-After` seconds for a scripted 429 (default 1). */
  retryAfter?: number;
  /** Accept the request and never answer (until the server is closed). */
  hang?: true;
  /** Wait this many milliseconds before answering. */
  delayMs?: number;
}

/** Options for {@link startFakeSlack}. */
export interface FakeSlackOptions {
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /**
   * Answer 429 with `Retry-After: 1` when a webhook already accepted this many messages within the
   * last second (Slack documents about 1 per second with short bursts). Off by default.
   */
  rateLimitPerSecond?: number;
}

/** One request as the fake received it, including rejected and scripted ones. */
export interface RecordedSlackRequest {
  /** The webhook name from `/services/T000/B000/<name>`, or `undefined` for any other path. */
  webhook: string | undefined;
  /** HTTP method, e.g. `POST`. */
  method: string;
  /** Request path including any query string. */
  path: string;
  /** Request headers as Node parsed them (lower-case names). */
  headers: IncomingHttpHeaders;
  /** The raw body as UTF-8 text (truncated beyond 4 MB). */
  rawBody: string;
  /** The parsed message (JSON body or the form field `payload`), or `undefined` when unparsable. */
  body: unknown;
  /** Wall-clock arrival time in epoch milliseconds. */
  receivedAt: number;
  /** Monotonic arrival time in milliseconds (`performance.now()`), for rate computations. */
  arrivedMs: number;
  /** The scripted behaviour applied to this request, if any. */
  behaviour?: SlackBehaviour;
  /** The answer sent, or `undefined` while pending or when the request hung. */
  response?: { status: number; body: string; retryAfter?: number };
}

/** A running fake Slack incoming-webhook service. */
export interface FakeSlack {
  /** The URL of a webhook, `http://127.0.0.1:PORT/services/T000/B000/<name>` (name defaults to `default`). */
  webhookUrl(name?: string): string;
  /** Every request received, in arrival order. */
  requests: RecordedSlackRequest[];
  /** The requests received on one webhook (default `default`), in arrival order. */
  requestsFor(name?: string): RecordedSlackRequest[];
  /** The messages one webhook accepted (answered 200 `ok`), in arrival order. */
  messages(name?: string): unknown[];
  /**
   * The largest number of requests one webhook received within any `windowMs` window (default
   * 1000); counts only accepted messages unless `acceptedOnly` is false.
   */
  maxPerWindow(name?: string, options?: { windowMs?: number; acceptedOnly?: boolean }): number;
  /**
   * Appends behaviours that override how the next requests are answered, in order; with `name`,
   * they apply only to that webhook and take precedence over the shared script.
   */
  script(behaviours: SlackBehaviour[], name?: string): void;
  /** Revokes a webhook: it answers 404 `no_service` from now on. */
  revoke(name?: string): void;
  /** Undoes {@link FakeSlack.revoke}. */
  restore(name?: string): void;
  /** Clears recorded requests, scripts, revocations and rate-limit history. */
  reset(): void;
  /** Stops the server, dropping hung and pending requests. */
  close(): Promise<void>;
}

type Answer = { status: number; body: string; retryAfter?: number };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

/** Parses a webhook body: JSON, or a form body whose `payload` field holds JSON (both are accepted by Slack). */
function parseMessage(rawBody: string, contentType: string | undefined): unknown {
  let text = rawBody;
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(rawBody).get('payload');
    if (payload === null) return undefined;
    text = payload;
  }
  const parsed = parseJson(text);
  return parsed.ok ? parsed.value : undefined;
}

/** Returns the text of a Block Kit text object, or `undefined` when it is not a valid one. */
function textObject(value: unknown, plainOnly = false): string | undefined {
  if (!isRecord(value) || typeof value.text !== 'string') return undefined;
  if (value.type === 'plain_text' || (!plainOnly && value.type === 'mrkdwn')) return value.text;
  return undefined;
}

/** Checks a button (or other interactive element); returns a reason when it breaks a limit. */
function elementProblem(element: unknown): string | undefined {
  if (!isRecord(element) || typeof element.type !== 'string') return 'element is not an object with a type';
  if (element.type !== 'button') return undefined;
  const text = textObject(element.text, true);
  if (text === undefined) return 'button text must be a plain_text object';
  if (text.length > SLACK_LIMITS.buttonText) return `button text longer than ${SLACK_LIMITS.buttonText}`;
  if (element.url !== undefined) {
    if (typeof element.url !== 'string') return 'button url must be a string';
    if (element.url.length > SLACK_LIMITS.buttonUrl)
      return `button url longer than ${SLACK_LIMITS.buttonUrl}`;
  }
  return undefined;
}

/**
 * Checks one block against the Block Kit limits; returns a reason when it is invalid. Only header,
 * section, context, actions and divider blocks are known; any other type is invalid here.
 */
function blockProblem(block: unknown): string | undefined {
  if (!isRecord(block)) return 'block is not an object';
  if (block.block_id !== undefined) {
    if (typeof block.block_id !== 'string') return 'block_id must be a string';
    if (block.block_id.length > SLACK_LIMITS.blockId) return `block_id longer than ${SLACK_LIMITS.blockId}`;
  }
  switch (block.type) {
    case 'divider':
      return undefined;
    case 'header': {
      const text = textObject(block.text, true);
      if (text === undefined) return 'header text must be a plain_text object';
      return text.length > SLACK_LIMITS.headerText
        ? `header text longer than ${SLACK_LIMITS.headerText}`
        : undefined;
    }
    case 'section': {
      if (block.text === undefined && block.fields === undefined) return 'section needs text or fields';
      if (block.text !== undefined) {
        const text = textObject(block.text);
        if (text === undefined) return 'section text must be a text object';
        if (text.length > SLACK_LIMITS.sectionText)
          return `section text longer than ${SLACK_LIMITS.sectionText}`;
      }
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) return 'section fields must be an array';
        if (block.fields.length > SLACK_LIMITS.sectionFields)
          return `more than ${SLACK_LIMITS.sectionFields} fields`;
        for (const field of block.fields) {
          const text = textObject(field);
          if (text === undefined) return 'section field must be a text object';
          if (text.length > SLACK_LIMITS.fieldText)
            return `section field longer than ${SLACK_LIMITS.fieldText}`;
        }
      }
      return block.accessory === undefined ? undefined : elementProblem(block.accessory);
    }
    case 'context': {
      if (!Array.isArray(block.elements) || block.elements.length === 0) return 'context needs elements';
      if (block.elements.length > SLACK_LIMITS.contextElements) {
        return `more than ${SLACK_LIMITS.contextElements} context elements`;
      }
      return block.elements.every((e) => isRecord(e) && typeof e.type === 'string')
        ? undefined
        : 'context element is not an object with a type';
    }
    case 'actions': {
      if (!Array.isArray(block.elements) || block.elements.length === 0) return 'actions needs elements';
      if (block.elements.length > SLACK_LIMITS.actionsElements) {
        return `more than ${SLACK_LIMITS.actionsElements} actions elements`;
      }
      for (const element of block.elements) {
        const problem = elementProblem(element);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    default:
      return `unknown block type ${JSON.stringify(block.type)}`;
  }
}

/** Sums the length of every `text` string anywhere inside the blocks. */
function blocksTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + blocksTextLength(item), 0);
  if (!isRecord(value)) return 0;
  let total = 0;
  for (const [key, item] of Object.entries(value)) {
    if (key === 'text' && typeof item === 'string') total += item.length;
    else total += blocksTextLength(item);
  }
  return total;
}

/** Validates a webhook message; returns the Slack error code, or `undefined` when it would be posted. */
export function slackMessageError(message: unknown): string | undefined {
  if (!isRecord(message)) return 'invalid_payload';
  const { text, blocks, attachments } = message;
  if (text !== undefined && typeof text !== 'string') return 'invalid_payload';
  if (blocks !== undefined) {
    if (!Array.isArray(blocks) || blocks.length > SLACK_LIMITS.maxBlocks) return 'invalid_blocks';
    const ids = new Set<string>();
    for (const block of blocks) {
      if (blockProblem(block) !== undefined) return 'invalid_blocks';
      const id = (block as Record<string, unknown>).block_id;
      if (typeof id === 'string') {
        if (ids.has(id)) return 'invalid_blocks';
        ids.add(id);
      }
    }
    if (blocksTextLength(blocks) > SLACK_LIMITS.blocksTextTotal) return 'msg_blocks_too_long';
  }
  const hasText = typeof text === 'string' && text.length > 0;
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  const hasAttachments = Array.isArray(attachments) && attachments.length > 0;
  if (!hasText && !hasBlocks && !hasAttachments) return 'no_text';
  return undefined;
}

/** The largest number of sorted times that fall within any window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/**
 * Starts a fake Slack incoming-webhook service on 127.0.0.1 and resolves once it listens.
 *
 * @example
 * const slack = await startFakeSlack({ rateLimitPerSecond: 1 });
 * await fetch(slack.webhookUrl('alerts'), { method: 'POST', body: JSON.stringify({ text: 'hi' }) });
 */
export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const requests: RecordedSlackRequest[] = [];
  const sharedScript: SlackBehaviour[] = [];
  const webhookScripts = new Map<string, SlackBehaviour[]>();
  const revoked = new Set<string>();
  const acceptedTimes = new Map<string, number[]>();
  const timers = new Set<ReturnType<typeof realSetTimeout>>();

  const nextBehaviour = (webhook: string): SlackBehaviour | undefined =>
    webhookScripts.get(webhook)?.shift() ?? sharedScript.shift();

  const rateLimited = (webhook: string, now: number): boolean => {
    const limit = opts.rateLimitPerSecond;
    if (limit === undefined) return false;
    const recent = (acceptedTimes.get(webhook) ?? []).filter((t) => now - t < 1000);
    acceptedTimes.set(webhook, recent);
    return recent.length >= limit;
  };

  const scriptedAnswer = (behaviour: SlackBehaviour & { status: number }): Answer => {
    const body = behaviour.body ?? DEFAULT_ERROR_BODIES[behaviour.status] ?? 'error';
    return behaviour.status === 429
      ? { status: 429, body, retryAfter: behaviour.retryAfter ?? 1 }
      : { status: behaviour.status, body };
  };

  const normalAnswer = (record: RecordedSlackRequest & { webhook: string }): Answer => {
    if (record.method !== 'POST') return { status: 405, body: 'invalid_method' };
    if (rateLimited(record.webhook, record.arrivedMs))
      return { status: 429, body: 'rate_limited', retryAfter: 1 };
    if (record.body === undefined) return { status: 400, body: 'invalid_payload' };
    const error = slackMessageError(record.body);
    if (error !== undefined) return { status: 400, body: error };
    const accepted = acceptedTimes.get(record.webhook) ?? [];
    accepted.push(record.arrivedMs);
    acceptedTimes.set(record.webhook, accepted);
    return { status: 200, body: 'ok' };
  };

  const send = (res: ServerResponse, record: RecordedSlackRequest, answer: Answer) => {
    if (res.destroyed || res.writableEnded) return;
    record.response = answer;
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
    if (answer.retryAfter !== undefined) headers['retry-after'] = String(answer.retryAfter);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const path = req.url ?? '/';
    const match = /^\/services\/[^/]+\/[^/]+\/([^/?]+)$/.exec(path.split('?')[0] ?? '');
    const webhook = match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
    const rawBody = raw.toString('utf8');
    const record: RecordedSlackRequest = {
      webhook,
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      rawBody,
      body: parseMessage(rawBody, req.headers['content-type']),
      receivedAt: realNow(),
      arrivedMs: monotonicNow(),
    };
    requests.push(record);
    if (webhook === undefined || revoked.has(webhook)) {
      send(res, record, { status: 404, body: 'no_service' });
      return;
    }
    const behaviour = nextBehaviour(webhook);
    if (behaviour) record.behaviour = behaviour;
    if (behaviour?.hang) return;
    const answer = () => {
      const status = behaviour?.status;
      send(
        res,
        record,
        status !== undefined
          ? scriptedAnswer({ ...behaviour, status })
          : normalAnswer({ ...record, webhook }),
      );
    };
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
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BUFFERED_BYTES) chunks.push(chunk);
    });
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const requestsFor = (name = 'default') => requests.filter((r) => r.webhook === name);

  return {
    webhookUrl: (name = 'default') =>
      `http://127.0.0.1:${port}/services/T000/B000/${encodeURIComponent(name)}`,
    requests,
    requestsFor,
    messages: (name = 'default') =>
      requestsFor(name)
        .filter((r) => r.response?.status === 200)
        .map((r) => r.body),
    maxPerWindow: (name = 'default', options = {}) => {
      const { windowMs = 1000, acceptedOnly = true } = options;
      const times = requestsFor(name)
        .filter((r) => !acceptedOnly || r.response?.status === 200)
        .map((r) => r.arrivedMs)
        .sort((a, b) => a - b);
      return maxInWindow(times, windowMs);
    },
    script: (behaviours, name) => {
      if (name === undefined) {
        sharedScript.push(...behaviours);
        return;
      }
      const queue = webhookScripts.get(name) ?? [];
      queue.push(...behaviours);
      webhookScripts.set(name, queue);
    },
    revoke: (name = 'default') => {
      revoked.add(name);
    },
    restore: (name = 'default') => {
      revoked.delete(name);
    },
    reset: () => {
      requests.length = 0;
      sharedScript.length = 0;
      webhookScripts.clear();
      revoked.clear();
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
