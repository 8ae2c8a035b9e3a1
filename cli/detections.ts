import { parseArgs } from 'node:util';
import type { Severity } from '../shared/alert/alert';
import { DETECTIONS, type Detection, type ThresholdSpec } from '../shared/security/catalog';
import { ATTACK_TACTICS, type AttackTactic } from '../shared/security/detection';
import type { VerbIo } from './io';

/** The usage text of `klaxon detections`. */
export const DETECTIONS_HELP = `klaxon detections [--json | --markdown]

  Lists every CloudTrail detection of the catalog, by MITRE ATT&CK tactic: id, severity, what a
  failed call (errorCode) means for it, ATT&CK technique ids, CIS controls, title.
  --json prints one object per detection (id, title, severity, tactics, techniques, cis, controls,
  failedCalls, failedSeverity, readOnly, region; threshold and needsEgressCidrs where they apply).
  --markdown prints the tables of docs/detections.md (npx tsx scripts/generate-detections-doc.ts
  writes them there).

  Exit codes: 0 printed, 2 usage.
`;

/** What a failed call means for a detection, in words. */
export type FailedCallBehaviour = 'ignored' | 'same severity' | 'own severity' | 'only failed calls';

/** One detection as `klaxon detections` shows it. */
export interface DetectionRow {
  id: string;
  title: string;
  severity: Severity;
  tactics: readonly AttackTactic[];
  techniques: readonly string[];
  /** The CIS benchmark controls among its controls (`CIS …`). */
  cis: string[];
  controls: readonly string[];
  failedCalls: FailedCallBehaviour;
  /** The severity a failed call alerts at; absent when failed calls are ignored. */
  failedSeverity?: Severity;
  readOnly: boolean;
  region: 'us-east-1' | 'all';
  /** Threshold detections: what is counted, and the catalog's count and window (klaxon.yml may override). */
  threshold?: ThresholdSpec;
  /** True when the detection is only evaluated with `security.egressCidrs` set. */
  needsEgressCidrs?: true;
}

function failedCalls(d: Detection): FailedCallBehaviour {
  if (d.errors === 'exclude') return 'ignored';
  if (d.errors === 'require') return 'only failed calls';
  return d.failedSeverity === undefined || d.failedSeverity === d.severity ? 'same severity' : 'own severity';
}

/** The catalog as rows, ordered by primary tactic (ATT&CK order), then id. */
export function detectionRows(catalog: readonly Detection[] = DETECTIONS): DetectionRow[] {
  const order = (d: Detection) => ATTACK_TACTICS.indexOf(d.tactics[0] as AttackTactic);
  return [...catalog]
    .sort((a, b) => order(a) - order(b) || a.id.localeCompare(b.id))
    .map((d) => {
      const behaviour = failedCalls(d);
      const row: DetectionRow = {
        id: d.id,
        title: d.title,
        severity: d.severity,
        tactics: d.tactics,
        techniques: d.techniques,
        cis: d.controls.filter((c) => c.startsWith('CIS ')),
        controls: d.controls,
        failedCalls: behaviour,
        readOnly: d.readOnly,
        region: d.region,
      };
      if (behaviour !== 'ignored') row.failedSeverity = d.failedSeverity ?? d.severity;
      if (d.threshold) row.threshold = d.threshold;
      if (d.needsEgressCidrs) row.needsEgressCidrs = true;
      return row;
    });
}

/** The failed-call column: `ignored`, `same`, `only`, or the severity a failed attempt alerts at. */
export function failedCallCell(row: DetectionRow): string {
  switch (row.failedCalls) {
    case 'ignored':
      return 'ignored';
    case 'only failed calls':
      return 'only failed calls';
    case 'same severity':
      return 'same severity';
    default:
      return `alerts at ${row.failedSeverity ?? row.severity}`;
  }
}

const TACTIC_TITLES: Record<AttackTactic, string> = {
  'initial-access': 'Initial access (TA0001)',
  execution: 'Execution (TA0002)',
  persistence: 'Persistence (TA0003)',
  'privilege-escalation': 'Privilege escalation (TA0004)',
  'defense-evasion': 'Defence evasion (TA0005)',
  'credential-access': 'Credential access (TA0006)',
  discovery: 'Discovery (TA0007)',
  'lateral-movement': 'Lateral movement (TA0008)',
  collection: 'Collection (TA0009)',
  exfiltration: 'Exfiltration (TA0010)',
  impact: 'Impact (TA0040)',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The title with what the detection needs besides one event: a threshold, or egress ranges. */
export function titleCell(row: DetectionRow): string {
  const t = row.threshold;
  const unit = t?.counts === 'distinct-calls' ? 'distinct calls' : 'calls';
  const note = t
    ? ` (threshold: ${t.count} ${unit} in ${t.windowSeconds} s)`
    : row.needsEgressCidrs
      ? ' (needs `security.egressCidrs`)'
      : '';
  return `${cell(row.title)}${note}`;
}

/** The Markdown tables of docs/detections.md: one per primary tactic, in ATT&CK order. */
export function renderDetectionsMarkdown(rows: readonly DetectionRow[] = detectionRows()): string {
  const sections: string[] = [];
  for (const tactic of ATTACK_TACTICS) {
    const group = rows.filter((r) => r.tactics[0] === tactic);
    if (group.length === 0) continue;
    sections.push(
      [
        `### ${TACTIC_TITLES[tactic]}`,
        '',
        '| id | severity | failed calls | ATT&CK | CIS | title |',
        '| --- | --- | --- | --- | --- | --- |',
        ...group.map(
          (r) =>
            `| \`${r.id}\` | ${r.severity} | ${failedCallCell(r)} | ${r.techniques.join(', ')} | ${r.cis.join(', ') || '-'} | ${titleCell(r)} |`,
        ),
      ].join('\n'),
    );
  }
  return `${sections.join('\n\n')}\n`;
}

function renderText(rows: readonly DetectionRow[]): string {
  const lines: string[] = [];
  for (const tactic of ATTACK_TACTICS) {
    const group = rows.filter((r) => r.tactics[0] === tactic);
    if (group.length === 0) continue;
    lines.push(`${TACTIC_TITLES[tactic]}: ${group.length}`);
    const width = Math.max(...group.map((r) => r.id.length));
    for (const r of group) {
      const cis = r.cis.length > 0 ? `  [${r.cis.join(', ')}]` : '';
      lines.push(
        `  ${r.id.padEnd(width)}  ${r.severity.padEnd(8)}  failed: ${failedCallCell(r).padEnd(17)}  ${r.techniques.join(',')}${cis}`,
      );
    }
  }
  lines.push(`${rows.length} detections`);
  return `${lines.join('\n')}\n`;
}

/** Runs `klaxon detections`; returns the exit code. */
export function detectionsVerb(args: string[], io: VerbIo): number {
  let values: { json?: boolean; markdown?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: { json: { type: 'boolean', default: false }, markdown: { type: 'boolean', default: false } },
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\n${DETECTIONS_HELP}`);
    return 2;
  }
  if (values.json && values.markdown) {
    io.err(`--json and --markdown exclude each other\n${DETECTIONS_HELP}`);
    return 2;
  }
  const rows = detectionRows();
  if (values.json) io.out(`${JSON.stringify(rows, null, 2)}\n`);
  else if (values.markdown) io.out(renderDetectionsMarkdown(rows));
  else io.out(renderText(rows));
  return 0;
}
