import type { KlaxonConfig } from '../config/load';
import type { Remediator } from '../remediation/remediator';
import type { DeployedEnv } from './env';
import type { RemediatorParts } from './remediation';

/**
 * Stands in for `./remediation` in the bundle of a function whose sources no remediation rule of the
 * bundled klaxon.yml can match (deploy/esbuild-plugins.cjs decides at build time, with the same
 * rule-to-source check as the function roles): it never remediates, so it carries no remediation code.
 */
export function deployedRemediator(
  _config: KlaxonConfig,
  _env: DeployedEnv,
  _parts: RemediatorParts,
): Remediator | undefined {
  return undefined;
}
