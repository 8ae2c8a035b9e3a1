import type { SourceDescriptor } from '../descriptor';
import { ECS_DEPLOYMENT_DETAIL_TYPE, normalizeEcsDeployment } from './normalize';

/** ECS service deployment state changes (informational: `deployment` alerts). */
export const ecsSource: SourceDescriptor = {
  id: 'ecs',
  label: 'ecs',
  informational: true,
  eventBridge: [
    {
      source: 'aws.ecs',
      detailTypes: [ECS_DEPLOYMENT_DETAIL_TYPE],
      normalize: normalizeEcsDeployment,
      rule: 'informational',
    },
  ],
};
