/**
 * `npx tsx bench/analyze.ts`: measures the bundle-size and load-time recommendations of
 * bench/README.md ("Analysis") as esbuild variants of the real entries, without touching shared/.
 * Every variant is also loaded with only environment credentials, to prove it still works.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';
import { parse } from 'yaml';
import { buildBundle, resolveEntry } from './lib/build';
import { writeFloorEntry } from './lib/floor';
import { lambdaEnv, loadOnce } from './lib/load';
import { readServerlessConfig } from './lib/serverless';
import { fixed, kb, median, table } from './lib/stats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? '15');

/** klaxon.yml compiled to JSON at build time; `yaml` replaced by a JSON.parse shim (what loadConfig uses of it). */
const precompiledConfig: Plugin = {
  name: 'klaxon-config-as-json',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: 'yaml-shim', namespace: 'bench' }));
    b.onLoad({ filter: /.*/, namespace: 'bench' }, () => ({
      loader: 'js',
      contents: `export const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
export function parseDocument(text) { const value = JSON.parse(text); return { errors: [], contents: value, toJS: () => value }; }
export function parse(text) { return JSON.parse(text); }`,
    }));
    b.onLoad({ filter: /klaxon\.yml$/ }, async (args) => ({
      loader: 'text',
      contents: JSON.stringify(parse(await readFile(args.path, 'utf8'))),
    }));
  },
};

interface Variant {
  name: string;
  entry: string;
  options: (base: BuildOptions) => BuildOptions;
  /** Extra environment of the load runs (e.g. NODE_OPTIONS as serverless.yml deploys it). */
  env?: Record<string, string>;
}

async function main(): Promise<void> {
  const { functions, esbuild } = await readServerlessConfig(ROOT);
  const fn = functions[0];
  if (!fn) throw new Error('no function in serverless.yml');
  const entry = resolveEntry(ROOT, fn.entry);
  const floor = await writeFloorEntry(
    ROOT,
    fn.name,
    (await buildBundle(ROOT, entry, esbuild, join(tmpdir(), `klaxon-analyze-${process.pid}`))).metafile,
  );
  const maps = { NODE_OPTIONS: '--enable-source-maps' };
  const esm = (o: BuildOptions): BuildOptions => ({ ...o, mainFields: ['module', 'main'] });
  const yml = (o: BuildOptions): BuildOptions => ({
    ...o,
    plugins: [...(o.plugins ?? []), precompiledConfig],
  });
  const variants: Variant[] = [
    { name: `${fn.name} (as deployed)`, entry, options: (o) => o },
    { name: '+ mainFields module,main (ESM SDK, tree-shaken)', entry, options: esm },
    { name: '+ klaxon.yml as JSON, no yaml', entry, options: yml },
    { name: '+ both', entry, options: (o) => yml(esm(o)) },
    { name: 'as deployed, --enable-source-maps', entry, options: (o) => o, env: maps },
    {
      name: 'sourcesContent: false, --enable-source-maps',
      entry,
      options: (o) => ({ ...o, sourcesContent: false }),
      env: maps,
    },
    { name: 'floor (as deployed)', entry: floor, options: (o) => o },
    { name: 'floor + mainFields module,main', entry: floor, options: esm },
    { name: 'SSM-only floor', entry: 'bench/scratch/floor-ssm.ts', options: (o) => o },
    { name: 'SSM-only floor + mainFields', entry: 'bench/scratch/floor-ssm.ts', options: esm },
    { name: 'SSM-only floor without Tracer', entry: 'bench/scratch/floor-no-tracer.ts', options: (o) => o },
    {
      name: 'SSM-only floor without Tracer + mainFields',
      entry: 'bench/scratch/floor-no-tracer.ts',
      options: esm,
    },
    { name: 'zod classic, one schema', entry: 'bench/scratch/zod-classic.ts', options: (o) => o },
    { name: 'zod/mini, same schema', entry: 'bench/scratch/zod-mini.ts', options: (o) => o },
  ];
  const tmp = await mkdtemp(join(tmpdir(), 'klaxon-analyze-'));
  try {
    const rows: string[][] = [
      ['variant', 'minified', 'gzip', 'map', 'load ms', 'first-use init ms', 'top packages'],
    ];
    for (const [index, variant] of variants.entries()) {
      const stats = await buildBundle(
        ROOT,
        variant.entry,
        variant.options(esbuild),
        join(tmp, String(index)),
      );
      const env = lambdaEnv(fn.name, variant.env);
      loadOnce(stats.file, env);
      const loads: number[] = [];
      const inits: number[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        const once = loadOnce(stats.file, env);
        loads.push(once.loadMs);
        if (once.initMs !== null) inits.push(once.initMs);
      }
      rows.push([
        variant.name,
        kb(stats.bytes),
        kb(stats.gzipBytes),
        stats.mapBytes === undefined ? '-' : kb(stats.mapBytes),
        fixed(median(loads)),
        inits.length > 0 ? fixed(median(inits)) : '-',
        stats.packages
          .slice(0, 5)
          .map((p) => `${p.name} ${Math.round(p.bytes / 1024)}`)
          .join(', '),
      ]);
      process.stderr.write(`${variant.name}: ${kb(stats.bytes)}\n`);
    }
    process.stdout.write(`${table(rows, new Set([1, 2, 3, 4, 5]))}\n`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`analyze failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
