import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  brokenMarkdownLinks,
  headingAnchor,
  isScanned,
  machinePaths,
  markdownAnchors,
  pathsLeavingRoot,
  readText,
  repositoryFiles,
} from '../support/repo-paths';

// Users clone the repository alone: nothing it builds, tests or links to may live beside it.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FILES = repositoryFiles(ROOT);
const FILE_SET = new Set(FILES);
const show = (problems: Array<{ file: string; line: number; target: string; why: string }>) =>
  problems.map((p) => `${p.file}:${p.line}: ${p.target} ${p.why}`);

const up = (n: number, rest: string) => `${'../'.repeat(n)}${rest}`;

describe('the repository stands alone', () => {
  it('lists its own files', () => {
    expect(FILES).toContain('package.json');
    expect(FILES).toContain('README.md');
    expect(FILES.some((f) => f.startsWith('node_modules/'))).toBe(false);
  });

  it('has no relative path in code, config, docs or scripts that climbs above its root', () => {
    const problems = FILES.filter(isScanned).flatMap((file) => {
      const text = readText(ROOT, file);
      return text === undefined ? [] : pathsLeavingRoot(ROOT, file, text);
    });
    expect(show(problems)).toEqual([]);
  });

  it('names no absolute path of a developer machine', () => {
    const problems = FILES.filter(isScanned).flatMap((file) => {
      const text = readText(ROOT, file);
      return text === undefined ? [] : machinePaths(file, text);
    });
    expect(show(problems)).toEqual([]);
  });

  it('resolves every relative link of its markdown to a file and heading of its own', () => {
    const markdown = FILES.filter((f) => f.endsWith('.md') && isScanned(f));
    expect(markdown).toContain('README.md');
    expect(markdown).toContain('docs/replay-output.md');
    const problems = markdown.flatMap((file) =>
      brokenMarkdownLinks(ROOT, file, readFileSync(`${ROOT}/${file}`, 'utf8'), FILE_SET),
    );
    expect(show(problems)).toEqual([]);
  });

  it('carries the licence package.json names', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { license: string };
    expect(pkg.license).toBe('Apache-2.0');
    const licence = readFileSync(`${ROOT}/LICENSE`, 'utf8');
    expect(licence).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(licence).toContain('END OF TERMS AND CONDITIONS');
  });

  it('vendors the PagerDuty Events API v2 schema the tests check payloads against, as its note records', () => {
    const path = `${ROOT}/test/contracts/pagerduty-events-v2.openapi.json`;
    expect(existsSync(path), 'test/contracts/pagerduty-events-v2.openapi.json is missing').toBe(true);
    const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
    expect(readFileSync(`${ROOT}/test/contracts/README.md`, 'utf8')).toContain(digest);
    const spec = JSON.parse(readFileSync(path, 'utf8')) as { info: { title: string }; paths: object };
    expect(spec.info.title).toBe('PagerDuty V2 Events API');
    expect(Object.keys(spec.paths)).toContain('/enqueue');
  });
});

describe('the path checks themselves', () => {
  const root = '/repo';

  it('flag a literal path that climbs out, and pass one that stays inside', () => {
    const code = [
      `readFileSync('${up(3, 'shared/contracts/x.json')}')`,
      `require('${up(1, 'shared/a.json')}')`,
    ].join('\n');
    const problems = pathsLeavingRoot(root, 'test/support/a.ts', code);
    expect(problems.map((p) => [p.line, p.target])).toEqual([[1, up(3, 'shared/contracts/x.json')]]);
    expect(pathsLeavingRoot(root, 'deploy/a.cjs', `require('${up(1, 'shared/a.json')}')`)).toEqual([]);
  });

  it('flag path segments that climb out and markdown links that do', () => {
    const dots = ["'..'", "'..'", "'..'"].join(', ');
    expect(pathsLeavingRoot(root, 'bench/a.ts', `resolve(here, ${dots}, 'x')`)).toHaveLength(1);
    expect(pathsLeavingRoot(root, 'bench/a.ts', `resolve(here, '..', 'x')`)).toEqual([]);
    expect(pathsLeavingRoot(root, 'README.md', `see [the contract](${up(1, 'shared/c.md')})`)).toHaveLength(
      1,
    );
  });

  it('flag absolute paths of a developer machine but not URLs', () => {
    const slash = '/';
    const text = `read ${slash}work${slash}shared/x.md or https://example.com${slash}home${slash}x`;
    expect(machinePaths('a.md', text).map((p) => p.target)).toEqual([`${slash}work${slash}shared/x.md`]);
  });

  it('flag links to missing files and headings, and skip code and absolute URLs', () => {
    const files = new Set(['README.md', 'docs/a.md']);
    const readme = [
      '# Klaxon',
      '[ok](docs/) [gone](docs/missing.md) [web](https://example.com/x.md) [self](#klaxon) [nope](#nowhere)',
      '`[code](nothing.md)`',
      '```',
      '[fenced](nothing.md)',
      '```',
    ].join('\n');
    const problems = brokenMarkdownLinks(root, 'README.md', readme, files);
    expect(problems.map((p) => [p.line, p.target])).toEqual([
      [2, 'docs/missing.md'],
      [2, '#nowhere'],
    ]);
  });

  it('compute GitHub heading anchors, with numbered repeats', () => {
    expect(headingAnchor('Replay output (`--json`)')).toBe('replay-output---json');
    expect([...markdownAnchors('## `serverless invoke local`\n')]).toEqual(['serverless-invoke-local']);
    expect(headingAnchor('Fifteen minutes: deploy → first page')).toBe('fifteen-minutes-deploy--first-page');
    expect([...markdownAnchors('# A\n## A\n### B.c')]).toEqual(['a', 'a-1', 'bc']);
  });
});
