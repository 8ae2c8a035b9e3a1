import type { SourceDescriptor } from '../descriptor';
import { normalizeHealth } from './normalize';
import { HEALTH_ABUSE_DETAIL_TYPE, HEALTH_EVENT_DETAIL_TYPE } from './schema';

/** AWS Health events and abuse reports (informational: `health` alerts, abuse reports `warning`). */
export const healthSource: SourceDescriptor = {
  id: 'health',
  label: 'aws-health',
  informational: true,
  eventBridge: [
    {
      source: 'aws.health',
      detailTypes: [HEALTH_EVENT_DETAIL_TYPE, HEALTH_ABUSE_DETAIL_TYPE],
      normalize: normalizeHealth,
      rule: 'informational',
    },
  ],
};
