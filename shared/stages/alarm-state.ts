import type { Alert, AlarmState, Provenance } from '../alert/alert';
import type { PipelineDeps } from '../pipeline-deps';
import type { Decision } from '../routing/decide';
import { type AlertStage, needed } from './stage';

const ALARM_STATES: readonly string[] = ['ALARM', 'OK', 'INSUFFICIENT_DATA'];

/** How long the DescribeAlarms call may take before the state counts as unavailable. */
const CHECK_TIMEOUT_MS = 2_000;

/** True when a remediation rule that may act (approve or auto) matches the alert. */
function mayBeRemediated(deps: PipelineDeps, alert: Alert): boolean {
  const labels = { ...alert.labels, severity: alert.severity, status: alert.status };
  return deps.config.remediations.some((rule) => rule.mode !== 'dry-run' && rule.matcher.matches(labels));
}

function sameDimensions(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** The alarm's current state (and whether its metric is the event's), from DescribeAlarms. */
async function currentState(
  deps: PipelineDeps,
  alert: Alert,
): Promise<NonNullable<Provenance['alarmState']>> {
  const reader = deps.alarmStates;
  const name = alert.labels.alarmName ?? '';
  try {
    const found = await reader?.describeAlarms([name], AbortSignal.timeout(CHECK_TIMEOUT_MS));
    const alarm = found?.find((candidate) => candidate.name === name);
    if (!alarm) return { state: 'missing' };
    const state = ALARM_STATES.includes(alarm.state ?? '') ? (alarm.state as AlarmState) : 'unavailable';
    const real = alarm.metric?.dimensions;
    const named = alert.metric?.dimensions;
    return real && named ? { state, dimensionsMatch: sameDimensions(real, named) } : { state };
  } catch (error) {
    deps.observer.note('warn', 'alarm state check failed', {
      alarmName: name,
      error: (error as Error).message,
    });
    return { state: 'unavailable' };
  }
}

function suppress(decision: Decision, reason: string, alarmState?: Provenance['alarmState']): Decision {
  const provenance = decision.alert.provenance;
  const alert =
    provenance && alarmState
      ? { ...decision.alert, provenance: { ...provenance, alarmState } }
      : decision.alert;
  // As every suppression: no receivers; the ones the routes chose are kept as skipped, with why.
  const skipped = [...decision.skipped, ...decision.receivers.map((receiver) => ({ receiver, reason }))];
  return { ...decision, alert, suppressed: reason, receivers: [], skipped };
}

/**
 * Before a resolve or a remediation, asks CloudWatch (DescribeAlarms) for the current state of an
 * alarm in the stack's own account. An OK for an alarm still in ALARM (or that does not exist)
 * resolves nothing: the resolve is suppressed and reported. The state is kept on the provenance, where
 * the remediation stage reads it: no start unless the alarm is in ALARM with the event's dimensions.
 * A resolve by a path not trusted to resolve is suppressed too. When CloudWatch does not answer, a
 * resolve is delivered (fail open: a stuck page is worse, and the topic admits only CloudWatch) and a
 * remediation is not started (fail closed).
 */
export const alarmStateStage: AlertStage = {
  name: 'alarm-state',
  needs: ['decision'],
  gives: ['decision'],
  async run(work, deps) {
    const decision = needed(work, 'decision', 'alarm-state');
    const { alert } = decision;
    const provenance = alert.provenance;
    if (alert.status === 'resolved' && provenance && !provenance.resolve.trusted) {
      deps.observer.note('warn', 'resolve refused: untrusted path', {
        fingerprint: alert.fingerprint,
        reason: provenance.resolve.reason,
      });
      return { ...work, decision: suppress(decision, `resolve refused: ${provenance.resolve.reason}`) };
    }
    const reader = deps.alarmStates;
    if (!reader || !provenance || alert.labels.source !== 'cloudwatch-alarm') return work;
    if (alert.labels.account !== reader.ownAccount || !alert.labels.alarmName) return work;
    if (alert.status === 'firing' && !mayBeRemediated(deps, alert)) return work;
    const alarmState = await currentState(deps, alert);
    const checked: Decision = { ...decision, alert: { ...alert, provenance: { ...provenance, alarmState } } };
    if (alert.status === 'resolved' && (alarmState.state === 'ALARM' || alarmState.state === 'missing')) {
      const reason =
        alarmState.state === 'ALARM'
          ? 'resolve refused: CloudWatch says the alarm is still in ALARM (a forged or stale OK)'
          : 'resolve refused: CloudWatch has no such alarm in this account (a forged OK)';
      deps.observer.note('warn', reason, {
        fingerprint: alert.fingerprint,
        alarmName: alert.labels.alarmName,
      });
      return { ...work, decision: suppress(checked, reason, alarmState) };
    }
    return { ...work, decision: checked };
  },
};
