import { defineConfig, type Plugin } from 'vitest/config';
import { parse } from 'yaml';

/** Loads `*.yml` imports as parsed data, as deploy/esbuild-plugins.cjs does for the Lambda bundles. */
const yamlAsData: Plugin = {
  name: 'klaxon-yaml-as-data',
  transform(code, id) {
    if (!id.endsWith('.yml')) return undefined;
    return { code: `export default ${JSON.stringify(parse(code))};`, map: null };
  },
};

/** Folders of the `unit` project: no moto, every outgoing connection refused (docs/testing.md). */
export const UNIT_TEST_FOLDERS = ['test/unit', 'test/cli', 'test/corpus'];

/** Folders of the `integration` project: one moto server for the run, loopback fakes, child processes. */
export const INTEGRATION_TEST_FOLDERS = ['test/integration'];

const testFilesUnder = (folders: string[]) => folders.map((folder) => `${folder}/**/*.test.ts`);

/** Unit files that replace modules (`vi.mock`) run in their own process: `*.isolated.test.ts`. */
const ISOLATED_UNIT_FILES = UNIT_TEST_FOLDERS.map((folder) => `${folder}/**/*.isolated.test.ts`);

export default defineConfig({
  plugins: [yamlAsData],
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    env: {
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_DEV: 'false',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: testFilesUnder(UNIT_TEST_FOLDERS),
          exclude: ISOLATED_UNIT_FILES,
          setupFiles: ['test/support/unit-setup.ts'],
          // One process for all unit files: re-importing the AWS SDK and Powertools for each file
          // took three quarters of the run (docs/testing.md). Restore what a file patches.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          // A module mock would leak into (or miss) the files that share the unit process.
          name: 'unit-isolated',
          include: ISOLATED_UNIT_FILES,
          setupFiles: ['test/support/unit-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: testFilesUnder(INTEGRATION_TEST_FOLDERS),
          globalSetup: ['test/support/moto-global-setup.ts'],
        },
      },
    ],
  },
});
