import { composition, type StageComposition } from '../stages/composition';
import { enrichStage } from '../stages/enrich';
import { ROUTED_STAGES } from './routed-stages';

/**
 * The alerts the self-check raises itself: drafts (no envelope, no source registry) through every
 * stage but the finding memory, which only ever acts on GuardDuty and Security Hub findings.
 */
export const selfCheckComposition: StageComposition = composition({
  name: 'self-check',
  stages: [enrichStage, ...ROUTED_STAGES],
});
