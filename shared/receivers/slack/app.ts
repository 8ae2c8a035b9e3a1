import type { Alert } from '../../alert/alert';
import type { SecretRef } from '../../config/primitives';
import { DeliveryError } from '../../errors';
import { redactSecrets } from '../../secrets/secrets';
import type { ReceiverDeps } from '../context';
import { deliveryResult, secretPlaceholder } from '../http-receiver';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from '../retry';
import { dedupKeyFor } from '../../alert/fingerprint';
import { escapeAndTruncate, truncate } from '../text';
import type { AlertGroup, DeliveryResult, PreparedMessage, Receiver } from '../types';
import { SlackApi, type SlackApiAnswer, SlackApiError } from './api';
import {
  composeMessage,
  describeDuration,
  type SlackActionName,
  type SlackMessageRecord,
  silenceMatchersOf,
  slackRecordKey,
} from './message-record';
import { renderSlackGroupMessage, renderSlackMessage, type SlackMessage } from './render';

/** How a Slack app receiver is set up (the `botToken` form of a `slack` receiver). */
export interface SlackAppSettings {
  botToken: SecretRef;
  channel: string;
  apiUrl?: string;
  timeoutMs: number;
  /** The button groups its messages offer. */
  actions: SlackActionName[];
}

/** Message records live as long as an incident may: 30 days. */
const RECORD_TTL_SECONDS = 30 * 86_400;

/** How many members of a posted group are read back to re-render it (the dispatcher keeps 100 whole). */
const GROUP_READ_LIMIT = 100;

/** What Klaxon keeps about a posted group message (`slack-group#<receiver>#<ts>`), to edit it later. */
export interface SlackGroupRecord {
  channel: string;
  ts: string;
  /** The group in the state table its members are read from. */
  groupKey: string;
  route: string;
  labels: Record<string, string>;
  total: number;
  /** When it was posted (epoch ms). */
  postedAt?: number;
}

/** A member firing again within this long of its group's post is taken back into it; later, it is a new incident. */
const GROUP_REFIRE_WINDOW_MS = 24 * 3_600_000;

/** The state-table key of a posted group message. */
export function slackGroupKey(receiver: string, ref: string): string {
  return `slack-group#${receiver}#${ref}`;
}

/** The set of a posted group's members that resolved since (member: dedup key, value: `{ at }`). */
export function slackGroupResolvedKey(receiver: string, ref: string): string {
  return `slack-group-resolved#${receiver}#${ref}`;
}

/** Which posted group message a member alert was listed in (value: `{ ref }`). */
export function slackMemberKey(receiver: string, fingerprint: string): string {
  return `slack-member#${receiver}#${dedupKeyFor(fingerprint)}`;
}

/** `chat.update` errors after which the message is posted anew (it was deleted or can no longer be edited). */
const GONE_CODES = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

/** The approval id in a remediation notice (`klaxon approve <id>`), when one waits. */
export function approvalIdOf(alert: Alert): string | undefined {
  return /klaxon approve ([A-Za-z0-9-]{8,64})/.exec(alert.annotations.remediation ?? '')?.[1];
}

/** One line for a thread reply about a later transition of the same incident. */
export function threadLine(alert: Alert): string {
  const state = alert.labels.state ? ` (${alert.labels.previousState ?? '?'} → ${alert.labels.state})` : '';
  const head =
    alert.status === 'resolved'
      ? ':large_green_circle: Resolved'
      : alert.labels.kind === 'remediation-escalation'
        ? `:rotating_light: Escalated, ${alert.severity}`
        : alert.labels.executionId
          ? ':wrench: Remediation'
          : `${alert.annotations.flapping ? ':repeat: Flapping' : ':bell: Still firing'}, ${alert.severity}`;
  const lines = [
    `${head}${state}: ${escapeAndTruncate(alert.annotations.summary, 500)}`,
    alert.annotations.reason ? escapeAndTruncate(alert.annotations.reason, 1000) : undefined,
    alert.annotations.remediation ? escapeAndTruncate(alert.annotations.remediation, 500) : undefined,
  ].filter((l): l is string => l !== undefined);
  return truncate(lines.join('\n'), 3000);
}

/**
 * A Slack app (bot token) receiver: one message per incident, posted with `chat.postMessage` and
 * remembered in the state table; later transitions reply in its thread, the resolve edits it in
 * place (`chat.update`) and says so in the thread. Without a state table it posts every transition.
 */
export class SlackAppReceiver implements Receiver {
  readonly type = 'slack';
  private readonly api: SlackApi;

