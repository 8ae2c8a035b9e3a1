/**
 * Writes deploy/sources.json (event patterns, SSM status lists, informational sources) and
 * shared/sources/known-events.json (which source each EventBridge event belongs to, for the
 * functions that carry only some sources) from the source descriptors in shared/sources/registry.ts.
 *
 *   npx tsx scripts/generate-sources.ts          # write the file
 *   npx tsx scripts/generate-sources.ts --check  # exit 1 if the file is out of date
 *
 * The output is formatted with the repository's Prettier settings, so `prettier --check` passes.
 */
import { fileURLToPath } from 'node:url';
import { knownEventsOf } from '../shared/sources/normalizer';
import { SOURCES } from '../shared/sources/registry';
import { buildSourcesFile } from '../shared/sources/rules';
import { prettierJson, runIfMain, writeOrCheck } from './generated-file';

const target = fileURLToPath(new URL('../deploy/sources.json', import.meta.url));
const knownTarget = fileURLToPath(new URL('../shared/sources/known-events.json', import.meta.url));

/** Renders sources.json as Prettier-formatted JSON. */
export async function renderSources(): Promise<string> {
  return prettierJson(target, buildSourcesFile());
}

/** Renders known-events.json as Prettier-formatted JSON. */
export async function renderKnownEvents(): Promise<string> {
  return prettierJson(knownTarget, {
    generatedBy: 'npx tsx scripts/generate-sources.ts (from shared/sources/registry.ts); do not edit',
    ...knownEventsOf(SOURCES),
  });
}

runIfMain(import.meta.url, async () => {
  await writeOrCheck(target, renderSources, 'scripts/generate-sources.ts');
  await writeOrCheck(knownTarget, renderKnownEvents, 'scripts/generate-sources.ts');
});
