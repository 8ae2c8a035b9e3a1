import type { KlaxonConfig } from '../shared/config/load';
import type { BuildTimeChecks } from '../shared/config/schema';
import { loadConfig } from '../shared/config/yaml';
import { DETECTION_IDS, THRESHOLD_DETECTION_IDS } from '../shared/security/catalog';

/**
 * The checks the CLI adds to those the functions run at cold start: detection ids in klaxon.yml
 * must name detections of the security catalog (which the functions' config loader never imports).
 */
export const CLI_CHECKS: BuildTimeChecks = {
  detectionIds: DETECTION_IDS,
  thresholdDetectionIds: THRESHOLD_DETECTION_IDS,
};

/** Parses, validates and compiles klaxon.yml text with every check, the build-time ones included. */
export function loadCheckedConfig(text: string, source: string): KlaxonConfig {
  return loadConfig(text, source, CLI_CHECKS);
}
