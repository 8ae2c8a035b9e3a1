import { readFile } from 'node:fs/promises';

/** A function's share of the samples of a V8 CPU profile. */
export interface ProfileEntry {
  name: string;
  /** Source module (from the bundle's `// path` markers), else the script URL. */
  module: string;
  selfMs: number;
  selfPercent: number;
}

interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  samples: number[];
  timeDeltas: number[];
}

/** Maps a line of a non-minified esbuild bundle to the module it came from (esbuild writes `// path` before each). */
export async function bundleModuleMap(bundleFile: string): Promise<(line: number) => string | undefined> {
  const lines = (await readFile(bundleFile, 'utf8')).split('\n');
  const marks: Array<{ line: number; module: string }> = [];
  lines.forEach((text, index) => {
    const match = /^\/\/ ((?:node_modules|shared|bench|functions|cli)\/\S+)$/.exec(text);
    if (match?.[1]) marks.push({ line: index, module: match[1] });
  });
  return (line) => {
    let lo = 0;
    let hi = marks.length - 1;
    let found: string | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const mark = marks[mid] as { line: number; module: string };
      if (mark.line <= line) {
        found = mark.module;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/** Top self-time functions and modules of a `.cpuprofile` (lineNumber is 0-based in V8 profiles). */
export async function summarizeProfile(
  file: string,
  moduleOf: (url: string, line: number) => string | undefined,
  top = 25,
): Promise<{
  totalMs: number;
  functions: ProfileEntry[];
  modules: Array<{ module: string; selfMs: number; selfPercent: number }>;
}> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const functions = new Map<string, ProfileEntry>();
  const modules = new Map<string, number>();
  for (const [id, micros] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    // Node's own modules keep their `node:` path, so streaming can be told from pipeline work.
    const module =
      (url ? moduleOf(url, lineNumber) : undefined) ??
      (url.startsWith('node:') ? url : url ? url.replace(/^.*\//, '') : '(native)');
    const name = functionName || (url ? '(anonymous)' : node.callFrame.functionName || '(program)');
    const key = `${name}@${module}`;
    const entry = functions.get(key) ?? { name, module, selfMs: 0, selfPercent: 0 };
    entry.selfMs += micros / 1000;
    functions.set(key, entry);
    const group = module.startsWith('node_modules/')
      ? (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(module)?.[1] ?? module)
      : module;
    modules.set(group, (modules.get(group) ?? 0) + micros / 1000);
  }
  const pct = (ms: number) => (total > 0 ? (ms * 1000 * 100) / total : 0);
  return {
    totalMs: total / 1000,
    functions: [...functions.values()]
      .map((e) => ({ ...e, selfPercent: pct(e.selfMs) }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top),
    modules: [...modules.entries()]
      .map(([module, selfMs]) => ({ module, selfMs, selfPercent: pct(selfMs) }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top),
  };
}
