import type { Provenance } from '../alert/alert';
import type { AlertOutcome, ProcessResult } from '../pipeline-deps';
import type { RemediationDecision } from '../remediation/remediator';

/** One alert in the replay `--json` contract (docs/replay-output.md). */
export interface ReplayAlert {
  fingerprint: string;
  transitionId: string;
  status: 'firing' | 'resolved';
  severity: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  route: string[];
  receivers: string[];
  suppressed?: string;
  /** What a remediation rule decided for this alert (additive to the contract). */
  remediation?: RemediationDecision;
  /** How it arrived and what that path is trusted for (additive to the contract). */
  provenance?: Provenance;
}

/** One line of the replay `--json` output. */
export interface ReplayLine {
  file: string;
  outcome: ProcessResult['outcome'];
  error?: string;
  alerts: ReplayAlert[];
  notices?: Array<{ receivers: string[]; reason: string }>;
  errors?: Array<{ record: number; error: string }>;
}

function toReplayAlert(outcome: AlertOutcome): ReplayAlert {
  const { decision } = outcome;
  const { alert } = decision;
  const annotations = Object.fromEntries(
    Object.entries(alert.annotations).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return {
    fingerprint: alert.fingerprint,
    transitionId: alert.transitionId,
    status: alert.status,
    severity: alert.severity,
    labels: { ...alert.labels },
    annotations,
    route: decision.routes,
    receivers: decision.suppressed ? [] : decision.receivers,
    ...(decision.suppressed ? { suppressed: decision.suppressed } : {}),
    ...(outcome.remediation ? { remediation: outcome.remediation } : {}),
    ...(alert.provenance ? { provenance: alert.provenance } : {}),
  };
}

/** Renders one processed file as a line of the replay `--json` contract. */
export function toReplayLine(file: string, result: ProcessResult): ReplayLine {
  const line: ReplayLine = { file, outcome: result.outcome, alerts: result.alerts.map(toReplayAlert) };
  if (result.error) line.error = result.error;
  if (result.notices.length > 0) {
    line.notices = result.notices.map((n) => ({ receivers: n.receivers, reason: n.reason }));
  }
  if (result.errors.length > 0 && result.outcome !== 'invalid') line.errors = result.errors;
  return line;
}
