import knownEvents from '../sources/known-events.json';
import { cloudWatchAlarmSource } from '../sources/cloudwatch-alarm/source';
import { costAnomalySource } from '../sources/cost-anomaly/source';
import { heartbeatSource } from '../sources/heartbeat/source';
import { sourceRegistry } from '../sources/normalizer';
import { composition } from '../stages/composition';
import { enrichStage } from '../stages/enrich';
import { ROUTED_STAGES } from './routed-stages';

const ALARM_SOURCES = ['cloudwatch-alarm'];

/** CloudWatch alarms by SNS, EventBridge and alarm actions; cost anomalies and the heartbeat by SNS. */
export const alarmNotifierComposition = composition({
  name: 'alarm-notifier',
  triggers: [
    { kind: 'sns', sources: [...ALARM_SOURCES, 'cost-anomaly', 'heartbeat'] },
    { kind: 'eventbridge', sources: ALARM_SOURCES },
    { kind: 'alarm-action', sources: ALARM_SOURCES },
  ],
  // The heartbeat's SNS shape is tried first, as in the full registry.
  registry: sourceRegistry([heartbeatSource, cloudWatchAlarmSource, costAnomalySource], knownEvents),
  stages: [enrichStage, ...ROUTED_STAGES],
});
