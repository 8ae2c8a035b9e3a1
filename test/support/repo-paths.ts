import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** One place in a tracked file that points outside the repository or at nothing. */
export interface PathProblem {
  file: string;
  line: number;
  target: string;
  why: string;
}

const NOT_SCANNED = [/^node_modules\//, /^events\/.*\.json$/, /(^|\/)package-lock\.json$/];
const UNTRACKED_DIRS = new Set(['node_modules', '.git', '.serverless', '.esbuild', 'out', 'coverage']);

/** Lists the repository's files relative to `root`: git's tracked files, or a walk when git cannot tell. */
export function repositoryFiles(root: string): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    const files = out.split('\0').filter(Boolean);
    if (files.length > 0) return files.filter((file) => existsSync(join(root, file)));
  } catch (error) {
    // Not a git checkout (an unpacked archive): every file below the root, minus build output.
    if (!(error instanceof Error)) throw error;
  }
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return UNTRACKED_DIRS.has(entry.name) ? [] : walk(path);
      return entry.isFile() ? [path] : [];
    });
  return walk('');
}

/** Tells whether a repository file is read by the path scan (fixture data and lock files are not). */
export function isScanned(file: string): boolean {
  return !NOT_SCANNED.some((pattern) => pattern.test(file));
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

// `../x` as a literal (in quotes, parentheses, backticks, after whitespace or `=`), and
// `'..', '..', 'x'` as the arguments of path.join/resolve.
const DOTTED_PATH = /(?<=^|[\s'"`(=[,:])((?:\.\.\/)+[\w.@-][\w./@-]*|(?:\.\.\/)+)/gm;
const SEGMENT_ARGS = /(['"])\.\.\1(?:\s*,\s*(['"])\.\.\2)*(?:\s*,\s*(['"])([^'"\n]+)\3)?/g;

/** Finds relative paths in `text` (the content of `file`) that resolve outside `root`. */
export function pathsLeavingRoot(root: string, file: string, text: string): PathProblem[] {
  const base = dirname(join(root, file));
  const problems: PathProblem[] = [];
  const check = (target: string, index: number) => {
    if (!isInside(root, resolve(base, target))) {
      problems.push({ file, line: lineOf(text, index), target, why: 'climbs above the repository root' });
    }
  };
  for (const match of text.matchAll(DOTTED_PATH)) check(match[1] ?? '', match.index);
  for (const match of text.matchAll(SEGMENT_ARGS)) {
    const ups = (match[0].match(/\.\./g) ?? []).length - (match[4]?.includes('..') ? 1 : 0);
    check(`${'../'.repeat(ups)}${match[4] ?? ''}`, match.index);
  }
  return problems;
}

const MACHINE_PATH = /(?<![\w.:/-])\/(?:work|root|home|farm)\/[\w./-]*/g;

/** Finds absolute paths of a developer's machine (under work, home or root) that no clone has. */
export function machinePaths(file: string, text: string): PathProblem[] {
  return [...text.matchAll(MACHINE_PATH)].map((match) => ({
    file,
    line: lineOf(text, match.index),
    target: match[0],
    why: 'is an absolute path on a developer machine',
  }));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Blanks out fenced code blocks, keeping line numbers: a `#` line in them is no heading. */
function stripFences(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '));
}

function stripCode(markdown: string): string {
  // Links inside code are examples, not links: blank them out, keeping line numbers.
  return stripFences(markdown).replace(/`[^`\n]*`/g, (code) => ' '.repeat(code.length));
}

/** The anchors a markdown document defines: its headings (with GitHub's -1, -2 for repeats). */
export function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of stripFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const anchor = headingAnchor(match[1] ?? '');
    const count = seen.get(anchor) ?? 0;
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
    seen.set(anchor, count + 1);
  }
  for (const match of markdown.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1] ?? '');
  return anchors;
}

const LINK = /\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|^\s*\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s|$)/gm;

/** Finds the relative links of a markdown file that point at no file of the repository or no heading. */
export function brokenMarkdownLinks(
  root: string,
  file: string,
  markdown: string,
  files: ReadonlySet<string>,
): PathProblem[] {
  const problems: PathProblem[] = [];
  const text = stripCode(markdown);
  for (const match of text.matchAll(LINK)) {
    const target = match[1] ?? match[2] ?? '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const problem = (why: string) => problems.push({ file, line: lineOf(text, match.index), target, why });
    const [pathPart = '', anchor] = target.split('#', 2);
    const resolved = pathPart
      ? resolve(dirname(join(root, file)), decodeURIComponent(pathPart))
      : join(root, file);
    if (!isInside(root, resolved)) {
      problem('climbs above the repository root');
      continue;
    }
    const rel = relative(root, resolved).split(sep).join('/');
    const isFile = files.has(rel);
    const isDir = !isFile && [...files].some((f) => f.startsWith(`${rel}/`));
    if (!isFile && !isDir) {
      problem('points at no file of the repository');
      continue;
    }
    if (anchor && isFile && rel.endsWith('.md')) {
      const target = rel === file ? markdown : readFileSync(resolved, 'utf8');
      if (!markdownAnchors(target).has(anchor.toLowerCase()))
        problem(`names no heading #${anchor} in ${rel}`);
    }
  }
  return problems;
}

/** Reads a repository file as text, or undefined for binary files. */
export function readText(root: string, file: string): string | undefined {
  const path = join(root, file);
  if (!statSync(path).isFile()) return undefined;
  const buffer = readFileSync(path);
  return buffer.includes(0) ? undefined : buffer.toString('utf8');
}