  constructor(
    readonly name: string,
    private readonly settings: SlackAppSettings,
    private readonly deps: ReceiverDeps,
  ) {
    this.api = new SlackApi(deps.post, deps.clock, settings.apiUrl, settings.timeoutMs);
  }

  preview(alert: Alert): unknown {
    return {
      method: 'chat.postMessage',
      token: secretPlaceholder(this.settings.botToken),
      body: {
        channel: this.settings.channel,
        ...composeMessage(this.recordFor(alert, '<ts>', this.settings.channel)),
      },
      ...(alert.status === 'resolved'
        ? { whenPosted: { update: 'chat.update of the firing message', threadReply: threadLine(alert) } }
        : {}),
    };
  }

  previewGroup(group: AlertGroup): unknown {
    return {
      method: 'chat.postMessage',
      body: { channel: this.settings.channel, ...renderSlackGroupMessage(group) },
    };
  }

  send(alert: Alert, budgetMs?: number): Promise<DeliveryResult> {
    return this.guarded(budgetMs, (call) => this.deliverAlert(alert, call));
  }

  sendGroup(group: AlertGroup, budgetMs?: number): Promise<DeliveryResult> {
    return this.guarded(budgetMs, (call) =>
      group.status === 'resolved' ? this.deliverResolvedGroup(group, call) : this.postGroup(group, call),
    );
  }

  updateGroup(ref: string, budgetMs?: number): Promise<DeliveryResult> {
    return this.guarded(budgetMs, async (call) => {
      const store = this.deps.store;
      const record = await store?.loadRecord<SlackGroupRecord>(slackGroupKey(this.name, ref));
      if (!store || !record) return;
      const snapshot = await store.readGroup(record.groupKey, GROUP_READ_LIMIT);
      // The group's members expired (a week): the message stays as it was last shown.
      if (!snapshot) return;
      const alerts = snapshot.members.map((member) => member.alert as Alert);
      const resolvedKeys = new Set(
        Object.keys(await store.setMembers(slackGroupResolvedKey(this.name, ref))),
      );
      const resolved = new Set(
        alerts.filter((a) => resolvedKeys.has(dedupKeyFor(a.fingerprint))).map((a) => a.fingerprint),
      );
      const shown = renderSlackGroupMessage(
        {
          route: record.route,
          labels: record.labels,
          status: 'firing',
          alerts,
          total: Math.max(record.total, snapshot.total),
        },
        resolved,
      );
      try {
        await call('chat.update', { channel: record.channel, ts: record.ts, ...shown });
      } catch (error) {
        // Deleted, or too old to edit: nothing left to update.
        if (!(error instanceof SlackApiError && GONE_CODES.has(error.code ?? ''))) throw error;
      }
    });
  }

  /** Posts a storm as one message and, with a state table, remembers it and its members for later edits. */
  private async postGroup(group: AlertGroup, call: ApiCall): Promise<void> {
    const answer = await call('chat.postMessage', {
      channel: this.settings.channel,
      ...renderSlackGroupMessage(group),
    });
    const store = this.deps.store;
    const ts = typeof answer.ts === 'string' ? answer.ts : undefined;
    if (!store || !ts || !group.key) return;
    const now = this.deps.clock.now();
    const channel = typeof answer.channel === 'string' ? answer.channel : this.settings.channel;
    const record: SlackGroupRecord = {
      channel,
      ts,
      groupKey: group.key,
      route: group.route,
      labels: group.labels,
      total: Math.max(group.total ?? 0, group.alerts.length),
      postedAt: now,
    };
    await store.saveRecord(slackGroupKey(this.name, ts), record, now, { ttlSeconds: RECORD_TTL_SECONDS });
    await Promise.all(
      group.alerts.map((alert) =>
        store.saveRecord(slackMemberKey(this.name, alert.fingerprint), { ref: ts }, now, {
          ttlSeconds: RECORD_TTL_SECONDS,
        }),
      ),
    );
  }

  /**
   * A storm of resolves: members of group messages posted before mark those messages for an edit;
   * only the others (never posted as a group member) are posted, as one message.
   */
  private async deliverResolvedGroup(group: AlertGroup, call: ApiCall): Promise<string[]> {
    const refs = new Set<string>();
    const rest: Alert[] = [];
    for (const alert of group.alerts) {
      const ref = await this.markMember(alert);
      if (ref) refs.add(ref);
      else rest.push(alert);
    }
    if (rest.length > 0) {
      const matched = group.alerts.length - rest.length;
      const total = Math.max(group.total ?? 0, group.alerts.length) - matched;
      await call('chat.postMessage', {
        channel: this.settings.channel,
        ...renderSlackGroupMessage({ ...group, alerts: rest, total }),
      });
    }
    return [...refs];
  }

