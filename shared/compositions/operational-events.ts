import knownEvents from '../sources/known-events.json';
import { autoScalingSource } from '../sources/autoscaling/source';
import { codeDeploySource } from '../sources/codedeploy/source';
import { costAnomalySource } from '../sources/cost-anomaly/source';
import { ecsSource } from '../sources/ecs/source';
import { healthSource } from '../sources/health/source';
import { sourceRegistry } from '../sources/normalizer';
import { composition } from '../stages/composition';
import { ROUTED_STAGES } from './routed-stages';

/** AWS Health, CodeDeploy, ECS, Auto Scaling and Cost Anomaly Detection events, by EventBridge. */
export const operationalEventsComposition = composition({
  name: 'operational-events',
  triggers: [
    { kind: 'eventbridge', sources: ['aws-health', 'codedeploy', 'ecs', 'autoscaling', 'cost-anomaly'] },
  ],
  registry: sourceRegistry(
    [healthSource, codeDeploySource, ecsSource, autoScalingSource, costAnomalySource],
    knownEvents,
  ),
  stages: ROUTED_STAGES,
});
