import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { isZodClassicInput } from '../../bench/lib/build';
import { readServerlessConfig } from '../../bench/lib/serverless';
import * as z from '../../shared/zod';
import { REPO_ROOT } from '../support/fixtures';

/** The inputs esbuild puts in one bundle, built with the options serverless.yml deploys with. */
async function bundleInputs(options: BuildOptions, entry: BuildOptions): Promise<string[]> {
  const result = await build({
    ...options,
    ...entry,
    absWorkingDir: REPO_ROOT,
    outdir: join(tmpdir(), 'klaxon-function-bundles'),
    write: false,
    metafile: true,
    minify: false,
    sourcemap: false,
    logLevel: 'silent',
  });
  return Object.values(result.metafile.outputs).flatMap((output) => Object.keys(output.inputs));
}

describe('function bundles (bench/README.md)', () => {
  it('bundle zod/mini and never zod classic, in every function of serverless.yml', async () => {
    const { functions, esbuild } = await readServerlessConfig(REPO_ROOT);
    expect(functions.length).toBeGreaterThanOrEqual(8);
    const found: Record<string, string[]> = {};
    for (const fn of functions) {
      const inputs = await bundleInputs(esbuild, { entryPoints: [fn.entry] });
      expect(inputs.some((input) => input.includes('node_modules/zod/v4/mini/'))).toBe(true);
      found[fn.name] = inputs.filter(isZodClassicInput);
    }
    expect(found).toEqual(Object.fromEntries(functions.map((fn) => [fn.name, []])));
  }, 60_000);

  it('bundle the detection catalog and the security screen in the security responder alone', async () => {
    const { functions, esbuild } = await readServerlessConfig(REPO_ROOT);
    const carries = (inputs: string[]) => ({
      catalog: inputs.includes('shared/security/catalog.ts'),
      screen: inputs.includes('shared/security/stage.ts'),
    });
    const found: Record<string, { catalog: boolean; screen: boolean }> = {};
    for (const fn of functions) {
      found[fn.name] = carries(await bundleInputs(esbuild, { entryPoints: [fn.entry] }));
    }
    const only = (fn: string) => ({
      catalog: fn === 'securityResponder',
      screen: fn === 'securityResponder',
    });
    expect(found).toEqual(Object.fromEntries(functions.map((fn) => [fn.name, only(fn.name)])));
  }, 60_000);

  it("bundle the remediation code only where a rule of the repository's klaxon.yml can match their sources", async () => {
    const { functions, esbuild } = await readServerlessConfig(REPO_ROOT);
    const found: Record<string, boolean> = {};
    for (const fn of functions) {
      const inputs = await bundleInputs(esbuild, { entryPoints: [fn.entry] });
      found[fn.name] = inputs.includes('shared/remediation/remediator.ts');
    }
    // klaxon.yml's rules match alarms (alarmName) and CloudTrail detections: not informational
    // events, and never the self-check's own alerts.
    expect(found).toEqual({
      alarmNotifier: true,
      operationalEvents: false,
      securityResponder: true,
      remediator: true,
      slackActions: true,
      deliveryRetrier: true,
      digest: false,
      heartbeat: false,
      selfCheck: false,
    });
  }, 60_000);

  it('bundle only the sources their compositions name (shared/compositions/)', async () => {
    const { functions, esbuild } = await readServerlessConfig(REPO_ROOT);
    const sourcesOf = async (name: string) => {
      const fn = functions.find((candidate) => candidate.name === name);
      if (!fn) throw new Error(`no function ${name} in serverless.yml`);
      const inputs = await bundleInputs(esbuild, { entryPoints: [fn.entry] });
      return [
        ...new Set(
          inputs.flatMap((input) => /^shared\/sources\/([^/]+)\/source\.ts$/.exec(input)?.[1] ?? []),
        ),
      ].sort();
    };
    expect(await sourcesOf('alarmNotifier')).toEqual(['cloudwatch-alarm', 'cost-anomaly', 'heartbeat']);
    expect(await sourcesOf('operationalEvents')).toEqual([
      'autoscaling',
      'codedeploy',
      'cost-anomaly',
      'ecs',
      'health',
    ]);
    expect((await sourcesOf('securityResponder')).length).toBe(11);
  }, 60_000);

  it('would catch one classic import: the check is not vacuous', async () => {
    const { esbuild } = await readServerlessConfig(REPO_ROOT);
    const inputs = await bundleInputs(esbuild, {
      stdin: {
        contents: "import { z } from 'zod';\nexport const schema = z.string().min(1);\n",
        resolveDir: REPO_ROOT,
        loader: 'ts',
      },
    });
    const classic = inputs.filter(isZodClassicInput);
    expect(classic).toContain('node_modules/zod/v4/classic/schemas.js');
    // Every other locale comes with classic; a lean bundle keeps only English.
    expect(classic).toContain('node_modules/zod/v4/locales/he.js');
    expect(isZodClassicInput('node_modules/zod/v4/locales/en.js')).toBe(false);
    expect(isZodClassicInput('node_modules/zod/v4/mini/schemas.js')).toBe(false);
    expect(isZodClassicInput('shared/zod.ts')).toBe(false);
  }, 60_000);
});

