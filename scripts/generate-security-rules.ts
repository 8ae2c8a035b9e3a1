/**
 * Writes deploy/security-rules.json from the detection catalog.
 *
 *   npx tsx scripts/generate-security-rules.ts          # write the file
 *   npx tsx scripts/generate-security-rules.ts --check  # exit 1 if the file is out of date
 *
 * The output is formatted with the repository's Prettier settings, so `prettier --check` passes.
 */
import { fileURLToPath } from 'node:url';
import { buildSecurityRules } from '../shared/security/rules';
import { prettierJson, runIfMain, writeOrCheck } from './generated-file';

const target = fileURLToPath(new URL('../deploy/security-rules.json', import.meta.url));

/** Renders security-rules.json as Prettier-formatted JSON. */
async function render(): Promise<string> {
  return prettierJson(target, buildSecurityRules());
}

runIfMain(import.meta.url, () => writeOrCheck(target, render, 'scripts/generate-security-rules.ts'));
