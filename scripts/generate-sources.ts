/**
 * Writes deploy/sources.json (event patterns, SSM status lists, informational sources) from the
 * source descriptors in shared/sources/registry.ts.
 *
 *   npx tsx scripts/generate-sources.ts          # write the file
 *   npx tsx scripts/generate-sources.ts --check  # exit 1 if the file is out of date
 *
 * The output is formatted with the repository's Prettier settings, so `prettier --check` passes.
 */
import { fileURLToPath } from 'node:url';
import { buildSourcesFile } from '../shared/sources/rules';
import { prettierJson, runIfMain, writeOrCheck } from './generated-file';

const target = fileURLToPath(new URL('../deploy/sources.json', import.meta.url));

/** Renders sources.json as Prettier-formatted JSON. */
export async function renderSources(): Promise<string> {
  return prettierJson(target, buildSourcesFile());
}

runIfMain(import.meta.url, () => writeOrCheck(target, renderSources, 'scripts/generate-sources.ts'));
