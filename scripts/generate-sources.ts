/**
 * Writes deploy/sources.json (event patterns, SSM status lists, informational sources) from the
 * source descriptors in shared/sources/registry.ts.
 *
 *   npx tsx scripts/generate-sources.ts          # write the file
 *   npx tsx scripts/generate-sources.ts --check  # exit 1 if the file is out of date
 *
 * The output is formatted with the repository's Prettier settings, so `prettier --check` passes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { buildSourcesFile } from '../shared/sources/rules';

const target = fileURLToPath(new URL('../deploy/sources.json', import.meta.url));

/** Renders deploy/sources.json as Prettier-formatted JSON. */
export async function renderSources(): Promise<string> {
  const options = (await resolveConfig(target)) ?? {};
  return format(JSON.stringify(buildSourcesFile()), { ...options, parser: 'json', filepath: target });
}

async function main(): Promise<void> {
  const text = await renderSources();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${target}; run without --check to create it`, { cause: error });
    }
    if (current !== text) {
      console.error(`${target} is out of date: run npx tsx scripts/generate-sources.ts`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(target, text);
  console.error(`wrote ${target}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
