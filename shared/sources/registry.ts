import { autoScalingSource } from './autoscaling/source';
import { cloudTrailSource } from './cloudtrail/source';
import { cloudWatchAlarmSource } from './cloudwatch-alarm/source';
import { codeDeploySource } from './codedeploy/source';
import { costAnomalySource } from './cost-anomaly/source';
import type { SourceDescriptor } from './descriptor';
import { ecsSource } from './ecs/source';
import type { IntakeRecord } from './envelope';
import { guardDutySource } from './guardduty/source';
import { healthSource } from './health/source';
import { heartbeatSource } from './heartbeat/source';
import { sourceRegistry } from './normalizer';
import { securityHubSource } from './securityhub/source';
import { ssmStatusSource } from './ssm/source';
import type { NormalizeResult } from './types';

/**
 * Every source Klaxon understands. Add a source by adding its descriptor here (see
 * docs/extending-sources.md), and to the composition of the function that receives it
 * (shared/compositions/). SNS shapes are tried in this order, so the heartbeat comes first; the
 * generated deploy lists (deploy/sources.json) keep this order too.
 */
export const SOURCES: readonly SourceDescriptor[] = [
  heartbeatSource,
  cloudWatchAlarmSource,
  cloudTrailSource,
  guardDutySource,
  securityHubSource,
  ssmStatusSource,
  healthSource,
  codeDeploySource,
  ecsSource,
  autoScalingSource,
  costAnomalySource,
];

/** The registry of every source: replays, the security responder, tests. */
export const EVERY_SOURCE = sourceRegistry(SOURCES);

/** Picks the normalizer for one record among every source and runs it; bad input becomes a result, never an exception. */
export function normalizeRecord(record: IntakeRecord): NormalizeResult {
  return EVERY_SOURCE.normalizeRecord(record);
}
