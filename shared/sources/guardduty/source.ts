import type { SourceDescriptor } from '../descriptor';
import { normalizeGuardDuty } from './normalize';

/** The detail-type of a GuardDuty finding (`source: aws.guardduty`). */
export const GUARDDUTY_FINDING_DETAIL_TYPE = 'GuardDuty Finding';

/** GuardDuty findings; their rule is one of the security rules (deploy/security-rules.json). */
export const guardDutySource: SourceDescriptor = {
  id: 'guardduty',
  label: 'guardduty',
  informational: false,
  eventBridge: [
    { source: 'aws.guardduty', detailTypes: [GUARDDUTY_FINDING_DETAIL_TYPE], normalize: normalizeGuardDuty },
  ],
};
