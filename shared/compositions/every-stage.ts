import { alarmStateStage } from '../stages/alarm-state';
import { classifyStage } from '../stages/classify';
import { deliverAndRecord } from '../stages/composition';
import { enrichStage } from '../stages/enrich';
import { findingMemoryStage } from '../stages/finding-memory';
import { noiseStage } from '../stages/noise';
import { remediateStage } from '../stages/remediate';
import { routeStage } from '../stages/route';
import type { AlertStage } from '../stages/stage';
import { trustStage } from '../stages/trust';

/** Every alert stage, in order: the security responder's list, and the one replays and tests run. */
export const EVERY_STAGE: readonly AlertStage[] = [
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
