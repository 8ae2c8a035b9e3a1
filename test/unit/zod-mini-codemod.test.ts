import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/fixtures';

// Inside the repository (out/ is ignored), so 'zod' and shared/zod resolve as they do for real code.
mkdirSync(join(REPO_ROOT, 'out'), { recursive: true });
const dir = mkdtempSync(join(REPO_ROOT, 'out', 'codemod-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const classic = `import { z } from 'zod';

const limit = Math.min(3, 4);
const items = [1, 2].map((n) => n * limit);

/** A route. */
export const routeSchema = z.strictObject({
  // The name, kept.
  name: z.string().min(1, 'a name').max(64).regex(/^[a-z]+$/),
  count: z.number().int().min(1).max(10).optional(),
  retries: z.number().min(0).default(3),
  tags: z.array(z.string()).min(1).optional(),
  url: z.string().url(),
  at: z.string().datetime({ offset: true }).optional(),
  ids: z.string().array(),
  mode: z.enum(['a', 'b']).catch('a'),
  upper: z.string().transform((text) => text.toUpperCase()),
}).refine((value) => value.name !== 'x', 'not x');

export type Route = z.infer<typeof routeSchema>;
export const wide: z.ZodType<unknown> = routeSchema.partial().optional();
export { items };
`;

const mini = `import * as z from '../../shared/zod';

const limit = Math.min(3, 4);
const items = [1, 2].map((n) => n * limit);

/** A route. */
export const routeSchema = z.strictObject({
  // The name, kept.
  name: z.string().check(z.minLength(1, 'a name'), z.maxLength(64), z.regex(/^[a-z]+$/)),
  count: z.optional(z.number().check(z.int(), z.gte(1), z.lte(10))),
  retries: z._default(z.number().check(z.gte(0)), 3),
  tags: z.optional(z.array(z.string()).check(z.minLength(1))),
  url: z.string().check(z.url()),
  at: z.optional(z.string().check(z.iso.datetime({ offset: true }))),
  ids: z.array(z.string()),
  mode: z.catch(z.enum(['a', 'b']), 'a'),
  upper: z.pipe(z.string(), z.transform((text) => text.toUpperCase())),
}).check(z.refine((value) => value.name !== 'x', 'not x'));

export type Route = z.infer<typeof routeSchema>;
export const wide: z.ZodMiniType<unknown> = z.optional(z.partial(routeSchema));
export { items };
`;

describe('scripts/zod-mini-codemod.ts', () => {
  it('rewrites classic chains to the shared/zod idioms, and leaves Math.min and comments alone', () => {
    const file = join(dir, 'route.ts');
    writeFileSync(file, classic);
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/zod-mini-codemod.ts', file], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
    expect(readFileSync(file, 'utf8')).toBe(mini);
  }, 120_000);
});
