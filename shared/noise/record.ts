import type { Alert } from '../alert/alert';
import type { DeliveryResult } from '../receivers/types';
import { type CompiledRoute, matchRoutes } from '../routing/routes';
import { alertName } from '../alert/name';

/** One route node the walk considered, in evaluation order. */
export interface RouteStep {
  route: string;
  /** The node's path in klaxon.yml (`route.routes[0]`). */
  path: string;
  depth: number;
  matcher: string;
  receiver: string;
  continue: boolean;
  /** False: an earlier sibling matched without `continue`, so this node was never evaluated. */
  reached: boolean;
  matched: boolean;
  /** True for the routes that deliver (the deepest matches, as Alertmanager picks them). */
  selected: boolean;
}

/** What suppressed an alert, by kind. */
export type SuppressionKind = 'source' | 'silence' | 'window' | 'inhibition' | 'flapping' | 'resolve-policy';

/** The decision record of one event: what arrived, what it became, why it went where it went. */
export interface DecisionRecord {
  at: string;
  mode: 'deliver' | 'preview';
  fingerprint: string;
  transitionId: string;
  /** Set for follow-ups (a mute ended, a repeat, a flap settled) rather than an arriving event. */
  note?: string;
  /** `provenance`: the trigger, topic or bus, and what that path is trusted for (one line). */
  arrived: { path: string; excerpt: string; provenance?: string };
  alert: {
    status: Alert['status'];
    severity: Alert['severity'];
    summary: string;
    labels: Record<string, string>;
  };
  severitySource: string;
  routes: RouteStep[];
  /** Receivers the routes chose (before any suppression). */
  receivers: string[];
  skipped: Array<{ receiver: string; reason: string }>;
  suppressed?: { kind: SuppressionKind; reason: string; by?: string };
  flapping?: string;
  /** Notes added by `annotate` rules (e.g. a deployment in progress on the same service). */
  context?: string[];
  /** What a remediation rule planned, started or refused, and why (one line). */
  remediation?: string;
  deliveries: Array<Pick<DeliveryResult, 'receiver' | 'outcome' | 'status' | 'error'>>;
}

/** Walks the route tree as matchRoutes does, recording every node considered and whether it matched. */
export function traceRoutes(
  root: CompiledRoute,
  labels: Readonly<Record<string, string | undefined>>,
): RouteStep[] {
  const selected = new Set(matchRoutes(root, labels).map((route) => route.configPath));
  const steps: RouteStep[] = [];
  const step = (node: CompiledRoute, depth: number, reached: boolean, matched: boolean) =>
    steps.push({
      route: node.name,
      path: node.configPath,
      depth,
      matcher: node.matcher.description,
      receiver: node.receiver,
      continue: node.continue,
      reached,
      matched,
      selected: reached && selected.has(node.configPath),
    });
  const visit = (node: CompiledRoute, depth: number): boolean => {
    const matched = node.matcher.matches(labels);
    step(node, depth, true, matched);
    if (!matched) return false;
    let stopped = false;
    for (const child of node.routes) {
      if (stopped) {
        step(child, depth + 1, false, false);
        continue;
      }
      if (visit(child, depth + 1) && !child.continue) stopped = true;
    }
    return true;
  };
  visit(root, 0);
  return steps;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** Renders a decision record for humans (`klaxon explain`). */
export function formatRecord(record: DecisionRecord): string {
  const a = record.alert;
  const name = alertName(a.labels, record.fingerprint);
  const lines = [
    `${record.at}  ${name}  ${a.status} ${a.severity}${record.mode === 'preview' ? '  (preview)' : ''}`,
  ];
  if (record.note) lines.push(`  note:        ${record.note}`);
  lines.push(`  arrived:     ${record.arrived.path}  ${record.arrived.excerpt.slice(0, 160)}`);
  if (record.arrived.provenance) lines.push(`  provenance:  ${record.arrived.provenance}`);
  lines.push(`  became:      "${a.summary}"; severity ${a.severity} from ${record.severitySource}`);
  lines.push(`  fingerprint: ${record.fingerprint}`);
  lines.push(`  transition:  ${record.transitionId}`);
  lines.push(
    `  labels:      ${Object.entries(a.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  lines.push('  routes:');
  for (const s of record.routes) {
    const mark = !s.reached ? 'not reached' : s.matched ? (s.selected ? 'MATCH  ->' : 'match') : 'no match';
    lines.push(
      `    ${pad(`${'  '.repeat(s.depth)}${s.route}`, 28)} ${pad(s.matcher, 36)} ${pad(mark, 11)} ${s.selected ? s.receiver : ''}${s.continue ? ' (continue)' : ''}`.trimEnd(),
    );
  }
  for (const skipped of record.skipped) lines.push(`  skipped:     ${skipped.receiver}: ${skipped.reason}`);
  if (record.flapping) lines.push(`  flapping:    ${record.flapping}`);
  for (const note of record.context ?? []) lines.push(`  context:     ${note}`);
  if (record.remediation) lines.push(`  remediation: ${record.remediation}`);
  if (record.suppressed) {
    lines.push(`  suppressed:  ${record.suppressed.kind}: ${record.suppressed.reason}`);
    lines.push(`  would go to: ${record.receivers.join(', ') || '(nobody)'}`);
  } else {
    lines.push(`  receivers:   ${record.receivers.join(', ') || '(none)'}`);
  }
  for (const d of record.deliveries) {
    lines.push(
      `  answer:      ${d.receiver}: ${d.outcome}${d.status ? ` (HTTP ${d.status})` : ''}${d.error ? ` - ${d.error}` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
