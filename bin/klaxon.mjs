#!/usr/bin/env node
// `npx klaxon …` without a build step: registers tsx (a dev dependency) and runs cli/klaxon.ts.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const cli = await import('../cli/klaxon.ts');
// cli/klaxon.ts runs itself when argv[1] ends in "klaxon" (node_modules/.bin/klaxon); else run it here.
if (!/klaxon(\.ts|\.js)?$/.test(process.argv[1] ?? '')) {
  cli.main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`klaxon: unexpected failure: ${error?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
