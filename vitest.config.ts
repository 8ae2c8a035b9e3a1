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

// Two projects (docs/testing.md): `unit` runs with every outgoing connection refused and without
// moto; `integration` gets one moto server for the run and may use loopback fakes and child processes.
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
          include: ['test/unit/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/corpus/**/*.test.ts'],
          setupFiles: ['test/support/unit-setup.ts'],
          // One process for all unit files: re-importing the AWS SDK and Powertools for each file
          // took three quarters of the run (docs/testing.md). Restore what a file patches.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/moto-global-setup.ts'],
        },
      },
    ],
  },
});
