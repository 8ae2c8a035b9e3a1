import type { Provenance, Trust } from '../alert/alert';
import type { IntakeRecord } from '../sources/envelope';
import type { AlertDraft } from '../sources/types';

const trusted = (reason: string): Trust => ({ trusted: true, reason });
const untrusted = (reason: string): Trust => ({ trusted: false, reason });

/**
 * What a path is trusted for (docs/threat-model.md). The stack's alarm topic admits only CloudWatch,
 * Cost Anomaly Detection and the heartbeat (an explicit Deny for everyone else); a topic listed in
 * `intake.alarmTopics` is governed by its owner's policy; an EventBridge event inside an SNS
 * message can be written by anyone who may publish; on a bus, only `aws.` sources come from AWS.
 */
export function provenanceOf(
  draft: Pick<AlertDraft, 'labels'>,
  record: IntakeRecord,
  listedTopics: readonly string[],
): Provenance {
  const source = draft.labels.source;
  if (record.kind === 'sns') {
    const via = record.topicArn;
    if (source !== 'cloudwatch-alarm' && source !== 'cost-anomaly') {
      const why = `a ${source} event inside an SNS message: anyone allowed to publish to ${via} can write one`;
      return { trigger: 'sns', via, remediation: untrusted(why), resolve: untrusted(why) };
    }
    if (listedTopics.includes(via)) {
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
export function withProvenance(
  draft: AlertDraft,
  record: IntakeRecord,
  listedTopics: readonly string[],
): AlertDraft {
  return { ...draft, provenance: provenanceOf(draft, record, listedTopics) };
}

/** One line for `explain` and logs: the path and what it is trusted for. */
export function describeProvenance(provenance: Provenance): string {
  const state = provenance.alarmState
    ? `; alarm now ${provenance.alarmState.state}${provenance.alarmState.dimensionsMatch === false ? ' (dimensions differ from the event)' : ''}`
    : '';
  const yesNo = (trust: Trust) => (trust.trusted ? 'yes' : `no (${trust.reason})`);
  return `${provenance.trigger}${provenance.via ? ` ${provenance.via}` : ''}; remediation: ${yesNo(provenance.remediation)}; resolve: ${yesNo(provenance.resolve)}${state}`;
}
