import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Reads a file of the repository (fixtures, klaxon.yml) as text. */
export function repoText(path: string): string {
  return readFileSync(`${root}${path}`, 'utf8');
}

/** Reads and parses a JSON fixture under events/. */
export function fixture(path: string): unknown {
  return JSON.parse(repoText(`events/${path}`));
}

/** The repository root, with a trailing slash. */
export const REPO_ROOT = root;
