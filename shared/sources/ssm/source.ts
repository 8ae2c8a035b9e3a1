import type { SourceDescriptor } from '../descriptor';
import {
  AUTOMATION_FINAL_STATUSES,
  AUTOMATION_STATUS_DETAIL_TYPE,
  COMMAND_FINAL_STATUSES,
  COMMAND_STATUS_DETAIL_TYPE,
  normalizeAutomationStatus,
  normalizeCommandStatus,
} from './normalize';

/**
 * SSM status changes of the executions Klaxon started (remediation feedback, `klaxon` alerts).
 * Their rules keep final statuses of the documents klaxon.yml enables (deploy/remediation-iam.cjs).
 */
export const ssmStatusSource: SourceDescriptor = {
  id: 'ssm',
  label: 'klaxon',
  key: 'klaxon:remediation-status',
  informational: false,
  eventBridge: [
    {
      source: 'aws.ssm',
      detailTypes: [AUTOMATION_STATUS_DETAIL_TYPE],
      normalize: normalizeAutomationStatus,
      rule: 'remediation-status',
      statusFilter: {
        documentKind: 'automation',
        documentField: 'Definition',
        statusField: 'Status',
        finalStatuses: AUTOMATION_FINAL_STATUSES,
      },
    },
    {
      source: 'aws.ssm',
      detailTypes: [COMMAND_STATUS_DETAIL_TYPE],
      normalize: normalizeCommandStatus,
      rule: 'remediation-status',
      statusFilter: {
        documentKind: 'run-command',
        documentField: 'document-name',
        statusField: 'status',
        finalStatuses: COMMAND_FINAL_STATUSES,
      },
    },
  ],
};
