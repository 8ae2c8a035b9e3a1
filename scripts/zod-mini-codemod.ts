/**
 * Rewrites zod classic schema code to the zod/mini idioms of shared/zod.ts, for code written
 * against `import { z } from 'zod'` (docs/config-modules.md has the table it applies).
 *
 *   npx tsx scripts/zod-mini-codemod.ts shared/foo/config.ts shared/bar/schema.ts
 *   npx prettier --write <the same files> && npm run typecheck
 *
 * It reads the files with the TypeScript type checker, so it rewrites a `.min()` or `.optional()`
 * only where the receiver is a zod schema (never `Math.min`), and picks `z.minLength` or `z.gte`
 * from the receiver's type. Consecutive checks fold into one `.check(...)`. The rare forms it does
 * not know (`z.preprocess`, `ctx.addIssue` in a transform, `.options` on a union) are left for the
 * type checker to point at; a `/* FIXME *\/` marks a `.min`/`.max` on a type it could not place.
 * Run it on the files as they are, before any hand edit: it needs them to type-check with classic zod.
 */
import { writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** Classic methods that become `z.fn(schema, ...args)`. */
const WRAPPERS: Record<string, string> = {
  optional: 'optional',
  nullable: 'nullable',
  nullish: 'nullish',
  default: '_default',
  prefault: 'prefault',
  array: 'array',
  catch: 'catch',
  partial: 'partial',
  extend: 'extend',
  readonly: 'readonly',
};
/** Classic methods that become a check: `schema.check(z.fn(...args))`. */
const CHECKS = new Set([
  'check',
  'min',
  'max',
  'length',
  'nonempty',
  'regex',
  'startsWith',
  'endsWith',
  'trim',
  'toLowerCase',
  'toUpperCase',
  'int',
  'positive',
  'nonnegative',
  'negative',
  'refine',
  'superRefine',
  'url',
  'email',
  'uuid',
  'datetime',
]);

interface Target {
  receiver: ts.Expression;
  method: string;
  args: readonly ts.Expression[];
  typeName: string;
}

const files = process.argv.slice(2).map((file) => resolve(file));
if (files.length === 0) {
  process.stderr.write('usage: npx tsx scripts/zod-mini-codemod.ts <file.ts>...\n');
  process.exit(2);
}
const parsed = ts.getParsedCommandLineOfConfigFile(
  resolve(ROOT, 'tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  },
);
if (!parsed) throw new Error('cannot read tsconfig.json');
const program = ts.createProgram([...new Set([...parsed.fileNames, ...files])], parsed.options);
const checker = program.getTypeChecker();
const unplaced: string[] = [];

/** The zod type name of a schema expression (`ZodString`), or undefined when it is not a schema. */
function zodTypeName(expr: ts.Expression): string | undefined {
  // `z` itself and its namespaces (`z.iso`, `z.coerce`) are not schemas.
  if (ts.isIdentifier(expr) && expr.text === 'z') return undefined;
  if (
    ts.isPropertyAccessExpression(expr) &&
    ts.isIdentifier(expr.expression) &&
    expr.expression.text === 'z'
  ) {
    if (/^[a-z]/.test(expr.name.text)) return undefined;
  }
  const type = checker.getTypeAtLocation(expr);
  const symbol = type.getSymbol() ?? type.aliasSymbol;
  const declaration = symbol?.getDeclarations()?.[0];
  if (!symbol || !declaration?.getSourceFile().fileName.includes('node_modules/zod/')) return undefined;
  return symbol.getName();
}

function sizeKind(typeName: string): 'string' | 'number' | 'array' | undefined {
  if (typeName === 'ZodArray') return 'array';
  if (/^Zod(Number|Int|Float)/.test(typeName)) return 'number';
  if (/^Zod(String|URL|Email|UUID|GUID|ISO|CUID|ULID|CustomStringFormat)/.test(typeName)) return 'string';
  return undefined;
}

function targetOf(node: ts.Node): Target | undefined {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
  const method = node.expression.name.text;
  if (!(method in WRAPPERS) && !CHECKS.has(method) && method !== 'transform') return undefined;
  const receiver = node.expression.expression;
  const typeName = zodTypeName(receiver);
  return typeName ? { receiver, method, args: node.arguments, typeName } : undefined;
}

function rewriteFile(sf: ts.SourceFile): string {
  const text = sf.text;
  const hasTarget = (node: ts.Node): boolean =>
    targetOf(node) !== undefined ||
    (ts.forEachChild(node, (child) => hasTarget(child) || undefined) ?? false);

  const checkOf = (target: Target): string[] => {
    const args = target.args.map(emit);
    const list = args.join(', ');
    const kind = sizeKind(target.typeName);
    switch (target.method) {
      case 'check':
        return args;
      case 'min':
      case 'max':
        if (kind === 'number') return [`z.${target.method === 'min' ? 'gte' : 'lte'}(${list})`];
        if (kind) return [`z.${target.method}Length(${list})`];
        unplaced.push(`${sf.fileName}: .${target.method}() on ${target.typeName}`);
        return [`z.${target.method}Length(${list}) /* FIXME */`];
      case 'nonempty':
        return [`z.minLength(${['1', ...args].join(', ')})`];
      case 'datetime':
        return [`z.iso.datetime(${list})`];
      default:
        return [`z.${target.method}(${list})`];
    }
  };

  function emit(node: ts.Node): string {
    const target = targetOf(node);
    if (target?.method === 'transform') {
      return `z.pipe(${emit(target.receiver)}, z.transform(${target.args.map(emit).join(', ')}))`;
    }
    if (target && target.method in WRAPPERS) {
      return `z.${WRAPPERS[target.method]}(${[target.receiver, ...target.args].map(emit).join(', ')})`;
    }
    if (target) {
      // A run of checks (`.min(1).max(5).regex(r)`) becomes one `.check(a, b, c)`.
      const chain: Target[] = [];
      for (let link: Target | undefined = target; link && CHECKS.has(link.method);) {
        chain.unshift(link);
        const inner = targetOf(link.receiver);
        link = inner && CHECKS.has(inner.method) ? inner : undefined;
      }
      return `${emit(chain[0]!.receiver)}.check(${chain.flatMap(checkOf).join(', ')})`;
    }
    // Unchanged text around the rewritten children, comments included.
    let out = '';
    let position = node.getStart(sf);
    ts.forEachChild(node, (child) => {
      if (!hasTarget(child)) return;
      out += text.slice(position, child.getStart(sf)) + emit(child);
      position = child.end;
    });
    return out + text.slice(position, node.end);
  }

  let zodPath = relative(dirname(sf.fileName), resolve(ROOT, 'shared/zod')).replace(/\\/g, '/');
  if (!zodPath.startsWith('.')) zodPath = `./${zodPath}`;
  let out = '';
  let position = 0;
  for (const statement of sf.statements) {
    const isZodImport =
      ts.isImportDeclaration(statement) &&
      ts.isStringLiteral(statement.moduleSpecifier) &&
      statement.moduleSpecifier.text === 'zod';
    if (!isZodImport && !hasTarget(statement)) continue;
    out += text.slice(position, statement.getStart(sf));
    out += isZodImport
      ? `import ${statement.importClause?.isTypeOnly ? 'type ' : ''}* as z from '${zodPath}';`
      : emit(statement);
    position = statement.end;
  }
  out += text.slice(position);
  return out
    .replace(/\bz\.ZodType\b/g, 'z.ZodMiniType')
    .replace(/\bz\.ZodError\b/g, 'z.core.$ZodError')
    .replace(/\bz\.Zod(Object|Literal|Array|Enum|DiscriminatedUnion|Union|String|Number)\b/g, 'z.ZodMini$1');
}

for (const file of files) {
  const sf = program.getSourceFile(file);
  if (!sf) throw new Error(`${file} is not part of the TypeScript program`);
  writeFileSync(file, rewriteFile(sf));
}
if (unplaced.length > 0) process.stderr.write(`left a FIXME:\n${unplaced.join('\n')}\n`);