  /**
   * Records a transition of an alert that was listed in a posted group message: a resolve joins the
   * group's resolved set, a new firing leaves it. Returns the group message's reference, or
   * undefined when the alert was never a posted group's member.
   */
  private async markMember(alert: Alert): Promise<string | undefined> {
    const store = this.deps.store;
    if (!store) return undefined;
    const member = await store.loadRecord<{ ref: string }>(slackMemberKey(this.name, alert.fingerprint));
    if (!member) return undefined;
    const setKey = slackGroupResolvedKey(this.name, member.ref);
    const key = dedupKeyFor(alert.fingerprint);
    if (alert.status === 'resolved') {
      const now = this.deps.clock.now();
      await store.putSetMember(setKey, key, { at: now }, now, RECORD_TTL_SECONDS);
    } else {
      await store.removeSetMember(setKey, key);
    }
    return member.ref;
  }

  sendPrepared(message: PreparedMessage, budgetMs?: number): Promise<DeliveryResult> {
    return this.guarded(budgetMs, async (call) => {
      await call('chat.postMessage', { channel: this.settings.channel, ...(message.slack as object) });
    });
  }

  private recordFor(alert: Alert, ts: string, channel: string): SlackMessageRecord {
    const firedAt = Date.parse(alert.startsAt);
    return {
      receiver: this.name,
      fingerprint: alert.fingerprint,
      channel,
      ts,
      status: alert.status,
      firedAt: Number.isFinite(firedAt) ? firedAt : this.deps.clock.now(),
      base: renderSlackMessage(alert),
      silenceMatchers: silenceMatchersOf(alert.labels),
      // Resolve is for incidents nothing resolves by itself: CloudWatch alarms resolve on OK.
      actions: this.settings.actions.filter(
        (a) => a !== 'resolve' || alert.labels.source !== 'cloudwatch-alarm',
      ),
      approvalId: approvalIdOf(alert),
    };
  }

  private async deliverAlert(alert: Alert, call: ApiCall): Promise<string[] | undefined> {
    const store = this.deps.store;
    const key = slackRecordKey(this.name, alert.fingerprint);
    const now = this.deps.clock.now();
    const existing = store ? await store.loadRecord<SlackMessageRecord>(key) : undefined;
    if (alert.status === 'firing' && existing?.status === 'firing') {
      await call('chat.postMessage', {
        channel: existing.channel,
        thread_ts: existing.ts,
        text: threadLine(alert),
        // An escalation is shown in the channel too, not only to those following the thread.
        ...(alert.labels.kind === 'remediation-escalation' ? { reply_broadcast: true } : {}),
      });
      const approvalId = approvalIdOf(alert);
      if (approvalId && approvalId !== existing.approvalId && store) {
        const updated = { ...existing, approvalId, remediation: undefined };
        await call('chat.update', { channel: existing.channel, ts: existing.ts, ...composeMessage(updated) });
        await store.saveRecord(key, updated, now, { ttlSeconds: RECORD_TTL_SECONDS });
      }
      return;
    }
    if (alert.status === 'resolved' && existing?.status === 'firing') {
      // When it resolved is the transition's own time (the OK's StateChangeTime), not when it arrived.
      const at = Date.parse(alert.startsAt);
      const resolvedAt = Number.isFinite(at) && at >= existing.firedAt ? at : now;
      const resolved: SlackMessageRecord = {
        ...existing,
        status: 'resolved',
        resolvedAt,
        base: renderSlackMessage(alert),
      };
      const shown = composeMessage(resolved);
      let reposted: SlackApiAnswer | undefined;
      try {
        await call('chat.update', { channel: existing.channel, ts: existing.ts, ...shown });
      } catch (error) {
        if (!(error instanceof SlackApiError && GONE_CODES.has(error.code ?? ''))) throw error;
        // The message was deleted or can no longer be edited: the resolve is its own message then.
        reposted = await call('chat.postMessage', { channel: existing.channel, ...shown });
      }
      const ts = typeof reposted?.ts === 'string' ? reposted.ts : existing.ts;
      await store?.saveRecord(key, { ...resolved, ts }, now, { ttlSeconds: RECORD_TTL_SECONDS });
      // A silence "until resolved" from the message's button ends with the incident.
      if (existing.silenced?.until === 'resolved')
        await this.deps.endSilence?.(existing.silenced.silenceId, now);
      if (reposted) return;
      await call('chat.postMessage', {
        channel: existing.channel,
        thread_ts: existing.ts,
        text: `:large_green_circle: Resolved after ${describeDuration(resolvedAt - existing.firedAt)}: ${escapeAndTruncate(alert.annotations.summary, 500)}`,
      });
      return;
    }
    if (alert.status === 'resolved' && existing?.status === 'resolved') {
      // A retry after the edit went through but the thread reply did not: reply, edit nothing.
      await call('chat.postMessage', {
        channel: existing.channel,
        thread_ts: existing.ts,
        text: threadLine(alert),
      });
      return;
    }
    if (!existing) {
      const grouped = await this.deliverGroupMember(alert, call);
      if (grouped) return [grouped];
    }
    const draft = this.recordFor(alert, '', this.settings.channel);
    const answer = await call('chat.postMessage', {
      channel: this.settings.channel,
      ...composeMessage(draft),
    });
    const ts = typeof answer.ts === 'string' ? answer.ts : undefined;
    const channel = typeof answer.channel === 'string' ? answer.channel : this.settings.channel;
    if (store && ts)
      await store.saveRecord(key, { ...draft, ts, channel }, now, { ttlSeconds: RECORD_TTL_SECONDS });
  }

