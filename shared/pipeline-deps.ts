import type { KlaxonConfig } from './config/load';
import type { Dispatcher } from './delivery/dispatcher';
import type { CloudWatchPort } from './enrichment/cloudwatch-port';
import type { Enricher } from './enrichment/enricher';
import type { NoiseStage } from './noise/engine';
import type { PipelineObserver } from './observability/observer';
import type { DeliveryResult, Receiver } from './receivers/types';
import type { RemediationDecision, Remediator } from './remediation/remediator';
import type { Decision } from './routing/decide';
import type { FailedLoginCounter } from './security/failed-logins';
import type { ThresholdCounter } from './security/thresholds';
import type { StateStore } from './state/store';

/** `deliver` sends to receivers; `preview` renders what would be sent and sends nothing. */
export type PipelineMode = 'deliver' | 'preview';

/** What the pipeline runs over; built once per cold start (or per replay). */
export interface PipelineDeps {
  config: KlaxonConfig;
  receivers: ReadonlyMap<string, Receiver>;
  mode: PipelineMode;
  observer: PipelineObserver;
  now: () => Date;
  /** Required in deliver mode: exactly-once, paced, durably retried delivery. */
  dispatcher?: Dispatcher;
  /** The state table, for what the pipeline remembers itself (finding updates); absent in replays. */
  store?: StateStore;
  /** Counts failed console sign-ins; defaults to an in-process counter. */
  failedLogins?: FailedLoginCounter;
  /** Counts threshold detections' hits; defaults to the state store, else an in-process one. */
  thresholds?: ThresholdCounter;
  /** ARNs of Klaxon's own roles, whose calls never raise a detection. */
  ownRoleArns?: readonly string[];
  /** The remediation stage (shared/remediation), run once per alert after routing; absent without rules. */
  remediator?: Pick<Remediator, 'consider'>;
  /** Adds AWS context (alarm tags, definition, datapoints, links) before classify; absent: none. */
  enricher?: Enricher;
  /**
   * DescribeAlarms in the stack's own account, for the alarm-state check before a resolve or a
   * remediation (shared/stages/alarm-state.ts); absent (replays): nothing is checked.
   */
  alarmStates?: Pick<CloudWatchPort, 'describeAlarms'> & { ownAccount: string };
  /** Silences, maintenance windows, inhibition, flap damping, repeats, decision records (shared/noise); absent: none. */
  noise?: NoiseStage;
}

/** One alert's decision, deliveries, and (in preview mode) the exact payload per receiver. */
export interface AlertOutcome {
  decision: Decision;
  deliveries: DeliveryResult[];
  payloads: Record<string, unknown>;
  /** What the remediation stage decided, when a remediation rule matched (or for an SSM status report). */
  remediation?: RemediationDecision;
}

/** A notice to humans about input Klaxon could not use, sent to the catch-all receiver. */
export interface NoticeOutcome {
  record: number;
  reason: string;
  receivers: string[];
  deliveries: DeliveryResult[];
  payloads: Record<string, unknown>;
}

/** Everything one invocation (or one replayed file) produced. */
export interface ProcessResult {
  outcome: 'alerts' | 'ignored' | 'invalid';
  error?: string;
  alerts: AlertOutcome[];
  notices: NoticeOutcome[];
  errors: Array<{ record: number; error: string }>;
  ignored: Array<{ record: number; reason: string }>;
  /** Set when a delivery could neither finish nor be queued: the invocation must be retried. */
  incomplete?: string;
}
