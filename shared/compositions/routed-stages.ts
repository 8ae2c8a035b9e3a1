import { alarmStateStage } from '../stages/alarm-state';
import { classifyStage } from '../stages/classify';
import { deliverAndRecord } from '../stages/composition';
import { noiseStage } from '../stages/noise';
import { remediateStage } from '../stages/remediate';
import { routeStage } from '../stages/route';
import type { AlertStage } from '../stages/stage';
import { trustStage } from '../stages/trust';

/**
 * The stages from classification to the record, without the finding memory (GuardDuty and Security
 * Hub only): what the alarm notifier and the self-check run after enrichment, and the operational
 * events function runs alone.
 */
export const ROUTED_STAGES: readonly AlertStage[] = [
  classifyStage,
  trustStage,
  routeStage,
  alarmStateStage,
  noiseStage,
  remediateStage,
  deliverAndRecord,
];
