/**
 * The one zod import of Klaxon: `zod/mini`, the tree-shakable functional API, with the English
 * messages zod classic registers on its own. Every schema imports `* as z` from here, never from
 * `zod` or `zod/mini` directly (eslint enforces it), so a function bundles only the validators it
 * uses (docs/config-modules.md has the classic-to-mini table).
 */
import { $constructor, $ZodObjectJIT, util } from 'zod/v4/core';
import { config, never, unknown, type ZodMiniObject, ZodMiniType } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini ships no locale: without this every message would be a bare "Invalid input".
config(en());

export * from 'zod/mini';

// zod/mini objects parse key by key; classic compiles each object shape into one function on first
// use ($ZodObjectJIT), which is what keeps event parsing on the hot path as fast as it was. Same
// trait name, so z.extend, z.partial and the type guards treat these as ordinary mini objects.
// A shape is compiled only from its third parse: klaxon.yml is validated once per cold start and
// would pay for compiling dozens of shapes it never parses again; event schemas compile on their
// third event.
const PARSES_BEFORE_COMPILE = 2;
const ZodMiniObjectJIT: typeof ZodMiniObject = /*@__PURE__*/ $constructor('ZodMiniObject', (inst, def) => {
  $ZodObjectJIT.init(inst, def);
  ZodMiniType.init(inst, def);
  util.installLazyProp(
    inst,
    'shape',
    (self: { _zod: { def: { shape: unknown } } }) => self._zod.def.shape,
    false,
  );
  const compiled = inst._zod.parse;
  let parses = 0;
  inst._zod.parse = (payload, ctx) => {
    if (parses >= PARSES_BEFORE_COMPILE) return compiled(payload, ctx);
    parses += 1;
    return compiled(payload, { ...ctx, jitless: true });
  };
});

/** `z.object`: unknown keys are dropped. */
export const object = ((shape, params) =>
  new ZodMiniObjectJIT({
    type: 'object',
    shape: shape ?? {},
    ...util.normalizeParams(params),
  })) as typeof import('zod/mini').object;

/** `z.strictObject`: an unknown key is an error. */
export const strictObject = ((shape, params) =>
  new ZodMiniObjectJIT({
    type: 'object',
    shape,
    catchall: never(),
    ...util.normalizeParams(params),
  })) as typeof import('zod/mini').strictObject;

/** `z.looseObject`: unknown keys are kept. */
export const looseObject = ((shape, params) =>
  new ZodMiniObjectJIT({
    type: 'object',
    shape,
    catchall: unknown(),
    ...util.normalizeParams(params),
  })) as typeof import('zod/mini').looseObject;
