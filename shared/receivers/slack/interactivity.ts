import * as z from '../../zod';
import type { SecretRef } from '../../config/primitives';
import { DeliveryError } from '../../errors';
import { SilenceRepository } from '../../noise/silences';
import { redactSecrets } from '../../secrets/secrets';
import type { SecretResolver } from '../../secrets/secrets';
import type { StateStore } from '../../state/store';
import type { Clock } from '../context';
import { checkStatus, type PostJson } from '../http';
import { PAGERDUTY_EVENTS_URL } from '../pagerduty/render';
import { DEFAULT_RETRY, withRetry } from '../retry';
import { SLACK_API_URL, SlackApi } from './api';
import {
  BUTTON_IDS,
  composeMessage,
  describeDuration,
  type SlackActionName,
  type SlackActor,
  type SlackMessageRecord,
} from './message-record';
import { verifySlackSignature } from './signature';

/** The largest interactivity request read (Slack's payloads carry the whole message: tens of KB). */
export const MAX_INTERACTION_BYTES = 512 * 1024;

/** How long a seen signature is remembered, so a replayed request is refused (beyond the 5-minute window). */
const REPLAY_TTL_SECONDS = 15 * 60;

/** One button press, verified and parsed; what the asynchronous worker acts on. */
export interface SlackClick {
  receiver: string;
  /** The incident's dedup key (the button's value). */
  key: string;
  actionId: string;
  user: { id: string; name: string };
  channel: string;
  ts: string;
}

/** Who may press a group of buttons. */
export interface SlackAllow {
  users?: string[];
  groups?: string[];
}

/** What the endpoint knows of one Slack app receiver (its `klaxon.yml` entry). */
export interface SlackAppConfig {
  botToken: SecretRef;
  channel: string;
  apiUrl?: string;
  signingSecret?: SecretRef;
  actions?: Partial<Record<SlackActionName, { allow: SlackAllow; pagerduty?: string[] }>>;
}

/** A PagerDuty receiver's routing key and endpoint, for acknowledge and resolve. */
export interface PagerDutyTarget {
  routingKey: SecretRef;
  url?: string;
}

/** The remediation approval path (Remediator.approve and Remediator.reject). */
export interface ApprovePort {
  approve(
    approvalId: string,
    by: string,
  ): Promise<{ outcome: string; reason?: string; executionId?: string }>;
  reject(approvalId: string, by: string): Promise<{ outcome: string; reason?: string }>;
}

/** What an HTTP answer to Slack is. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/** The synchronous half: verify, refuse replays, hand the click over. */
export interface SlackIntakeDeps {
  signingSecrets(): Promise<string[]>;
  store: StateStore;
  enqueue(click: SlackClick): Promise<void>;
  now(): number;
}

const text = (max: number) => z.string().check(z.maxLength(max));
const payloadSchema = z.object({
  type: text(64),
  user: z.object({ id: text(40), username: z.optional(text(200)), name: z.optional(text(200)) }),
  channel: z.optional(z.object({ id: text(40) })),
  container: z.optional(z.object({ channel_id: z.optional(text(40)), message_ts: z.optional(text(40)) })),
  message: z.optional(z.object({ ts: text(40) })),
  actions: z.optional(
    z.array(z.object({ action_id: text(255), value: z.optional(text(2000)) })).check(z.maxLength(5)),
  ),
});
const valueSchema = z.strictObject({ r: text(200), k: text(300) });

/** Parses Slack's form body (`payload=<json>`) into the clicks of Klaxon's buttons; never throws. */
export function parseInteraction(rawBody: string): SlackClick[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(new URLSearchParams(rawBody).get('payload') ?? '');
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const payload = parsed.data;
  if (payload.type !== 'block_actions') return [];
  const channel = payload.channel?.id ?? payload.container?.channel_id;
  const ts = payload.message?.ts ?? payload.container?.message_ts;
  if (!channel || !ts) return [];
  const clicks: SlackClick[] = [];
  for (const action of payload.actions ?? []) {
    if (!action.action_id.startsWith('klaxon:') || !action.value) continue;
    let value: unknown;
    try {
      value = JSON.parse(action.value);
    } catch (error) {
      if (error instanceof SyntaxError) continue;
      throw error;
    }
    const button = valueSchema.safeParse(value);
    if (!button.success) continue;
    const name = payload.user.name ?? payload.user.username ?? payload.user.id;
    clicks.push({
      receiver: button.data.r,
      key: button.data.k,
      actionId: action.action_id,
      user: { id: payload.user.id, name },
      channel,
      ts,
    });
  }
  return clicks;
}

/**
 * Answers one interactivity request: 401 unless Slack signed it within 5 minutes and it was not
 * seen before, then hands its clicks to the worker and answers 200 at once (Slack waits 3 s).
 */
