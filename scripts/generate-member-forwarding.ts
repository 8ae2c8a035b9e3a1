/**
 * Writes deploy/member-forwarding.json, the CloudFormation template member accounts and other
 * Regions deploy to forward events to Klaxon's central bus, from the detection catalog.
 *
 *   npx tsx scripts/generate-member-forwarding.ts          # write the file
 *   npx tsx scripts/generate-member-forwarding.ts --check  # exit 1 if the file is out of date
 */
import { fileURLToPath } from 'node:url';
import { buildMemberForwardingTemplate } from '../shared/security/forwarding';
import { runIfMain, writeOrCheck } from './generated-file';

const target = fileURLToPath(new URL('../deploy/member-forwarding.json', import.meta.url));

/**
 * Renders member-forwarding.json as one line of JSON: indented, the catalog's patterns outgrow
 * CloudFormation's 51,200-byte limit for a template passed inline (the file is in .prettierignore).
 */
export async function renderMemberForwarding(): Promise<string> {
  return `${JSON.stringify(buildMemberForwardingTemplate())}\n`;
}

runIfMain(import.meta.url, () =>
  writeOrCheck(target, renderMemberForwarding, 'scripts/generate-member-forwarding.ts'),
);
