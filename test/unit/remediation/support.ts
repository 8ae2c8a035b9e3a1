import type { Alert } from '../../../shared/alert/alert';
import type { KlaxonConfig } from '../../../shared/config/load';
import { loadConfig } from '../../../shared/config/yaml';
import type { DeliveryJob } from '../../../shared/delivery/jobs';
import type { DeliveryQueue } from '../../../shared/delivery/queue';
import { silentObserver } from '../../../shared/observability/observer';
import type { PipelineObserver } from '../../../shared/observability/observer';
import type { Decision } from '../../../shared/routing/decide';
import { Remediator, type RemediatorDeps } from '../../../shared/remediation/remediator';
import type { RunCommand, SsmAutomation } from '../../../shared/remediation/ssm';
import { MemoryStateStore } from '../../../shared/state/memory';

/** A Run Command fake recording every send; `fail` makes the next sends throw. */
export class FakeRunCommand implements RunCommand {
  readonly sent: Array<Parameters<RunCommand['send']>[0]> = [];
  fail = 0;

  async send(input: Parameters<RunCommand['send']>[0]): Promise<string> {
    if (this.fail > 0) {
      this.fail -= 1;
      throw new Error('InvalidInstanceId: not a managed instance');
    }
    this.sent.push(input);
    return `cmd-${this.sent.length}`;
  }

  async invocation(): Promise<{ status: string; output?: string }> {
    return { status: 'Failed', output: 'exit 1' };
  }
}

/** An Automation fake: one execution per ClientToken, as SSM does. */
export class FakeAutomation implements SsmAutomation {
  readonly started: Array<Parameters<SsmAutomation['start']>[0]> = [];
  private readonly byToken = new Map<string, string>();

  async start(input: Parameters<SsmAutomation['start']>[0]): Promise<string> {
    const existing = this.byToken.get(input.clientToken);
    if (existing) return existing;
    this.started.push(input);
    const id = `exec-${this.started.length}`;
    this.byToken.set(input.clientToken, id);
    return id;
  }

  async status(): Promise<{ status: string; failure?: string }> {
    return { status: 'Failed', failure: 'Step restart failed' };
  }
}

/** A queue recording jobs. */
export class JobQueue implements DeliveryQueue {
  readonly jobs: Array<{ job: DeliveryJob; delay: number }> = [];
  async retry(job: DeliveryJob, delaySeconds: number): Promise<void> {
    this.jobs.push({ job, delay: delaySeconds });
  }
  async deadLetter(): Promise<void> {}
}

/** An observer keeping notes and counts for assertions. */
export function recordingObserver(): PipelineObserver & {
  notes: Array<{ level: string; message: string; fields: Record<string, unknown> }>;
  counts: Array<{ name: string; dimensions: unknown }>;
} {
  const notes: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const counts: Array<{ name: string; dimensions: unknown }> = [];
  return {
    ...silentObserver,
    notes,
    counts,
    note: (level, message, fields) => notes.push({ level, message, fields }),
    count: (name, dimensions) => counts.push({ name, dimensions }),
  };
}

export const OWN_ROLE = 'arn:aws:iam::123456789012:role/klaxon-prod-us-east-1-lambdaRole';

/** A config with console receivers and the given remediation YAML (indented under the top level). */
export function remediationConfig(yaml: string): KlaxonConfig {
  return loadConfig(`
receivers:
  chat: { type: console }
  pager: { type: pagerduty, routingKey: { env: PD_KEY } }
  ops: { type: console }
route:
  receiver: chat
${yaml}
`);
}

/** An unhealthy-instance alarm alert; `n` makes a distinct transition. */
export function instanceAlert(
  n = 1,
  labels: Record<string, string> = {},
  overrides: Partial<Alert> = {},
): Alert {
  const arn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-prod-unhealthy';
  const instanceId = 'InstanceId' in labels ? labels.InstanceId : 'i-0a1b2c3d4e5f67890';
  return {
    labels: {
      source: 'cloudwatch-alarm',
      account: '123456789012',
      region: 'us-east-1',
      alarmName: 'web-prod-unhealthy',
      state: 'ALARM',
      InstanceId: 'i-0a1b2c3d4e5f67890',
      ...labels,
    },
    annotations: { summary: 'ALARM: web-prod-unhealthy' },
    severity: 'warning',
    status: 'firing',
    fingerprint: arn,
    transitionId: `${arn}|ALARM|${1_000 + n}`,
    startsAt: '2026-03-14T09:45:12.204Z',
    observedAt: '2026-03-14T09:45:12.500Z',
    path: 'sns',
    // The alarm's metric names the instance: its dimension is the remediation target.
    metric: { dimensions: instanceId ? { InstanceId: instanceId } : {} },
    // The stack's alarm topic, and CloudWatch confirmed the alarm is in ALARM (the alarm-state stage).
    provenance: {
      trigger: 'sns',
      via: 'arn:aws:sns:us-east-1:123456789012:klaxon-prod-alarms',
      remediation: { trusted: true, reason: "the stack's alarm topic" },
      resolve: { trusted: true, reason: "the stack's alarm topic" },
      alarmState: { state: 'ALARM', dimensionsMatch: true },
    },
    links: [],
    raw: undefined,
    ...overrides,
  };
}

/** The routing decision for an alert, as `decide` makes it. */
export function decisionOf(alert: Alert, receivers = ['chat'], suppressed?: string): Decision {
  return {
    alert,
    severitySource: 'default',
    routes: ['(root)'],
    receivers,
    skipped: [],
    groups: {},
    ...(suppressed ? { suppressed } : {}),
  };
}

/** An SSM status report as the normalizer makes it, routed. */
export function statusDecision(
  executionId: string,
  status: string,
  result: 'succeeded' | 'failed',
): Decision {
  return decisionOf({
    labels: {
      source: 'klaxon',
      account: '123456789012',
      region: 'us-east-1',
      kind: 'remediation-status',
      executionId,
      executionType: 'command',
      document: 'AWS-RunShellScript',
      executionStatus: status,
      executionResult: result,
    },
    annotations: { summary: `Run Command AWS-RunShellScript ${executionId}: ${status}` },
    severity: 'info',
    status: 'firing',
    fingerprint: `klaxon:remediation:${executionId}`,
    transitionId: `klaxon:remediation:${executionId}:${status}`,
    startsAt: '2026-03-14T09:50:00.000Z',
    observedAt: '2026-03-14T09:50:00.000Z',
    path: 'eventbridge',
    links: [],
    raw: undefined,
  });
}

/** A remediator over in-memory state and fakes, with a settable clock. */
export function setup(config: KlaxonConfig, overrides: Partial<RemediatorDeps> = {}) {
  let now = Date.UTC(2026, 2, 14, 9, 45, 13);
  const store = new MemoryStateStore();
  const runCommand = new FakeRunCommand();
  const automation = new FakeAutomation();
  const queue = new JobQueue();
  const observer = recordingObserver();
  const remediator = new Remediator({
    config,
    observer,
    now: () => new Date(now),
    store,
    runCommand,
    automation,
    queue,
    ownRoleArns: [OWN_ROLE],
    ownAccount: '123456789012',
    ...overrides,
  });
  return {
    remediator,
    store,
    runCommand,
    automation,
    queue,
    observer,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
    live: (decision: Decision) => remediator.consider(decision, { mode: 'deliver' }),
  };
}
