import type { SourceDescriptor } from '../descriptor';
import {
  SECURITYHUB_CUSTOM_ACTION_DETAIL_TYPE,
  SECURITYHUB_FINDINGS_DETAIL_TYPE,
  normalizeSecurityHub,
  normalizeSecurityHubCustomAction,
} from './normalize';

/** Security Hub findings, imported or sent to a custom action; their rule is one of the security rules (deploy/security-rules.json). */
export const securityHubSource: SourceDescriptor = {
  id: 'securityhub',
  label: 'securityhub',
  informational: false,
  eventBridge: [
    {
      source: 'aws.securityhub',
      detailTypes: [SECURITYHUB_FINDINGS_DETAIL_TYPE],
      normalize: normalizeSecurityHub,
    },
    {
      source: 'aws.securityhub',
      detailTypes: [SECURITYHUB_CUSTOM_ACTION_DETAIL_TYPE],
      normalize: normalizeSecurityHubCustomAction,
    },
  ],
};
