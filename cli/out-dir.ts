import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Creates `dir` one level at a time, failing with the file system's error (code and path, exit 3):
 * Node's recursive mkdir never returns under /proc, and a component that is a file must not give
 * a stack trace.
 */
export async function ensureWritableDir(dir: string): Promise<void> {
  const absolute = resolve(dir);
  const info = await stat(absolute).catch(() => undefined);
  if (info?.isDirectory()) return;
  if (info) {
    throw Object.assign(new Error(`${dir} is a file, not a directory`), { code: 'ENOTDIR', path: dir });
  }
  const parent = dirname(absolute);
  if (parent !== absolute) await ensureWritableDir(parent);
  await mkdir(absolute).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}
