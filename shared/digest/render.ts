import { formatDuration } from '../noise/duration';
import { SLACK_LIMITS, type SlackMessage } from '../receivers/slack/render';
import { escapeAndTruncate, escapeMrkdwn, truncate } from '../receivers/text';
import type { PreparedMessage } from '../receivers/types';
import type { Digest, RemediationSummary } from './digest';

type Block = SlackMessage['blocks'][number];

/** Longest alarm name or summary shown in a list line. */
const NAME_MAX = 120;
/** Room kept for the header, the period and the footer out of the message budget. */
const FRAME_RESERVE = 800;

function period(digest: Digest): string {
  const show = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  return `${show(digest.from)} to ${show(digest.to)}`;
}

function title(digest: Digest): string {
  return `Klaxon digest: the last ${digest.hours} h`;
}

/** A short duration; formatDuration rounds to seconds, so anything shorter is said as such. */
function duration(ms: number): string {
  return ms < 1000 ? 'under 1s' : formatDuration(ms);
}

function countOf(count: number, lowerBound: boolean): string {
  return `${count}${lowerBound ? '+' : ''}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function joined(entries: ReadonlyArray<readonly [string, number]>): string {
  return entries
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
}

function remediationLine(r: RemediationSummary): string {
  const main = `${r.started} started, ${r.succeeded} succeeded, ${r.failed} failed`;
  const other = joined([
    ['dry run', r.dryRun],
    ['awaiting approval', r.pendingApproval],
    ['skipped', r.skipped],
  ]);
  return `${main}${other ? ` (${other})` : ''}`;
}

function headline(digest: Digest): string {
  const started = digest.remediations.reduce((sum, r) => sum + r.started, 0);
  return [
    `${plural(digest.alerts.firing, 'alert')} firing (${digest.alerts.notified} notified)`,
    `${digest.alerts.resolved} resolved`,
    plural(digest.informational.total, 'informational event'),
    plural(started, 'remediation') + ' started',
  ].join(', ');
}

const EMPTY_TEXT = (digest: Digest) =>
  `Nothing to report: no alerts, informational events or remediations in the last ${digest.hours} h.`;

const LOWER_BOUND_NOTE =
  'n+ is a lower bound: only the latest decision records of each alarm are kept (decisionRecords.keep).';

/** The lines of each list section, unescaped (the renderers escape and cut them). */
function sections(digest: Digest): Array<{ title: string; lines: string[] }> {
  const list: Array<{ title: string; lines: string[] }> = [];
  if (digest.noisiest.length > 0) {
    list.push({
      title: 'Noisiest alarms (firing transitions)',
      lines: digest.noisiest.map((a) => `${countOf(a.count, a.lowerBound)}  ${a.name}`),
    });
  }
  if (digest.flapping.length > 0) {
    list.push({
      title: 'Flapping alarms (state changes seen by flap damping)',
      lines: digest.flapping.map((a) => `${countOf(a.count, a.lowerBound)}  ${a.name}: ${a.latest}`),
    });
  }
  if (digest.quickResolves.length > 0) {
    list.push({
      title: `Resolved on their own within ${digest.quickResolveMinutes} min (raise the threshold or add evaluation periods?)`,
      lines: digest.quickResolves.map((q) => {
        const shortest = duration(q.shortestMs);
        const longest = duration(q.longestMs);
        const range = shortest === longest ? `after ${shortest}` : `after ${shortest} to ${longest}`;
        return `${q.count}x  ${q.name}: ${range}`;
      }),
    });
  }
  if (digest.informational.total > 0) {
    const counts = digest.informational.counts
      .map((c) => `${c.source}${c.kind ? `/${c.kind}` : ''} ${c.count}`)
      .join(', ');
    list.push({
      title: `Informational events: ${digest.informational.total} (${counts})`,
      lines: digest.informational.latest.map(
        (e) =>
          `${e.at.slice(0, 16).replace('T', ' ')}  ${e.source}${e.kind ? `/${e.kind}` : ''}  ${e.summary}`,
      ),
    });
  }
  if (digest.remediations.length > 0) {
    list.push({
      title: 'Remediations',
      lines: digest.remediations.map((r) => `${r.action}: ${remediationLine(r)}`),
    });
  }
  return list;
}

function breakdown(digest: Digest): Array<{ label: string; text: string }> {
  return [
    { label: 'By severity', text: joined(Object.entries(digest.bySeverity)) },
    { label: 'By route', text: joined(digest.byRoute.map((r) => [r.route, r.count] as const)) },
    { label: 'Suppressed', text: joined(digest.suppressed.map((s) => [s.kind, s.count] as const)) },
  ].filter((b) => b.text !== '');
}

function hasLowerBound(digest: Digest): boolean {
  return [...digest.noisiest, ...digest.flapping].some((a) => a.lowerBound);
}

/** The digest as plain text (the console receiver, `klaxon digest`). */
export function renderDigestText(digest: Digest): string {
  const lines = [`${title(digest)} (${period(digest)})`];
  if (digest.empty) return `${lines[0]}\n${EMPTY_TEXT(digest)}\n`;
  lines.push(`${headline(digest)}.`);
  for (const b of breakdown(digest)) lines.push(`${`${b.label}:`.padEnd(13)} ${b.text}`);
  for (const section of sections(digest)) {
    lines.push('', `${section.title}:`, ...section.lines.map((line) => `  ${truncate(line, 240)}`));
  }
  if (hasLowerBound(digest)) lines.push('', LOWER_BOUND_NOTE);
  return `${lines.join('\n')}\n`;
}

/** Lines escaped for mrkdwn, as many as fit in `max` characters, then "…and N more". */
function fitLines(lines: readonly string[], max: number): string {
  const shown: string[] = [];
  let used = 0;
  for (const [index, line] of lines.entries()) {
    const text = `• ${escapeAndTruncate(line, NAME_MAX * 2)}`;
    const more = `…and ${lines.length - index} more`;
    if (used + text.length + 1 + more.length + 1 > max) {
      shown.push(more);
      break;
    }
    shown.push(text);
    used += text.length + 1;
  }
  return shown.join('\n');
}

/**
 * The digest as a Block Kit message: a header, the period, the counts, then one section per list.
 * Each list is cut line by line to the room left, so the whole message stays under the limits of
 * shared/reference/limits.md (50 blocks, 3,000 characters a section, about 10,000 in all).
 */
export function renderDigestSlack(digest: Digest): SlackMessage {
  const blocks: Block[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(title(digest), SLACK_LIMITS.headerText), emoji: true },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(period(digest)) }] },
  ];
  if (digest.empty) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: EMPTY_TEXT(digest) } });
    return { text: truncate(`${title(digest)}: nothing to report`, 1000), blocks };
  }
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(headline(digest)) } });
  const fields = breakdown(digest).map((b) => ({
    type: 'mrkdwn' as const,
    text: `*${b.label}*\n${escapeAndTruncate(b.text, 600)}`,
  }));
  if (fields.length > 0) blocks.push({ type: 'section', fields });
  let room = SLACK_LIMITS.messageText - FRAME_RESERVE - JSON.stringify(blocks).length;
  const list = sections(digest);
  for (const [index, section] of list.entries()) {
    // Share what is left between this section and the ones after it.
    const share = Math.floor(room / (list.length - index));
    const max = Math.min(SLACK_LIMITS.sectionText - 200, share);
    const heading = `*${escapeAndTruncate(section.title, 300)}*`;
    if (max < heading.length + 40 || blocks.length >= SLACK_LIMITS.blocks - 1) break;
    const text = `${heading}\n${fitLines(section.lines, max - heading.length - 1)}`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
    room -= text.length;
  }
  if (hasLowerBound(digest)) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: LOWER_BOUND_NOTE }] });
  }
  return {
    text: truncate(`${title(digest)}: ${headline(digest)}`, 1000),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  };
}

/** The digest as the generic webhook's JSON document (version 1, additive changes only). */
export function renderDigestJson(digest: Digest, receiver: string): Record<string, unknown> {
  return { version: '1', receiver, kind: 'digest', digest };
}

/** The digest rendered for every kind of receiver that can post it. */
export function prepareDigest(digest: Digest, receiver: string): PreparedMessage {
  return {
    slack: renderDigestSlack(digest),
    json: renderDigestJson(digest, receiver),
    text: renderDigestText(digest),
  };
}
