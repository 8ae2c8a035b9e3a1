import { isRecord } from '../../json';
import type { SourceDescriptor } from '../descriptor';
import {
  alarmTransitionToDraft,
  transitionFromAlarmAction,
  transitionFromContributor,
  transitionFromEventBridge,
  transitionFromSns,
} from './normalize';

/** The detail-type of an alarm's state change on the default event bus. */
export const ALARM_STATE_CHANGE_DETAIL_TYPE = 'CloudWatch Alarm State Change';
/** The detail-type of a Metrics Insights contributor's state change. */
export const ALARM_CONTRIBUTOR_DETAIL_TYPE = 'CloudWatch Alarm Contributor State Change';
/** The detail-type of an alarm's configuration change: registered, and ignored with a reason. */
export const ALARM_CONFIGURATION_DETAIL_TYPE = 'CloudWatch Alarm Configuration Change';

/** CloudWatch alarms, by SNS (alarm actions to a topic), EventBridge and direct Lambda alarm actions. */
export const cloudWatchAlarmSource: SourceDescriptor = {
  id: 'cloudwatch-alarm',
  label: 'cloudwatch-alarm',
  informational: false,
  eventBridge: [
    {
      source: 'aws.cloudwatch',
      detailTypes: [ALARM_STATE_CHANGE_DETAIL_TYPE],
      normalize: (event, raw, topicArn) => ({
        kind: 'alerts',
        drafts: [alarmTransitionToDraft(transitionFromEventBridge(event, topicArn), raw)],
      }),
      rule: 'alarm-state-changes',
    },
    {
      source: 'aws.cloudwatch',
      detailTypes: [ALARM_CONTRIBUTOR_DETAIL_TYPE],
      normalize: (event, raw, topicArn) => ({
        kind: 'alerts',
        drafts: [alarmTransitionToDraft(transitionFromContributor(event, topicArn), raw)],
      }),
      rule: 'alarm-state-changes',
    },
    {
      source: 'aws.cloudwatch',
      detailTypes: [ALARM_CONFIGURATION_DETAIL_TYPE],
      normalize: () => ({ kind: 'ignored', reason: 'alarm configuration change: not a state change' }),
    },
  ],
  sns: {
    matches: (message) => isRecord(message) && 'AlarmName' in message && 'NewStateValue' in message,
    normalize: (message, record) => {
      const transition = transitionFromSns(message, {
        topicArn: record.topicArn,
        timestamp: record.timestamp,
      });
      return { kind: 'alerts', drafts: [alarmTransitionToDraft(transition, message)] };
    },
  },
  alarmAction: (payload) => ({
    kind: 'alerts',
    drafts: [alarmTransitionToDraft(transitionFromAlarmAction(payload), payload)],
  }),
};
