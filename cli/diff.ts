import type { KlaxonConfig } from '../shared/config/load';
import { eventFiles, parseAt, type PreviewedFile, previewFiles, readConfigFile, UsageError } from './preview';
import type { VerbIo } from './io';
import { alertName } from '../shared/alert/name';
import { isPagingReceiver } from '../shared/routing/decide';

export const DIFF_HELP = `klaxon diff --config <proposed.yml> [--current klaxon.yml] <events file|dir>... [--at ISO] [--json] [--exit-code]

  Replays a corpus in preview mode (nothing is sent) under the current and the proposed
  configuration and lists the pages (PagerDuty receivers) and messages (every other receiver)
  that would appear (+) or disappear (-), with the reason when a suppression changed.
  --exit-code exits 1 when anything differs (for CI). --json prints one object.

  Exit codes: 0 done (or no difference with --exit-code), 1 differences with --exit-code, 2 usage,
  3 unreadable path, 4 invalid configuration.
`;

/** One notification that appears or disappears under the proposed configuration. */
export interface DiffChange {
  change: '+' | '-';
  kind: 'page' | 'message';
  receiver: string;
  file: string;
  fingerprint: string;
  name: string;
  status: string;
  severity: string;
  /** Why it no longer goes out (or why it did not before), when a suppression explains it. */
  reason?: string;
}

function deliveries(config: KlaxonConfig, previewed: PreviewedFile[]) {
  const out = new Map<
    string,
    {
      receiver: string;
      file: string;
      fingerprint: string;
      name: string;
      status: string;
      severity: string;
      suppressed?: string;
    }
  >();
  const suppressed = new Map<string, string>();
  for (const { file, result } of previewed) {
    result.alerts.forEach(({ decision }, index) => {
      const { alert } = decision;
      const name = alertName(alert.labels, alert.fingerprint);
      const base = {
        file,
        fingerprint: alert.fingerprint,
        name,
        status: alert.status,
        severity: alert.severity,
      };
      const id = `${file}#${index}#${alert.fingerprint}`;
      if (decision.suppressed) suppressed.set(id, decision.suppressed);
      for (const receiver of decision.suppressed ? [] : decision.receivers)
        out.set(`${id}#${receiver}`, { receiver, ...base });
    });
    result.notices.forEach((notice, index) => {
      for (const receiver of notice.receivers) {
        out.set(`${file}#notice${index}#${receiver}`, {
          receiver,
          file,
          fingerprint: 'notice',
          name: `notice: ${notice.reason.slice(0, 60)}`,
          status: 'firing',
          severity: 'info',
        });
      }
    });
  }
  const kind = (receiver: string): 'page' | 'message' =>
    isPagingReceiver(config, receiver) ? 'page' : 'message';
  return { out, suppressed, kind };
}

/** Compares what two configurations deliver for the same previewed corpus. */
export function compareRuns(
  current: { config: KlaxonConfig; previewed: PreviewedFile[] },
  proposed: { config: KlaxonConfig; previewed: PreviewedFile[] },
): DiffChange[] {
  const before = deliveries(current.config, current.previewed);
  const after = deliveries(proposed.config, proposed.previewed);
  const changes: DiffChange[] = [];
  const alertId = (key: string) => key.slice(0, key.lastIndexOf('#'));
  for (const [key, d] of before.out) {
    if (after.out.has(key)) continue;
    const reason = after.suppressed.get(alertId(key));
    changes.push({ change: '-', kind: before.kind(d.receiver), ...d, ...(reason ? { reason } : {}) });
  }
  for (const [key, d] of after.out) {
    if (before.out.has(key)) continue;
    const reason = before.suppressed.get(alertId(key));
    changes.push({
      change: '+',
      kind: after.kind(d.receiver),
      ...d,
      ...(reason ? { reason: `was: ${reason}` } : {}),
    });
  }
  return changes.sort((a, b) => a.file.localeCompare(b.file) || a.change.localeCompare(b.change));
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** `klaxon diff`. */
export async function diffVerb(
  positionals: string[],
  values: { config?: string; current: string; at?: string; json: boolean; 'exit-code': boolean },
  io: VerbIo,
): Promise<number> {
  if (!values.config) throw new UsageError('klaxon diff: --config <proposed.yml> is required');
  if (positionals.length === 0) throw new UsageError('klaxon diff: name the events to replay (e.g. events)');
  const currentConfig = await readConfigFile(values.current);
  const proposedConfig = await readConfigFile(values.config);
  const files = await eventFiles(positionals);
  const at = parseAt(values.at) ?? io.now();
  const changes = compareRuns(
    {
      config: currentConfig,
      previewed: await previewFiles(files, currentConfig, at, io.progress?.('current')),
    },
    {
      config: proposedConfig,
      previewed: await previewFiles(files, proposedConfig, at, io.progress?.('proposed')),
    },
  );
  const count = (change: '+' | '-', kind: 'page' | 'message') =>
    changes.filter((c) => c.change === change && c.kind === kind).length;
  const summary = {
    pagesAppear: count('+', 'page'),
    pagesDisappear: count('-', 'page'),
    messagesAppear: count('+', 'message'),
    messagesDisappear: count('-', 'message'),
  };
  if (values.json) {
    io.out(`${JSON.stringify({ files: files.length, changes, summary })}\n`);
  } else {
    for (const c of changes) {
      io.out(
        `${c.change} ${pad(c.kind, 7)} ${pad(c.receiver, 10)} ${pad(`${c.name} (${c.severity} ${c.status})`, 48)} ${c.file}${c.reason ? `\n                     ${c.reason}` : ''}\n`,
      );
    }
    io.out(
      `${changes.length === 0 ? 'No change. ' : ''}${files.length} files: ${summary.pagesAppear} pages and ${summary.messagesAppear} messages would appear, ${summary.pagesDisappear} pages and ${summary.messagesDisappear} messages would disappear.\n`,
    );
  }
  return values['exit-code'] && changes.length > 0 ? 1 : 0;
}
