import type { SourceDescriptor } from '../descriptor';
import { CODEDEPLOY_DEPLOYMENT_DETAIL_TYPE, normalizeCodeDeploy } from './normalize';

/** CodeDeploy deployment state changes (informational: `deployment` alerts). */
export const codeDeploySource: SourceDescriptor = {
  id: 'codedeploy',
  label: 'codedeploy',
  informational: true,
  eventBridge: [
    {
      source: 'aws.codedeploy',
      detailTypes: [CODEDEPLOY_DEPLOYMENT_DETAIL_TYPE],
      normalize: normalizeCodeDeploy,
      rule: 'informational',
    },
  ],
};
