import type { Decision } from '../routing/decide';
import type { RemediationDecision } from './record';
import { describeParameters } from './wording';

/** The decision with its alert telling the receivers what was (or would be) done, and how to approve. */
export function withRemediationNotice(
  decision: Decision,
  remediation: RemediationDecision,
  stageName: string | undefined,
  link?: string,
): Decision {
  if (decision.alert.status !== 'firing') return decision;
  const what = `${remediation.action} (${describeParameters(remediation.parameters)})`;
  const stage = stageName ? ` --stage ${stageName}` : '';
  const text = {
    'dry-run': `dry run: would start ${what}`,
    started: `started ${what}: execution ${remediation.executionId ?? '?'}`,
    'pending-approval': `awaiting approval to start ${what}: run \`klaxon approve ${remediation.approvalId ?? ''}${stage}\`${link ? ' or use the approval link' : ''}`,
    skipped: `not started ${what}: ${remediation.reason ?? ''}`,
  }[remediation.outcome];
  const line = `Remediation (rule ${remediation.rule}, ${remediation.mode}): ${text}`;
  const { alert } = decision;
  return {
    ...decision,
    alert: {
      ...alert,
      annotations: {
        ...alert.annotations,
        remediation: line,
        description: [alert.annotations.description, line].filter(Boolean).join('\n'),
      },
      links: link ? [...alert.links, { text: 'Approve remediation', url: link }] : alert.links,
    },
  };
}
