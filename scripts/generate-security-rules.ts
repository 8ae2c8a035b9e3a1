/**
 * Writes deploy/security-rules.json from the detection catalog, and
 * shared/onboarding/security-rule-states.json (each rule's id, state and region: what the self-check
 * compares the deployed rules with, without bundling the catalog).
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
const statesTarget = fileURLToPath(
  new URL('../shared/onboarding/security-rule-states.json', import.meta.url),
);

/** Renders security-rules.json as Prettier-formatted JSON. */
async function render(): Promise<string> {
  return prettierJson(target, buildSecurityRules());
}

/** Renders security-rule-states.json (id, state and region of each rule) as Prettier-formatted JSON. */
export async function renderRuleStates(): Promise<string> {
  return prettierJson(statesTarget, {
    generatedBy: 'npx tsx scripts/generate-security-rules.ts (from shared/security/catalog.ts); do not edit',
    rules: buildSecurityRules().rules.map(({ id, state, region }) => ({ id, state, region })),
  });
}

runIfMain(import.meta.url, async () => {
  await writeOrCheck(target, render, 'scripts/generate-security-rules.ts');
  await writeOrCheck(statesTarget, renderRuleStates, 'scripts/generate-security-rules.ts');
});
