import { dedupKeyFor } from '../../alert/fingerprint';
import { escapeAndTruncate, truncate } from '../text';
import type { SlackButton, SlackMessage } from './render';

/** The interactive actions a Slack app message can offer. */
export const SLACK_ACTIONS = ['acknowledge', 'silence', 'remediation', 'resolve'] as const;

/** One configurable group of buttons. */
export type SlackActionName = (typeof SLACK_ACTIONS)[number];

/** The `action_id` of each button; `silence` has three lengths. */
export const BUTTON_IDS = {
  acknowledge: 'klaxon:acknowledge',
  silence1h: 'klaxon:silence:1h',
  silence4h: 'klaxon:silence:4h',
  silenceResolved: 'klaxon:silence:resolved',
  approve: 'klaxon:approve',
  reject: 'klaxon:reject',
  resolve: 'klaxon:resolve',
} as const;

/** Who did something from Slack, and when (epoch ms). */
export interface SlackActor {
  userId: string;
  name: string;
  at: number;
}

/**
 * What Klaxon keeps about one posted incident message (`slack#<receiver>#<dedup key>` in the state
 * table): where it is, what it showed, and what was done to it since.
 */
export interface SlackMessageRecord {
  receiver: string;
  fingerprint: string;
  channel: string;
  ts: string;
  status: 'firing' | 'resolved';
  /** Epoch ms the incident started (the alert's `startsAt`). */
  firedAt: number;
  resolvedAt?: number;
  /** The message as rendered from the alert, without Klaxon's status lines and buttons. */
  base: SlackMessage;
  /** Labels a silence created from the message matches (the alert's identity labels). */
  silenceMatchers: Record<string, string>;
  /** Which button groups the message offers. */
  actions: SlackActionName[];
  /** The remediation waiting for approval, when there is one. */
  approvalId?: string;
  acknowledged?: SlackActor;
  silenced?: SlackActor & { silenceId: string; until: number | 'resolved' };
  remediation?: SlackActor & { verdict: 'approved' | 'rejected'; outcome: string };
  resolvedBy?: SlackActor;
}

/** The state-table key of the message one receiver posted for one fingerprint. */
export function slackRecordKey(receiver: string, fingerprint: string): string {
  return `slack#${receiver}#${dedupKeyFor(fingerprint)}`;
}

/** Labels that change between transitions of one incident and so never belong in a silence. */
const VOLATILE_LABELS = new Set(['state', 'previousState', 'severity', 'status']);

/** The labels a silence from a Slack button matches: the alert's labels but the volatile ones. */
export function silenceMatchersOf(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([name]) => !VOLATILE_LABELS.has(name)));
}

/** How long something lasted, as `1h 5m`, `12m` or `40s`. */
export function describeDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (h > 0) return `${h}h ${m}m`;
  return m > 0 ? `${m}m` : `${seconds}s`;
}

function when(at: number): string {
  const seconds = Math.floor(at / 1000);
  const iso = new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
  // Slack shows <!date^…> in the reader's own time zone; the fallback is UTC.
  return `<!date^${seconds}^{date_short_pretty} {time}|${iso}>`;
}

function who(actor: SlackActor): string {
  return /^[UW][A-Z0-9]{2,20}$/.test(actor.userId) ? `<@${actor.userId}>` : escapeAndTruncate(actor.name, 80);
}

/** The status lines Klaxon adds to the message (who acknowledged, silenced, approved, resolved). */
export function statusLines(record: SlackMessageRecord): string[] {
  const lines: string[] = [];
  if (record.status === 'resolved' && record.resolvedAt !== undefined) {
    const by = record.resolvedBy ? ` by ${who(record.resolvedBy)}` : '';
    lines.push(
      `:white_check_mark: Resolved${by} ${when(record.resolvedAt)} after ${describeDuration(record.resolvedAt - record.firedAt)}`,
    );
  }
  if (record.acknowledged) {
    lines.push(`:eyes: Acknowledged by ${who(record.acknowledged)} ${when(record.acknowledged.at)}`);
  }
  if (record.silenced) {
    const until =
      record.silenced.until === 'resolved' ? 'until resolved' : `until ${when(record.silenced.until)}`;
    lines.push(`:no_bell: Silenced ${until} by ${who(record.silenced)} (${record.silenced.silenceId})`);
  }
  if (record.remediation) {
    lines.push(
      `:wrench: Remediation ${record.remediation.verdict} by ${who(record.remediation)} ${when(record.remediation.at)}: ${escapeAndTruncate(record.remediation.outcome, 300)}`,
    );
  }
  return lines;
}

type Button = SlackButton;

/** The value every button carries: which receiver's message and which incident (never a secret). */
export interface ButtonValue {
  r: string;
  k: string;
}

function button(id: string, text: string, value: string, style?: Button['style']): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text },
    action_id: id,
    value,
    ...(style ? { style } : {}),
  };
}

/** The buttons still useful on the message: none once resolved; acknowledge once; approve while pending. */
export function buttonsFor(record: SlackMessageRecord): Button[] {
  if (record.status === 'resolved') return [];
  const value = JSON.stringify({
    r: record.receiver,
    k: dedupKeyFor(record.fingerprint),
  } satisfies ButtonValue);
  const offered = new Set(record.actions);
  const buttons: Button[] = [];
  if (offered.has('acknowledge') && !record.acknowledged)
    buttons.push(button(BUTTON_IDS.acknowledge, 'Acknowledge', value, 'primary'));
  if (offered.has('silence') && !record.silenced) {
    buttons.push(button(BUTTON_IDS.silence1h, 'Silence 1 h', value));
    buttons.push(button(BUTTON_IDS.silence4h, 'Silence 4 h', value));
    buttons.push(button(BUTTON_IDS.silenceResolved, 'Silence until resolved', value));
  }
  if (offered.has('remediation') && record.approvalId && !record.remediation) {
    buttons.push(button(BUTTON_IDS.approve, 'Approve remediation', value, 'primary'));
    buttons.push(button(BUTTON_IDS.reject, 'Reject remediation', value, 'danger'));
  }
  if (offered.has('resolve')) buttons.push(button(BUTTON_IDS.resolve, 'Resolve', value));
  return buttons;
}

/** The message as it should look now: the rendered alert, Klaxon's status lines, the remaining buttons. */
export function composeMessage(record: SlackMessageRecord): SlackMessage {
  const lines = statusLines(record);
  const buttons = buttonsFor(record);
  // Room for the status section and the buttons within Slack's 50 blocks.
  const blocks = record.base.blocks.slice(0, 48);
  const extra: SlackMessage['blocks'] = [];
  if (lines.length > 0)
    extra.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), 3000) } });
  if (buttons.length > 0) extra.push({ type: 'actions', elements: buttons });
  return { text: record.base.text, blocks: [...blocks, ...extra] };
}
