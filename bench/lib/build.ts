import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
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
  const byPackage = new Map<string, number>();
  for (const input of inputs)
    byPackage.set(packageOf(input.path), (byPackage.get(packageOf(input.path)) ?? 0) + input.bytes);
  return {
    entry,
    file: absolute,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    mapBytes: existsSync(map) ? (await stat(map)).size : undefined,
    topInputs: inputs.slice(0, topN),
    packages: [...byPackage.entries()]
      .map(([name, bytes]) => ({ name, bytes }))
      .sort((a, b) => b.bytes - a.bytes),
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