describe('shared/zod', () => {
  it('speaks English, as zod classic did: no bare "Invalid input"', () => {
    const schema = z.strictObject({
      name: z.string().check(z.minLength(2)),
      count: z.optional(z.number().check(z.int(), z.gte(1))),
      kind: z.enum(['a', 'b']),
    });
    const result = schema.safeParse({ name: 'x', count: 1.5, kind: 'c', extra: true });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['name', 'Too small: expected string to have >=2 characters'],
      ['count', 'Invalid input: expected int, received number'],
      ['kind', 'Invalid option: expected one of "a"|"b"'],
      ['', 'Unrecognized key: "extra"'],
    ]);
  });

  it('compiles object schemas as zod classic did (mini alone parses key by key, 2-3x slower on events)', () => {
    const plain = z.object({ a: z.string() });
    const strict = z.strictObject({ a: z.string() });
    const loose = z.looseObject({ a: z.string() });
    const derived = z.partial(z.extend(strict, { b: z.number() }));
    for (const schema of [plain, strict, loose, derived]) {
      expect(schema._zod.traits.has('$ZodObjectJIT')).toBe(true);
      expect(schema._zod.traits.has('ZodMiniObject')).toBe(true);
    }
    expect(plain.parse({ a: 'x', extra: 1 })).toEqual({ a: 'x' });
    expect(loose.parse({ a: 'x', extra: 1 })).toEqual({ a: 'x', extra: 1 });
    expect(strict.safeParse({ a: 'x', extra: 1 }).error?.issues[0]?.message).toBe(
      'Unrecognized key: "extra"',
    );
    expect(derived.parse({})).toEqual({});
    expect(Object.keys(derived.shape)).toEqual(['a', 'b']);
  });

  it('gives the same answers before and after a shape is compiled (from its third parse)', () => {
    const schema = z.strictObject({
      name: z.string().check(z.minLength(2)),
      nested: z.object({ n: z.number() }),
      tags: z.optional(z.array(z.looseObject({ k: z.string() }))),
    });
    const good = { name: 'ok', nested: { n: 1, dropped: true }, tags: [{ k: 'a', kept: 1 }] };
    const bad = { name: 'x', nested: { n: 'one' }, tags: [{ k: 2 }], extra: true };
    const answers = Array.from({ length: 5 }, () => [schema.safeParse(good), schema.safeParse(bad)]);
    for (const [ok, failed] of answers) {
      expect(ok?.data).toEqual({ name: 'ok', nested: { n: 1 }, tags: [{ k: 'a', kept: 1 }] });
      expect(failed?.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
        ['name', 'Too small: expected string to have >=2 characters'],
        ['nested.n', 'Invalid input: expected number, received string'],
        ['tags.0.k', 'Invalid input: expected string, received number'],
        ['', 'Unrecognized key: "extra"'],
      ]);
    }
  });

  it('keeps the English messages in a bundle of shared/zod alone (the locale is not tree-shaken away)', async () => {
    const { esbuild } = await readServerlessConfig(REPO_ROOT);
    const inputs = await bundleInputs(esbuild, {
      stdin: {
        contents: "import * as z from './shared/zod';\nexport const schema = z.string();\n",
        resolveDir: REPO_ROOT,
        loader: 'ts',
      },
    });
    expect(inputs).toContain('node_modules/zod/v4/locales/en.js');
    expect(inputs.filter(isZodClassicInput)).toEqual([]);
  }, 60_000);
});
