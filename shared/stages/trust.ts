import { type AlertStage, needed } from './stage';

/**
 * An alert that came by a path not trusted for remediation (an EventBridge event inside an SNS
 * message, or a listed third-party topic) and is not a CloudWatch alarm stays at `info`: anyone
 * allowed to publish there could have written it, so it informs and never pages. Alarms keep their
 * severity: their resolves and remediations are checked against CloudWatch instead.
 */
export const trustStage: AlertStage = {
  name: 'trust',
  needs: ['classified'],
  gives: ['classified'],
  async run(work) {
    const classified = needed(work, 'classified', 'trust');
    const { alert } = classified;
    const provenance = alert.provenance;
    // An opted-in topic (intake.eventBridgeOverSns) keeps the event's severity: the operator chose
    // to page from it; it still never remediates.
    if (
      !provenance ||
      provenance.remediation.trusted ||
      provenance.optedIn ||
      alert.labels.source === 'cloudwatch-alarm'
    ) {
      return work;
    }
    if (alert.labels.source === 'cost-anomaly' || alert.severity === 'info') return work;
    return {
      ...work,
      classified: {
        ...classified,
        alert: {
          ...alert,
          severity: 'info',
          annotations: {
            ...alert.annotations,
            severityNote: `kept at info, not ${alert.severity}: ${provenance.remediation.reason}`,
          },
        },
      },
    };
  },
};
