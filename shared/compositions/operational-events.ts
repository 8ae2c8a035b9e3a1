import knownEvents from '../sources/known-events.json';
import { autoScalingSource } from '../sources/autoscaling/source';
import { codeDeploySource } from '../sources/codedeploy/source';
import { costAnomalySource } from '../sources/cost-anomaly/source';
import { ecsSource } from '../sources/ecs/source';
import { healthSource } from '../sources/health/source';
import { sourceRegistry } from '../sources/normalizer';
import { alarmStateStage } from '../stages/alarm-state';
import { classifyStage } from '../stages/classify';
import { composition, deliverAndRecord } from '../stages/composition';
import { noiseStage } from '../stages/noise';
import { remediateStage } from '../stages/remediate';
import { routeStage } from '../stages/route';
import { trustStage } from '../stages/trust';

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
