import { EVERY_SOURCE } from '../sources/registry';
import { composition, type EventComposition } from '../stages/composition';
import { securityScreen } from '../stages/security-screen';
import { EVERY_STAGE } from './every-stage';

/** Every source from every envelope, through every stage: local replays and tests. */
export const everySourceComposition: EventComposition = composition({
  name: 'klaxon',
  triggers: 'every',
  registry: EVERY_SOURCE,
  screen: securityScreen,
  stages: EVERY_STAGE,
});
