import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';

/** What one built bundle weighs, and where its bytes come from. */
export interface BundleStats {
  entry: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  mapBytes?: number;
  /** Top inputs by bytes in the output. */
  topInputs: Array<{ path: string; bytes: number }>;
  /** Bytes in the output per package (`(own)` for repository code). */
  packages: Array<{ name: string; bytes: number }>;
  /** Bytes in the output per directory of repository code (`shared/security`), largest first. */
  ownAreas: Array<{ name: string; bytes: number }>;
  /** Inputs from zod classic (`zod/v4/classic`, `zod/v3`, any locale but `en`): none, in a lean bundle. */
  zodClassicInputs: string[];
}

/** Whether an input is part of zod classic (or a locale) rather than the zod/mini core. */
export function isZodClassicInput(input: string): boolean {
  const match = /node_modules\/zod\/(.*)$/.exec(input);
  if (!match?.[1]) return false;
  const inner = match[1];
  if (/^(v4\/)?locales\/(?!en\.)/.test(inner)) return true;
  return /^(v4\/classic|v3|index\.js|v4\/index\.js)/.test(inner);
}

function sumBy<T>(items: T[], key: (item: T) => string, bytes: (item: T) => number) {
  const sums = new Map<string, number>();
  for (const item of items) sums.set(key(item), (sums.get(key(item)) ?? 0) + bytes(item));
  return [...sums.entries()]
    .map(([name, total]) => ({ name, bytes: total }))
    .sort((a, b) => b.bytes - a.bytes);
}

/** The package an input belongs to, from its path (`node_modules/@scope/name/...`). */
export function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match?.[1]) return match[1];
  return input.startsWith('bench/') ? '(bench)' : '(own)';
}

/** Builds `entry` with the given esbuild options into `outdir`, one output file, and measures it. */
export async function buildBundle(
  root: string,
  entry: string,
  options: BuildOptions,
  outdir: string,
  topN = 15,
): Promise<BundleStats & { metafile: Metafile }> {
  const result = await build({
    ...options,
    absWorkingDir: root,
    entryPoints: [entry],
    outdir,
    write: true,
    metafile: true,
    logLevel: 'error',
  });
  const [file, output] =
    Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint !== undefined) ?? [];
  if (!file || !output) throw new Error(`esbuild produced no output for ${entry}`);
  const absolute = join(root, file);
  const code = await readFile(absolute);
  const map = `${absolute}.map`;
  const inputs = Object.entries(output.inputs)
    .map(([path, v]) => ({ path, bytes: v.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  return {
    entry,
    file: absolute,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    mapBytes: existsSync(map) ? (await stat(map)).size : undefined,
    topInputs: inputs.slice(0, topN),
    packages: sumBy(
      inputs,
      (i) => packageOf(i.path),
      (i) => i.bytes,
    ),
    ownAreas: sumBy(
      inputs.filter((i) => packageOf(i.path) === '(own)'),
      (i) => dirname(i.path),
      (i) => i.bytes,
    ),
    zodClassicInputs: inputs.map((i) => i.path).filter(isZodClassicInput),
    metafile: result.metafile,
  };
}

/** The entry file a serverless `handler` path points at (`.ts`, `.mts`, `.js`, `.mjs`, `.cjs`). */
export function resolveEntry(root: string, handlerFile: string): string {
  const base = handlerFile.replace(/\.ts$/, '');
  for (const ext of ['.ts', '.mts', '.js', '.mjs', '.cjs']) {
    if (existsSync(join(root, `${base}${ext}`))) return `${base}${ext}`;
  }
  throw new Error(`no entry file for handler ${handlerFile}`);
}

/** Short display name of a bundle file. */
export function shortName(file: string): string {
  return basename(file);
}
