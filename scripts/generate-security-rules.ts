/**
 * Writes deploy/security-rules.json from the detection catalog.
 *
 *   npx tsx scripts/generate-security-rules.ts          # write the file
 *   npx tsx scripts/generate-security-rules.ts --check  # exit 1 if the file is out of date
 *
 * The output is formatted with the repository's Prettier settings, so `prettier --check` passes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { buildSecurityRules } from '../shared/security/rules';

const target = fileURLToPath(new URL('../deploy/security-rules.json', import.meta.url));

/** Renders the rules file as Prettier-formatted JSON. */
async function render(): Promise<string> {
  const options = (await resolveConfig(target)) ?? {};
  return format(JSON.stringify(buildSecurityRules()), { ...options, parser: 'json', filepath: target });
}

async function main(): Promise<void> {
  const text = await render();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${target}; run without --check to create it`, { cause: error });
    }
    if (current !== text) {
      console.error(`${target} is out of date: run npx tsx scripts/generate-security-rules.ts`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(target, text);
  console.error(`wrote ${target}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
