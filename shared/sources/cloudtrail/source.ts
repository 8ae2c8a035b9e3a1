import type { SourceDescriptor } from '../descriptor';
import { CLOUDTRAIL_REGISTRY_KEYS, normalizeCloudTrail } from './normalize';
import { API_CALL_DETAIL_TYPE, SIGN_IN_DETAIL_TYPES } from './schema';

/** The AWS sources of the registry keys, each with its detail-types, in key order. */
function routesOf(keys: readonly string[]): SourceDescriptor['eventBridge'] {
  const bySource = new Map<string, string[]>();
  for (const key of keys) {
    const [source = '', detailType = ''] = key.split('|');
    bySource.set(source, [...(bySource.get(source) ?? []), detailType]);
  }
  return [...bySource].map(([source, detailTypes]) => ({
    source,
    detailTypes,
    normalize: normalizeCloudTrail,
  }));
}

/**
 * CloudTrail API calls and console sign-ins: the detection catalog. Their rules are generated from
 * the catalog (deploy/security-rules.json), not from this descriptor.
 */
export const cloudTrailSource: SourceDescriptor = {
  id: 'cloudtrail',
  label: 'cloudtrail',
  informational: false,
  eventBridge: routesOf(CLOUDTRAIL_REGISTRY_KEYS),
  anySource: { detailTypes: [API_CALL_DETAIL_TYPE, ...SIGN_IN_DETAIL_TYPES], normalize: normalizeCloudTrail },
};