export async function receiveInteraction(
  request: { headers: Readonly<Record<string, string | undefined>>; rawBody: string },
  deps: SlackIntakeDeps,
): Promise<HttpAnswer> {
  if (Buffer.byteLength(request.rawBody, 'utf8') > MAX_INTERACTION_BYTES)
    return { status: 413, body: 'too large' };
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const now = deps.now();
  const check = verifySlackSignature(headers, request.rawBody, await deps.signingSecrets(), now);
  if (!check.ok) return { status: 401, body: 'invalid signature' };
  const signature = headers['x-slack-signature'] ?? '';
  const first = await deps.store.saveRecord(`slack-request#${signature}`, { at: now }, now, {
    ifAbsent: true,
    ttlSeconds: REPLAY_TTL_SECONDS,
  });
  if (!first) return { status: 401, body: 'replayed request' };
  const clicks = parseInteraction(request.rawBody);
  if (clicks === undefined) return { status: 400, body: 'unreadable payload' };
  for (const click of clicks) await deps.enqueue(click);
  return { status: 200, body: '' };
}

/** The asynchronous half: who may press, once only, and the work itself. */
export interface SlackWorkerDeps {
  /** The Slack app receivers of klaxon.yml, by name. */
  slackReceivers: ReadonlyMap<string, SlackAppConfig>;
  /** The PagerDuty receivers of klaxon.yml, by name. */
  pagerDutyReceivers: ReadonlyMap<string, PagerDutyTarget>;
  store: StateStore;
  secrets: SecretResolver;
  post: PostJson;
  clock: Clock;
  remediator?: ApprovePort;
}

/** What became of one click. */
export type ClickOutcome = 'done' | 'refused' | 'duplicate' | 'stale';

/** The group of buttons an `action_id` belongs to. */
export function actionGroupOf(actionId: string): SlackActionName | undefined {
  switch (actionId) {
    case BUTTON_IDS.acknowledge:
      return 'acknowledge';
    case BUTTON_IDS.silence1h:
    case BUTTON_IDS.silence4h:
    case BUTTON_IDS.silenceResolved:
      return 'silence';
    case BUTTON_IDS.approve:
    case BUTTON_IDS.reject:
      return 'remediation';
    case BUTTON_IDS.resolve:
      return 'resolve';
    default:
      return undefined;
  }
}

type ClaimState = { state: 'started' | 'done' | 'failed'; by: SlackActor };

/** Acts on one click; throws (for the queue to retry) only when the work failed after the claim. */
export async function handleClick(click: SlackClick, deps: SlackWorkerDeps): Promise<ClickOutcome> {
  const app = deps.slackReceivers.get(click.receiver);
  const group = actionGroupOf(click.actionId);
  if (!app || !group) return 'stale';
  const token = await deps.secrets.resolve(app.botToken);
  const api = new SlackApi(deps.post, deps.clock, app.apiUrl ?? SLACK_API_URL);
  const call = async (method: string, body: Record<string, unknown>, query?: Record<string, string>) => {
    const outcome = await withRetry(() => api.call(method, token, body, query), DEFAULT_RETRY, deps.clock);
    if (outcome.error) throw outcome.error;
    return outcome.value ?? {};
  };
  const tell = (message: string) =>
    call('chat.postEphemeral', { channel: click.channel, user: click.user.id, text: message });
  const rule = app.actions?.[group];
  if (!rule || !(await allowed(click.user.id, rule.allow, call))) {
    await tell(`:no_entry: You may not ${describeGroup(group)} here; ask someone your team allows.`);
    return 'refused';
  }
  const recordKey = `slack#${click.receiver}#${click.key}`;
  const record = await deps.store.loadRecord<SlackMessageRecord>(recordKey);
  if (!record || record.channel !== click.channel || record.ts !== click.ts) {
    await tell('This message is no longer tracked by Klaxon; nothing was done.');
    return 'stale';
  }
  const now = deps.clock.now();
  const actor: SlackActor = { userId: click.user.id, name: click.user.name, at: now };
  // One claim per message and button group: a double click (or Approve after Reject) acts once.
  const claimKey = `slack-click#${click.receiver}#${click.key}#${record.ts}#${group}`;
  if (!(await claim(deps.store, claimKey, actor, now))) {
    await tell(`Already done (${describeGroup(group)}); nothing more was done.`);
    return 'duplicate';
  }
  try {
    const updated = await act(click, group, record, app, actor, deps);
    await deps.store.saveRecord(recordKey, updated, now, { ttlSeconds: 30 * 86_400 });
    await call('chat.update', { channel: record.channel, ts: record.ts, ...composeMessage(updated) });
    if (group === 'resolve')
      await call('chat.postMessage', {
        channel: record.channel,
        thread_ts: record.ts,
        text: `:large_green_circle: Resolved by <@${click.user.id}> after ${describeDuration(now - record.firedAt)}`,
      });
    await deps.store.saveRecord(claimKey, { state: 'done', by: actor } satisfies ClaimState, now);
    return 'done';
  } catch (error) {
    await deps.store.saveRecord(claimKey, { state: 'failed', by: actor } satisfies ClaimState, now);
    throw error;
  }
}

