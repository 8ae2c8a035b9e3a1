import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import noImportCycle from '../../../lint/no-import-cycle.js';

/** Writes the given files under a fresh directory and returns it. */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'klaxon-cycle-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** The rule's messages for one file of a project. */
function cycleMessages(root: string, file: string, text: string): string[] {
  const linter = new Linter({ cwd: root });
  const messages = linter.verify(
    text,
    [
      {
        files: ['**/*.ts', '**/*.cjs'],
        languageOptions: { parser: tseslint.parser },
        plugins: { klaxon: { rules: { 'no-import-cycle': noImportCycle } } },
        rules: { 'klaxon/no-import-cycle': 'error' },
      },
    ],
    { filename: join(root, file) },
  );
  return messages.map((m) => `${m.line}: ${m.message}`);
}

describe('klaxon/no-import-cycle', () => {
  it('reports a cycle made only of type imports, with the route', () => {
    const files = {
      'a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
      'b.ts': "import type { A } from './a';\nexport interface B { a?: A }\n",
    };
    const root = project(files);
    expect(cycleMessages(root, 'a.ts', files['a.ts'])).toEqual(['1: import cycle: a.ts → b.ts → a.ts']);
  });

  it('follows re-exports, dynamic imports and require() through several modules', () => {
    const files = {
      'cli/verbs.ts': "export { helper } from './helper';\n",
      'cli/helper.ts': "export const helper = () => import('../shared/deep.js');\n",
      'shared/deep.ts': "import '../deploy/x.cjs';\nexport const deep = 1;\n",
      'deploy/x.cjs': "require('../cli/verbs');\n",
    };
    const root = project(files);
    expect(cycleMessages(root, 'cli/verbs.ts', files['cli/verbs.ts'])).toEqual([
      '1: import cycle: cli/verbs.ts → cli/helper.ts → shared/deep.ts → deploy/x.cjs → cli/verbs.ts',
    ]);
  });

  it('judges the linted text, not the file on disk, reports the shortest route, and passes a graph without cycles', () => {
    const files = {
      'leaf.ts': 'export const leaf = 1;\n',
      'middle.ts': "import { leaf } from './leaf';\nexport const middle = leaf;\n",
      'top.ts':
        "import { middle } from './middle';\nimport { leaf } from './leaf';\nexport const top = middle + leaf;\n",
    };
    const root = project(files);
    expect(cycleMessages(root, 'top.ts', files['top.ts'])).toEqual([]);
    expect(
      cycleMessages(root, 'leaf.ts', "import { top } from './top';\nexport const leaf = top;\n"),
    ).toEqual(['1: import cycle: leaf.ts → top.ts → leaf.ts']);
  });

  it('is on for every source file of the repository', async () => {
    const eslint = new ESLint();
    for (const file of [
      'shared/config/load.ts',
      'cli/verbs.ts',
      'deploy/klaxon-config.cjs',
      'bench/run.ts',
    ]) {
      const config = (await eslint.calculateConfigForFile(file)) as Linter.Config;
      expect(config.rules?.['klaxon/no-import-cycle'], file).toEqual([2]);
    }
  });
});
