/**
 * The one zod import of Klaxon: `zod/mini`, the tree-shakable functional API, with the English
 * messages zod classic registers on its own. Every schema imports `* as z` from here, never from
 * `zod` or `zod/mini` directly (eslint enforces it), so a function bundles only the validators it
 * uses (docs/config-modules.md has the classic-to-mini table).
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini ships no locale: without this every message would be a bare "Invalid input".
config(en());

export * from 'zod/mini';
