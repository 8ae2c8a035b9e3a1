/**
 * Writes deploy/member-forwarding.json, the CloudFormation template member accounts and other
 * Regions deploy to forward events to Klaxon's central bus, from the detection catalog.
 *
 *   npx tsx scripts/generate-member-forwarding.ts          # write the file
 *   npx tsx scripts/generate-member-forwarding.ts --check  # exit 1 if the file is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { buildMemberForwardingTemplate } from '../shared/security/forwarding';

const target = fileURLToPath(new URL('../deploy/member-forwarding.json', import.meta.url));

/** Renders the template as Prettier-formatted JSON. */
export async function renderMemberForwarding(): Promise<string> {
  const options = (await resolveConfig(target)) ?? {};
  return format(JSON.stringify(buildMemberForwardingTemplate()), {
    ...options,
    parser: 'json',
    filepath: target,
  });
}

async function main(): Promise<void> {
  const text = await renderMemberForwarding();
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== text) {
      console.error(`${target} is out of date: run npx tsx scripts/generate-member-forwarding.ts`);
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