async function claim(store: StateStore, key: string, actor: SlackActor, now: number): Promise<boolean> {
  const started: ClaimState = { state: 'started', by: actor };
  if (await store.saveRecord(key, started, now, { ifAbsent: true })) return true;
  // A click whose work failed may be tried again (the queue's retry, or another click).
  const previous = await store.loadRecord<ClaimState>(key);
  if (previous?.state !== 'failed') return false;
  await store.saveRecord(key, started, now);
  return true;
}

function describeGroup(group: SlackActionName): string {
  return {
    acknowledge: 'acknowledge this alert',
    silence: 'silence this alert',
    remediation: 'approve or reject this remediation',
    resolve: 'resolve this alert',
  }[group];
}

async function allowed(
  userId: string,
  allow: SlackAllow,
  call: (
    method: string,
    body: Record<string, unknown>,
    query?: Record<string, string>,
  ) => Promise<Record<string, unknown>>,
): Promise<boolean> {
  if (allow.users?.includes(userId)) return true;
  for (const group of allow.groups ?? []) {
    const answer = await call('usergroups.users.list', {}, { usergroup: group });
    if (Array.isArray(answer.users) && answer.users.includes(userId)) return true;
  }
  return false;
}

async function act(
  click: SlackClick,
  group: SlackActionName,
  record: SlackMessageRecord,
  app: SlackAppConfig,
  actor: SlackActor,
  deps: SlackWorkerDeps,
): Promise<SlackMessageRecord> {
  const by = `slack:${actor.name} (${actor.userId})`;
  switch (group) {
    case 'acknowledge':
      await pagerDuty('acknowledge', click.key, app.actions?.acknowledge?.pagerduty ?? [], deps);
      return { ...record, acknowledged: actor };
    case 'resolve':
      await pagerDuty('resolve', click.key, app.actions?.resolve?.pagerduty ?? [], deps);
      return { ...record, status: 'resolved', resolvedAt: actor.at, resolvedBy: actor };
    case 'silence': {
      const hours =
        click.actionId === BUTTON_IDS.silence1h ? 1 : click.actionId === BUTTON_IDS.silence4h ? 4 : undefined;
      // "Until resolved" is bounded: the resolve ends it (see SlackAppReceiver), a week at most.
      const endsAt = actor.at + (hours ?? 7 * 24) * 3_600_000;
      const silence = await new SilenceRepository(deps.store).add(
        {
          matchers: record.silenceMatchers,
          reason: `silenced from Slack ${hours ? `for ${hours} h` : 'until resolved'}`,
          createdBy: by,
          startsAt: actor.at,
          endsAt,
        },
        actor.at,
      );
      return { ...record, silenced: { ...actor, silenceId: silence.id, until: hours ? endsAt : 'resolved' } };
    }
    case 'remediation': {
      if (!record.approvalId)
        throw new DeliveryError('no remediation waits for approval on this message', false);
      if (!deps.remediator) throw new DeliveryError('remediation is not configured in klaxon.yml', false);
      if (click.actionId === BUTTON_IDS.reject) {
        const rejected = await deps.remediator.reject(record.approvalId, by);
        const outcome =
          rejected.outcome === 'skipped' ? 'not started' : (rejected.reason ?? rejected.outcome);
        return { ...record, remediation: { ...actor, verdict: 'rejected', outcome } };
      }
      const result = await deps.remediator.approve(record.approvalId, by);
      const outcome = [result.outcome, result.executionId, result.reason].filter(Boolean).join(' ');
      return { ...record, remediation: { ...actor, verdict: 'approved', outcome } };
    }
  }
}

async function pagerDuty(
  action: 'acknowledge' | 'resolve',
  dedupKey: string,
  receivers: readonly string[],
  deps: SlackWorkerDeps,
): Promise<void> {
  for (const name of receivers) {
    const target = deps.pagerDutyReceivers.get(name);
    if (!target) throw new DeliveryError(`no pagerduty receiver named ${name}`, false);
    const routingKey = await deps.secrets.resolve(target.routingKey);
    const body = JSON.stringify({ routing_key: routingKey, event_action: action, dedup_key: dedupKey });
    const outcome = await withRetry(
      async () => {
        const response = await deps.post(target.url ?? PAGERDUTY_EVENTS_URL, body, { timeoutMs: 3_000 });
        checkStatus(response, 'PagerDuty', [200, 202]);
      },
      DEFAULT_RETRY,
      deps.clock,
    );
    if (outcome.error)
      throw new DeliveryError(
        redactSecrets(outcome.error.message, [routingKey]),
        outcome.error.retryable,
        outcome.error.status,
        {
          cause: outcome.error,
        },
      );
  }
}
