import type { Provenance, Trust } from '../alert/alert';
import type { IntakeRecord } from '../sources/envelope';
import type { AlertDraft } from '../sources/types';

const trusted = (reason: string): Trust => ({ trusted: true, reason });
const untrusted = (reason: string): Trust => ({ trusted: false, reason });

/** The operator's intake lists, as provenance needs them (from `intake:` in klaxon.yml). */
export interface IntakeLists {
  /** `intake.alarmTopics`: topics whose alarm notifications are accepted. */
  readonly alarmTopics: readonly { readonly arn: string }[];
  /** `intake.eventBridgeOverSns`: topics that may carry EventBridge events, and for which accounts. */
  readonly eventBridgeOverSns: readonly { readonly topicArn: string; readonly accounts: readonly string[] }[];
}

/** The source key of SSM status events (remediation feedback): never accepted through SNS. */
const SSM_STATUS_KEY = 'klaxon:remediation-status';

/**
 * Why an EventBridge event inside an SNS message (of source key `key`, see sourceKeyOf) is refused, or undefined when its topic is listed in
 * `intake.eventBridgeOverSns` for the event's account. SSM status events, which close remediations,
 * are refused through SNS whatever the topic: they only come from the stack's own EventBridge rules.
 */
export function eventBridgeOverSnsRefusal(
  draft: Pick<AlertDraft, 'eventBridgeInSns'>,
  key: string,
  record: IntakeRecord,
  intake: IntakeLists,
): string | undefined {
  const wrapped = draft.eventBridgeInSns;
  if (!wrapped || record.kind !== 'sns') return undefined;
  if (key === SSM_STATUS_KEY) {
    return `an SSM status event inside an SNS message on ${record.topicArn}: ignored; remediation status is accepted only from the stack's own EventBridge rules`;
  }
  const listed = intake.eventBridgeOverSns.find((topic) => topic.topicArn === record.topicArn);
  if (!listed) {
    return `an EventBridge event (${key}) inside an SNS message on ${record.topicArn}: ignored; only topics listed in intake.eventBridgeOverSns may carry EventBridge events`;
  }
  if (!listed.accounts.includes(wrapped.account)) {
    return `an EventBridge event (${key}) of account ${wrapped.account} inside an SNS message on ${record.topicArn}: ignored; intake.eventBridgeOverSns lists ${listed.accounts.join(', ')} for that topic`;
  }
  return undefined;
}

/**
 * What a path is trusted for (docs/threat-model.md). The stack's alarm topic admits only CloudWatch,
 * Cost Anomaly Detection and the heartbeat (an explicit Deny for everyone else); a topic listed in
 * `intake.alarmTopics` is governed by its owner's policy; an EventBridge event inside an SNS
 * message can be written by anyone who may publish; on a bus, only `aws.` sources come from AWS.
 */
export function provenanceOf(
  draft: Pick<AlertDraft, 'labels' | 'eventBridgeInSns'>,
  record: IntakeRecord,
  intake: IntakeLists,
): Provenance {
  const source = draft.labels.source;
  if (record.kind === 'sns') {
    const via = record.topicArn;
    if (draft.eventBridgeInSns) {
      // Accepted only when the topic is opted in (eventBridgeOverSnsRefusal); never remediates.
      const optedIn = intake.eventBridgeOverSns.some((topic) => topic.topicArn === via);
      const why = optedIn
        ? `an EventBridge event on ${via}, a topic opted in by intake.eventBridgeOverSns: whoever may publish there can write one`
        : `an EventBridge event inside an SNS message on ${via}, a topic not listed in intake.eventBridgeOverSns`;
      return {
        trigger: 'sns',
        via,
        ...(optedIn ? { optedIn: 'intake.eventBridgeOverSns' as const } : {}),
        remediation: untrusted(why),
        resolve: optedIn
          ? trusted(
              'opted in by intake.eventBridgeOverSns (own-account alarms are checked with DescribeAlarms)',
            )
          : untrusted(why),
      };
    }
    if (source !== 'cloudwatch-alarm' && source !== 'cost-anomaly') {
      const why = `a ${source} event inside an SNS message: anyone allowed to publish to ${via} can write one`;
      return { trigger: 'sns', via, remediation: untrusted(why), resolve: untrusted(why) };
    }
    if (intake.alarmTopics.some((topic) => topic.arn === via)) {
      return {
        trigger: 'sns',
        via,
        remediation: untrusted(
          'a topic listed in intake.alarmTopics: its own policy, not this stack, decides who publishes',
        ),
        resolve: trusted(
          'alarm notification on a listed topic (own-account alarms are checked with DescribeAlarms)',
        ),
      };
    }
    return {
      trigger: 'sns',
      via,
      remediation: trusted("the stack's alarm topic: its policy denies every publisher but CloudWatch"),
      resolve: trusted("the stack's alarm topic: its policy denies every publisher but CloudWatch"),
    };
  }
  if (record.kind === 'eventbridge') {
    const eventSource = typeof record.event.source === 'string' ? record.event.source : '(none)';
    const why = eventSource.startsWith('aws.')
      ? trusted(`EventBridge event from ${eventSource}: only AWS services emit aws. sources`)
      : untrusted(`EventBridge event from ${eventSource}: any principal with events:PutEvents can send it`);
    return { trigger: 'eventbridge', via: eventSource, remediation: why, resolve: why };
  }
  const why = trusted('a CloudWatch alarm action: only CloudWatch may invoke the function this way');
  return { trigger: 'alarm-action', via: 'alarm action', remediation: why, resolve: why };
}

/** The draft with its provenance. */
export function withProvenance(draft: AlertDraft, record: IntakeRecord, intake: IntakeLists): AlertDraft {
  return { ...draft, provenance: provenanceOf(draft, record, intake) };
}

/** One line for `explain` and logs: the path and what it is trusted for. */
export function describeProvenance(provenance: Provenance): string {
  const state = provenance.alarmState
    ? `; alarm now ${provenance.alarmState.state}${provenance.alarmState.dimensionsMatch === false ? ' (dimensions differ from the event)' : ''}`
    : '';
  const yesNo = (trust: Trust) => (trust.trusted ? 'yes' : `no (${trust.reason})`);
  const optedIn = provenance.optedIn ? ` (EventBridge event, opted in by ${provenance.optedIn})` : '';
  return `${provenance.trigger}${provenance.via ? ` ${provenance.via}` : ''}${optedIn}; remediation: ${yesNo(provenance.remediation)}; resolve: ${yesNo(provenance.resolve)}${state}`;
}
