import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { parse, type ScalarTag } from 'yaml';

/** One function of serverless.yml `functions:`, with the entry file its handler points at. */
export interface FunctionEntry {
  name: string;
  handler: string;
  /** Repository-relative path of the TypeScript entry, e.g. `functions/alarm-notifier/handler.ts`. */
  entry: string;
}

/** Options serverless-esbuild consumes itself and never hands to esbuild (serverless-esbuild 1.57 `bundle.js`). */
const PLUGIN_ONLY_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'config',
  'plugins',
];

/** CloudFormation short-form tags (`!Ref`, `!Sub`, …) kept as plain values: only `custom.esbuild` and `functions` matter here. */
const cfnTags: ScalarTag[] = ['Ref', 'Sub', 'GetAtt', 'ImportValue', 'Join', 'Select', 'Split', 'If'].map(
  (name) => ({
    tag: `!${name}`,
    identify: () => false,
    resolve: (value: string) => ({ [name]: value }),
  }),
);

function stringArray(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** Reads serverless.yml: every function's entry and the esbuild options serverless-esbuild would pass. */
export async function readServerlessConfig(root: string): Promise<{
  functions: FunctionEntry[];
  esbuild: BuildOptions;
}> {
  const text = await readFile(join(root, 'serverless.yml'), 'utf8');
  const doc = parse(text, { customTags: cfnTags, logLevel: 'error' }) as {
    custom?: { esbuild?: Record<string, unknown> };
    functions?: Record<string, { handler?: string }>;
  };
  const custom = { ...(doc.custom?.esbuild ?? {}) };
  if (custom.config !== undefined) {
    throw new Error('custom.esbuild.config (a JS config file) is not supported by the bench; inline options');
  }
  // serverless-esbuild: external = external + exclude (unless exclude contains '*'); defaults bundle/platform.
  const exclude = 'exclude' in custom ? stringArray(custom.exclude) : ['aws-sdk'];
  const external = [...stringArray(custom.external), ...(exclude.includes('*') ? [] : exclude)];
  const options: Record<string, unknown> = { bundle: true, platform: 'node', ...custom };
  for (const key of PLUGIN_ONLY_OPTIONS) delete options[key];
  options.external = external;
  // serverless-esbuild's `plugins` is a path to a CommonJS file exporting esbuild plugins.
  if (typeof custom.plugins === 'string') {
    options.plugins = createRequire(import.meta.url)(join(root, custom.plugins)) as BuildOptions['plugins'];
  }

  const functions = Object.entries(doc.functions ?? {}).map(([name, fn]): FunctionEntry => {
    const handler = fn.handler;
    if (!handler) throw new Error(`serverless.yml functions.${name} has no handler`);
    const file = handler.slice(0, handler.lastIndexOf('.'));
    return { name, handler, entry: `${file}.ts` };
  });
  return { functions, esbuild: options as BuildOptions };
}
