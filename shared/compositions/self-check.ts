import { alarmStateStage } from '../stages/alarm-state';
import { classifyStage } from '../stages/classify';
import { composition, deliverAndRecord, type StageComposition } from '../stages/composition';
import { enrichStage } from '../stages/enrich';
import { noiseStage } from '../stages/noise';
import { remediateStage } from '../stages/remediate';
import { routeStage } from '../stages/route';
import { trustStage } from '../stages/trust';

/**
 * The alerts the self-check raises itself: drafts (no envelope, no source registry) through every
 * stage but the finding memory, which only ever acts on GuardDuty and Security Hub findings.
 */
export const selfCheckComposition: StageComposition = composition({
  name: 'self-check',
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
