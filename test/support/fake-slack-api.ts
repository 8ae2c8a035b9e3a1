/**
 * A loopback fake of the Slack Web API for integration tests: `chat.postMessage`, `chat.update`,
 * `chat.postEphemeral` and `usergroups.users.list`, answering as Slack documents: HTTP 200 with
 * `{"ok": false, "error": "…"}` for `invalid_auth`, `channel_not_found`, `not_in_channel`,
 * `msg_too_long`, `message_not_found`; HTTP 429 with `Retry-After` and `ratelimited` beyond a
 * per-channel rate; scripted failures (5xx, codes) for the next requests.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** Slack's longest `text`, in characters (beyond it: `msg_too_long`). */
export const SLACK_TEXT_MAX = 40_000;

/** One message as the fake keeps it. */
export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  threadTs?: string;
  /** Each `chat.update` applied, oldest first. */
  updates: Array<{ text: string; blocks: unknown[] }>;
}

/** One request as received. */
export interface FakeSlackApiRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  arrivedMs: number;
  status: number;
  answer: Record<string, unknown>;
}

/** A scripted answer for the next request: an HTTP status, or an `ok: false` code. */
export interface FakeSlackApiBehaviour {
  status?: 429 | 500 | 503;
  retryAfter?: number;
  error?: string;
}

/** Options for {@link startFakeSlackApi}. */
export interface FakeSlackApiOptions {
  /** The bot token it accepts (default `xoxb-test-token`). */
  token?: string;
  /** Channels that exist, and whether the app is a member (default `{ C0ALERTS: true }`). */
  channels?: Record<string, boolean>;
  /** User-group ids and their members. */
  userGroups?: Record<string, string[]>;
  /** Answer 429 `ratelimited` beyond this many posts per channel per second (off by default). */
  postsPerSecond?: number;
  /** The port to listen on (default 0: any free port). */
  port?: number;
}

/** A running fake Slack Web API. */
export interface FakeSlackApi {
  /** The base URL to configure as `apiUrl`, e.g. `http://127.0.0.1:PORT/api`. */
  url: string;
  requests: FakeSlackApiRequest[];
  /** The messages in a channel (top-level and replies), in posting order. */
  messages(channel?: string): FakeSlackMessage[];
  /** The replies in the thread of `ts`. */
  thread(ts: string): FakeSlackMessage[];
  /** The ephemeral messages shown to users. */
  ephemerals: Array<{ channel: string; user: string; text: string }>;
  script(behaviours: FakeSlackApiBehaviour[]): void;
  /** Deletes a message (so a `chat.update` of it answers `message_not_found`). */
  deleteMessage(ts: string): void;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1. */
export async function startFakeSlackApi(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
  const token = options.token ?? 'xoxb-test-token';
  const channels = options.channels ?? { C0ALERTS: true };
  const userGroups = options.userGroups ?? {};
  const messages: FakeSlackMessage[] = [];
  const requests: FakeSlackApiRequest[] = [];
  const ephemerals: FakeSlackApi['ephemerals'] = [];
  const script: FakeSlackApiBehaviour[] = [];
  const postTimes = new Map<string, number[]>();
  let clock = 1_773_481_267; // 2026-03-14, seconds: ts values look like Slack's.
  let sequence = 0;

  const nextTs = () => `${clock++}.${String(++sequence).padStart(6, '0')}`;

  function handle(
    method: string,
    auth: string | undefined,
    body: Record<string, unknown>,
    query: URLSearchParams,
  ) {
    const scripted = script.shift();
    if (scripted?.status === 429)
      return {
        status: 429,
        answer: { ok: false, error: 'ratelimited' },
        retryAfter: scripted.retryAfter ?? 1,
      };
    if (scripted?.status) return { status: scripted.status, answer: { ok: false, error: 'internal_error' } };
    if (scripted?.error) return { status: 200, answer: { ok: false, error: scripted.error } };
    if (auth !== `Bearer ${token}`) return { status: 200, answer: { ok: false, error: 'invalid_auth' } };
    if (method === 'usergroups.users.list') {
      const group = query.get('usergroup') ?? String(body.usergroup ?? '');
      const users = userGroups[group];
      return users
        ? { status: 200, answer: { ok: true, users } }
        : { status: 200, answer: { ok: false, error: 'no_such_subteam' } };
    }
    const channel = String(body.channel ?? '');
    if (!(channel in channels)) return { status: 200, answer: { ok: false, error: 'channel_not_found' } };
    if (!channels[channel]) return { status: 200, answer: { ok: false, error: 'not_in_channel' } };
    const text = typeof body.text === 'string' ? body.text : '';
    const blocks = Array.isArray(body.blocks) ? body.blocks : [];
    if (text.length > SLACK_TEXT_MAX) return { status: 200, answer: { ok: false, error: 'msg_too_long' } };
    if (blocks.length > 50) return { status: 200, answer: { ok: false, error: 'invalid_blocks' } };
    if (!text && blocks.length === 0) return { status: 200, answer: { ok: false, error: 'no_text' } };
    if (method === 'chat.postMessage' && options.postsPerSecond !== undefined) {
      const now = performance.now();
      const recent = (postTimes.get(channel) ?? []).filter((t) => now - t < 1000);
      if (recent.length >= options.postsPerSecond)
        return { status: 429, answer: { ok: false, error: 'ratelimited' }, retryAfter: 1 };
      postTimes.set(channel, [...recent, now]);
    }
    if (method === 'chat.postMessage') {
      const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
      if (threadTs && !messages.some((m) => m.ts === threadTs))
        return { status: 200, answer: { ok: false, error: 'thread_not_found' } };
      const message: FakeSlackMessage = { channel, ts: nextTs(), text, blocks, threadTs, updates: [] };
      messages.push(message);
      return { status: 200, answer: { ok: true, channel, ts: message.ts, message: { text } } };
    }
    if (method === 'chat.update') {
      const message = messages.find((m) => m.channel === channel && m.ts === body.ts);
      if (!message) return { status: 200, answer: { ok: false, error: 'message_not_found' } };
      message.text = text;
      message.blocks = blocks;
      message.updates.push({ text, blocks });
      return { status: 200, answer: { ok: true, channel, ts: message.ts } };
    }
    if (method === 'chat.postEphemeral') {
      ephemerals.push({ channel, user: String(body.user ?? ''), text });
      return { status: 200, answer: { ok: true, message_ts: nextTs() } };
    }
    return { status: 200, answer: { ok: false, error: 'unknown_method' } };
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const method = url.pathname.replace(/^\/api\//, '');
      let body: Record<string, unknown> = {};
      try {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
        if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        body = {};
      }
      const result = handle(method, request.headers.authorization, body, url.searchParams);
      requests.push({
        method,
        path: request.url ?? '',
        headers: request.headers,
        body,
        arrivedMs: performance.now(),
        status: result.status,
        answer: result.answer,
      });
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
      if ('retryAfter' in result && result.retryAfter !== undefined)
        headers['retry-after'] = String(result.retryAfter);
      response.writeHead(result.status, headers).end(JSON.stringify(result.answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api`,
    requests,
    ephemerals,
    messages: (channel) => messages.filter((m) => channel === undefined || m.channel === channel),
    thread: (ts) => messages.filter((m) => m.threadTs === ts),
    script: (behaviours) => script.push(...behaviours),
    deleteMessage: (ts) => {
      const at = messages.findIndex((m) => m.ts === ts);
      if (at >= 0) messages.splice(at, 1);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
