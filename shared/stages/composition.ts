import type { IntakeRecord } from '../sources/envelope';
import { alarmStateStage } from './alarm-state';
import type { AlertDraft } from '../sources/types';
import { classifyStage } from './classify';
import { deliverStage } from './deliver';
import { enrichStage } from './enrich';
import { findingMemoryStage } from './finding-memory';
import { noiseStage } from './noise';
import { observeStage } from './observe';
import { recordStage } from './record';
import { remediateStage } from './remediate';
import { routeStage } from './route';
import { trustStage } from './trust';
import { checkStageOrder, spanned } from './run';
import type { AlertStage } from './stage';

/** One way events reach a function, and the sources it accepts that way. */
export interface Trigger {
  /** The envelope the event arrives in. */
  readonly kind: IntakeRecord['kind'];
  /** Source keys (sourceKeyOf) accepted through this trigger; `heartbeat` admits Klaxon's own beat. */
  readonly sources: readonly string[];
}

/** What one event pipeline function is: its triggers, the sources each accepts, and its stages. */
export interface EventComposition {
  /** The function's name, as in its logs. */
  readonly name: string;
  /** How events reach it; `every` (local replays and tests) accepts any source from any envelope. */
  readonly triggers: readonly Trigger[] | 'every';
  /** Whether security drafts are screened first (allowlists, Klaxon's own roles, failed sign-in counts). */
  readonly screen: boolean;
  /** The stages every alert runs through, in order. */
  readonly stages: readonly AlertStage[];
}

/** The key a trigger's source list names: the `source` label, with the kind for Klaxon's own alerts. */
export function sourceKeyOf(draft: Pick<AlertDraft, 'labels'>): string {
  const { source, kind } = draft.labels;
  return source === 'klaxon' && kind ? `klaxon:${kind}` : (source ?? 'unknown');
}

/** Tells whether a composition accepts a draft that arrived through an envelope of the given kind. */
export function accepts(composition: EventComposition, kind: IntakeRecord['kind'], key: string): boolean {
  if (composition.triggers === 'every') return true;
  return composition.triggers.some((trigger) => trigger.kind === kind && trigger.sources.includes(key));
}

/** Deliver and record, in one `alert` span named after the alert and its routes. */
const deliverAndRecord = spanned(
  'alert',
  (work) => {
    const decision = work.decision;
    const alert = decision?.alert;
    return {
      fingerprint: alert?.fingerprint ?? '',
      source: alert?.labels.source ?? '',
      severity: alert?.severity ?? '',
      route: decision?.routes.join(',') ?? '',
    };
  },
  [observeStage, deliverStage, recordStage],
);

/** Builds a composition after checking its stage order (StageOrderError when a stage comes too early). */
export function composition(parts: EventComposition): EventComposition {
  checkStageOrder(parts.stages);
  return parts;
}

const ALARM_SOURCES = ['cloudwatch-alarm'];

/** CloudWatch alarms by SNS, EventBridge and alarm actions; cost anomalies and the heartbeat by SNS. */
export const alarmNotifierComposition = composition({
  name: 'alarm-notifier',
  triggers: [
    { kind: 'sns', sources: [...ALARM_SOURCES, 'cost-anomaly', 'heartbeat'] },
    { kind: 'eventbridge', sources: ALARM_SOURCES },
    { kind: 'alarm-action', sources: ALARM_SOURCES },
  ],
  screen: false,
  stages: [
    enrichStage,
    classifyStage,
    trustStage,
    routeStage,
    alarmStateStage,
    noiseStage,
    remediateStage,
    deliverAndRecord,
  ],
});

/** Every alert stage, in order: the security responder's list, and the one replays and tests run. */
const EVERY_STAGE: readonly AlertStage[] = [
  enrichStage,
  classifyStage,
  trustStage,
  findingMemoryStage,
  routeStage,
  alarmStateStage,
  noiseStage,
  remediateStage,
  deliverAndRecord,
];

/**
 * CloudTrail detections, GuardDuty and Security Hub findings, and the SSM status of remediations, by
 * EventBridge; the same findings and detections (never SSM status) inside SNS messages from topics
 * listed in `intake.eventBridgeOverSns`, which the pipeline checks per topic and account.
 */
export const securityResponderComposition = composition({
  name: 'security-responder',
  triggers: [
    { kind: 'eventbridge', sources: ['cloudtrail', 'guardduty', 'securityhub', 'klaxon:remediation-status'] },
    { kind: 'sns', sources: ['cloudtrail', 'guardduty', 'securityhub'] },
  ],
  screen: true,
  stages: EVERY_STAGE,
});

/** AWS Health, CodeDeploy, ECS, Auto Scaling and Cost Anomaly Detection events, by EventBridge. */
export const operationalEventsComposition = composition({
  name: 'operational-events',
  triggers: [
    { kind: 'eventbridge', sources: ['aws-health', 'codedeploy', 'ecs', 'autoscaling', 'cost-anomaly'] },
  ],
  screen: false,
  stages: [
    classifyStage,
    trustStage,
    routeStage,
    alarmStateStage,
    noiseStage,
    remediateStage,
    deliverAndRecord,
  ],
});

/** Every source from every envelope, through every stage: local replays, the self-check's own alerts, tests. */
export const everySourceComposition = composition({
  name: 'klaxon',
  triggers: 'every',
  screen: true,
  stages: EVERY_STAGE,
});
