import { main } from '../../cli/klaxon';

/** Runs the klaxon CLI in process, capturing what it writes to stdout and stderr, and its exit code. */
export async function runCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((chunk: string) => stdout.push(chunk) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => stderr.push(chunk) > 0) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
