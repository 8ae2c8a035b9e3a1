/**
 * klaxon.yml is bundled as data: parsed at build time (deploy/esbuild-plugins.cjs for the Lambda
 * bundles, a plugin in vitest.config.ts for tests) and validated with zod at cold start.
 */
declare module '*.yml' {
  const config: unknown;
  export default config;
}
