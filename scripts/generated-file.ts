import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';

/** Renders a value as JSON formatted with the repository's Prettier settings for `target`. */
export async function prettierJson(target: string, value: unknown): Promise<string> {
  const options = (await resolveConfig(target)) ?? {};
  return format(JSON.stringify(value), { ...options, parser: 'json', filepath: target });
}

/**
 * The main of a generator script: writes `target`, or with `--check` sets exit code 1 when the
 * committed file differs from what `render` makes now (naming `script` to run).
 */
export async function writeOrCheck(
  target: string,
  render: () => Promise<string>,
  script: string,
): Promise<void> {
  const text = await render();
  if (process.argv.includes('--check')) {
    let current: string;
    try {
      current = readFileSync(target, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${target}; run without --check to create it`, { cause: error });
    }
    if (current !== text) {
      console.error(`${target} is out of date: run npx tsx ${script}`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(target, text);
  console.error(`wrote ${target}`);
}

/** Runs a generator's main when the module is the script node was started with (not when imported). */
export function runIfMain(moduleUrl: string, main: () => Promise<void>): void {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
