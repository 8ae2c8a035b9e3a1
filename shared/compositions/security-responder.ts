import { EVERY_SOURCE } from '../sources/registry';
import { composition } from '../stages/composition';
import { securityScreen } from '../stages/security-screen';
import { EVERY_STAGE } from './every-stage';

/**
 * CloudTrail detections, GuardDuty and Security Hub findings, and the SSM status of remediations, by
 * EventBridge; the same findings and detections (never SSM status) inside SNS messages from topics
 * listed in `intake.eventBridgeOverSns`, which the pipeline checks per topic and account. It parses
 * every source: a listed topic may carry alarms too, and those must be recognized to be refused.
 */
export const securityResponderComposition = composition({
  name: 'security-responder',
  triggers: [
    { kind: 'eventbridge', sources: ['cloudtrail', 'guardduty', 'securityhub', 'klaxon:remediation-status'] },
    { kind: 'sns', sources: ['cloudtrail', 'guardduty', 'securityhub'] },
  ],
  registry: EVERY_SOURCE,
  screen: securityScreen,
  stages: EVERY_STAGE,
});
