import type { SourceDescriptor } from '../descriptor';
import {
  AUTOSCALING_ACTIVITY_DETAIL_TYPES,
  AUTOSCALING_LIFECYCLE_DETAIL_TYPES,
  normalizeAutoScaling,
} from './normalize';

/**
 * Auto Scaling launches and terminations (informational: `scaling` alerts). Lifecycle hooks are
 * registered, so they are ignored with a reason, but no rule subscribes to them: their outcome
 * follows as an activity event.
 */
export const autoScalingSource: SourceDescriptor = {
  id: 'autoscaling',
  label: 'autoscaling',
  informational: true,
  eventBridge: [
    {
      source: 'aws.autoscaling',
      detailTypes: Object.keys(AUTOSCALING_ACTIVITY_DETAIL_TYPES),
      normalize: normalizeAutoScaling,
      rule: 'informational',
    },
    {
      source: 'aws.autoscaling',
      detailTypes: AUTOSCALING_LIFECYCLE_DETAIL_TYPES,
      normalize: normalizeAutoScaling,
    },
  ],
};
