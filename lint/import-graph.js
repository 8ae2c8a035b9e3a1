import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The repository's import graph, read from the files on disk: every `import`, `import type`,
 * `export ... from`, `import()` (in code or in a type) and `require()` of a relative path is an
 * edge. Used by the `klaxon/no-import-cycle` lint rule and by tests about what a module pulls in.
 */

const CODE = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** Each file's text and imports, kept while the file's size and modification time stay the same. */
const cache = new Map();

function fileStat(path) {
  try {
    const stat = statSync(path);
    return stat.isFile() ? stat : undefined;
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw new Error(`cannot read ${path}`, { cause: error });
  }
}

/** The code file a relative specifier names from `fromFile`; undefined for packages and data files. */
export function resolveImport(fromFile, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [
    base,
    ...CODE.map((extension) => base + extension),
    // `./x.js` written for `./x.ts`, as TypeScript allows.
    ...(/\.[cm]?js$/.test(base) ? [base.replace(/js$/, 'ts')] : []),
    ...CODE.map((extension) => join(base, `index${extension}`)),
  ];
  return candidates.find((path) => CODE.some((extension) => path.endsWith(extension)) && fileStat(path));
}

/** The relative imports written in `text` (the source of `file`): resolved path and specifier span. */
export function importsOf(file, text) {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.flatMap(({ fileName, pos, end }) => {
    const target = resolveImport(file, fileName);
    return target ? [{ target, specifier: fileName, pos, end }] : [];
  });
}

function targetsIn(file, text) {
  return [...new Set(importsOf(file, text).map((entry) => entry.target))];
}

function reading(file) {
  const stat = fileStat(file);
  if (!stat) return undefined;
  const cached = cache.get(file);
  if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached;
  const text = readFileSync(file, 'utf8');
  const fresh = { size: stat.size, mtimeMs: stat.mtimeMs, text, targets: targetsIn(file, text) };
  cache.set(file, fresh);
  return fresh;
}

/** The files `file` imports directly, as it is on disk. */
export function directImports(file) {
  return reading(file)?.targets ?? [];
}

/** The files `file` imports directly when its source is `text` (an editor's copy may differ from disk). */
export function targetsOf(file, text) {
  const onDisk = reading(file);
  return onDisk && onDisk.text === text ? onDisk.targets : targetsIn(file, text);
}

/**
 * For each of `targets` (the files `file` imports) that imports `file` back, directly or through
 * others, the shortest such path (the target first, `file` last). One walk of the graph.
 */
export function cyclesThrough(file, targets) {
  const importers = new Map();
  const seen = new Set(targets);
  const queue = [...seen];
  while (queue.length > 0) {
    const at = queue.shift();
    if (at === file) continue;
    for (const next of directImports(at)) {
      if (!importers.has(next)) importers.set(next, []);
      importers.get(next).push(at);
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  // Backwards from `file`: for each file that reaches it, the next step on a shortest path.
  const toward = new Map([[file, undefined]]);
  const back = [file];
  while (back.length > 0) {
    const at = back.shift();
    for (const importer of importers.get(at) ?? []) {
      if (!toward.has(importer)) {
        toward.set(importer, at);
        back.push(importer);
      }
    }
  }
  const cycles = new Map();
  for (const target of targets) {
    if (!toward.has(target)) continue;
    const path = [target];
    for (let at = toward.get(target); at !== undefined; at = toward.get(at)) path.push(at);
    cycles.set(target, path);
  }
  return cycles;
}

/** Every file `file` imports, directly or through others. */
export function transitiveImports(file) {
  const seen = new Set();
  const queue = [file];
  while (queue.length > 0) {
    for (const next of directImports(queue.shift())) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}
