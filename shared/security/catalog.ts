import { DETECTION_ENTRIES } from './detections';
import { ATTACK_DETECTION_ENTRIES } from './detections-attack';
import type { Detection } from './detection';
import { validateCatalog } from './catalog-validation';

/**
 * The CloudTrail detection catalog: the entries of `detections.ts`, validated once at load by
 * `catalog-validation.ts`; the types live in `detection.ts`, the named predicates in `predicates.ts`.
 */

export type {
  Detection,
  ErrorPolicy,
  FingerprintScope,
  RemediationRef,
  SummaryFacts,
  ThresholdSpec,
} from './detection';
export { CatalogError, validateCatalog } from './catalog-validation';
export { ADMIN_PORTS, ingressPermissions, opensAdminPortToWorld, policyIsPublic } from './predicates';

/** The validated detection catalog (validated once, at module load). */
export const DETECTIONS: readonly Detection[] = validateCatalog([
  ...DETECTION_ENTRIES,
  ...ATTACK_DETECTION_ENTRIES,
]);

/** The ids of every detection, for config validation. */
export const DETECTION_IDS: ReadonlySet<string> = new Set(DETECTIONS.map((d) => d.id));

/** The ids of the threshold (count-in-window) detections, for config validation. */
export const THRESHOLD_DETECTION_IDS: ReadonlySet<string> = new Set(
  DETECTIONS.filter((d) => d.threshold).map((d) => d.id),
);

/** Looks a detection up by id. */
export function detectionById(id: string): Detection | undefined {
  return DETECTIONS.find((d) => d.id === id);
}
