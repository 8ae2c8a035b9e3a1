import { defineConfig, type Plugin } from 'vitest/config';

/** Loads `*.yml` imports as text, as esbuild's `text` loader does for the Lambda bundle. */
const yamlAsText: Plugin = {
  name: 'klaxon-yaml-as-text',
  transform(code, id) {
    if (!id.endsWith('.yml')) return undefined;
    return { code: `export default ${JSON.stringify(code)};`, map: null };
  },
};

export default defineConfig({
  plugins: [yamlAsText],
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
