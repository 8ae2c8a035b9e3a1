import type { SourceDescriptor } from '../descriptor';
import { normalizeSecurityHub } from './normalize';

/** The detail-type of imported Security Hub findings (`source: aws.securityhub`). */
export const SECURITYHUB_FINDINGS_DETAIL_TYPE = 'Security Hub Findings - Imported';

/** Security Hub findings; their rule is one of the security rules (deploy/security-rules.json). */
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
  ],
};
