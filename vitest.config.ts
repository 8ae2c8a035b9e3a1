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

export default defineConfig({
  plugins: [yamlAsData],
  test: {
    globalSetup: ['test/support/moto-global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    env: {
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_DEV: 'false',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