  /**
   * An alert listed in a posted group message: its resolve edits the group message (no message of
   * its own); a firing again after it resolved edits it back and says so in the group's thread.
   */
  private async deliverGroupMember(alert: Alert, call: ApiCall): Promise<string | undefined> {
    const store = this.deps.store;
    if (!store) return undefined;
    const member = await store.loadRecord<{ ref: string }>(slackMemberKey(this.name, alert.fingerprint));
    const group = member
      ? await store.loadRecord<SlackGroupRecord>(slackGroupKey(this.name, member.ref))
      : undefined;
    if (!member || !group) return undefined;
    if (alert.status === 'firing') {
      if (this.deps.clock.now() - (group.postedAt ?? 0) > GROUP_REFIRE_WINDOW_MS) return undefined;
      const was = await store.setMembers(slackGroupResolvedKey(this.name, member.ref));
      const again = dedupKeyFor(alert.fingerprint) in was;
      await call('chat.postMessage', {
        channel: group.channel,
        thread_ts: group.ts,
        text: again
          ? `:rotating_light: Firing again, ${alert.severity}: ${escapeAndTruncate(alert.annotations.summary, 500)}`
          : threadLine(alert),
      });
    }
    return this.markMember(alert);
  }

  /** Runs Web API calls with the token, each retried within the budget; never throws. */
  private async guarded(
    budgetMs: number | undefined,
    work: (call: ApiCall) => Promise<string[] | void>,
  ): Promise<DeliveryResult> {
    let token: string;
    try {
      token = await this.deps.secrets.resolve(this.settings.botToken);
    } catch (error) {
      return deliveryResult(this, 'failed', 0, { error: (error as Error).message, retryable: false });
    }
    const policy = policyWithin(this.deps.retry ?? DEFAULT_RETRY, budgetMs);
    let attempts = 0;
    const call: ApiCall = async (method, body) => {
      const outcome = await withRetry(() => this.api.call(method, token, body), policy, this.deps.clock);
      attempts += outcome.attempts;
      if (outcome.error) throw outcome.error;
      return outcome.value ?? {};
    };
    try {
      const groupUpdates = await work(call);
      return deliveryResult(this, 'delivered', attempts, {
        status: 200,
        ...(groupUpdates && groupUpdates.length > 0 ? { groupUpdates } : {}),
      });
    } catch (error) {
      const failure =
        error instanceof DeliveryError
          ? error
          : new DeliveryError(`Slack: ${(error as Error).message}`, true, undefined, { cause: error });
      return deliveryResult(this, 'failed', attempts, {
        status: failure.status,
        error: redactSecrets(failure.message, [token]),
        retryable: failure.retryable,
        retryAfterMs: failure.retryAfterMs,
      });
    }
  }
}

type ApiCall = (method: string, body: Record<string, unknown>) => Promise<SlackApiAnswer>;

function policyWithin(policy: RetryPolicy, budgetMs: number | undefined): RetryPolicy {
  return budgetMs === undefined
    ? policy
    : { ...policy, budgetMs: Math.max(0, Math.min(policy.budgetMs, budgetMs)) };
}

/** Re-exported for the interactivity endpoint, which edits the same messages. */
export type { SlackMessage };
