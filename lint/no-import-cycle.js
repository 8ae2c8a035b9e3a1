import { relative } from 'node:path';
import { cyclesThrough, importsOf, targetsOf } from './import-graph.js';

/**
 * `klaxon/no-import-cycle`: no module may import, directly or through others, a module that imports
 * it back. Unlike `import-x/no-cycle`, type-only imports count too: a cycle of types is still a
 * cycle of modules to untangle. The linted file is read from the editor's text, the rest from disk.
 */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles, type-only imports included.' },
    schema: [],
    messages: { cycle: 'import cycle: {{route}}' },
  },
  create(context) {
    const file = context.physicalFilename;
    const { sourceCode } = context;
    return {
      Program() {
        const cycles = cyclesThrough(file, targetsOf(file, sourceCode.text));
        if (cycles.size === 0) return;
        const reported = new Set();
        for (const { target, pos, end } of importsOf(file, sourceCode.text)) {
          const back = cycles.get(target);
          if (!back || reported.has(target)) continue;
          reported.add(target);
          const route = [file, ...back].map((path) => relative(context.cwd, path)).join(' → ');
          context.report({
            loc: { start: sourceCode.getLocFromIndex(pos), end: sourceCode.getLocFromIndex(end) },
            messageId: 'cycle',
            data: { route },
          });
        }
      },
    };
  },
};
