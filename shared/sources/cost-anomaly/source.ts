import type { SourceDescriptor } from '../descriptor';
import { isCostAnomalyMessage, normalizeCostAnomalyEvent, normalizeCostAnomalySns } from './normalize';
import { COST_ANOMALY_DETAIL_TYPE } from './schema';

/**
 * Cost Anomaly Detection (informational: `cost-anomaly` alerts): the `Anomaly Detected` event
 * (us-east-1 only), or the SNS message of an individual-alerts subscription to the alarm topic.
 */
export const costAnomalySource: SourceDescriptor = {
  id: 'cost-anomaly',
  label: 'cost-anomaly',
  informational: true,
  eventBridge: [
    {
      source: 'aws.ce',
      detailTypes: [COST_ANOMALY_DETAIL_TYPE],
      normalize: normalizeCostAnomalyEvent,
      rule: 'informational',
    },
  ],
  sns: {
    matches: isCostAnomalyMessage,
    normalize: normalizeCostAnomalySns,
  },
};
