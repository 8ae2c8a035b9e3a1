/** Captures everything written to process.stdout and process.stderr (Powertools writes through its own Console). */
export function captureOutput(): { text(): string; lines(): string[]; restore(): void } {
  const chunks: string[] = [];
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  const capture =
    (original: typeof process.stdout.write) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      void original;
      void rest;
      return true;
    };
  process.stdout.write = capture(originalOut) as typeof process.stdout.write;
  process.stderr.write = capture(originalErr) as typeof process.stderr.write;
  return {
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== ''),
    restore: () => {
      process.stdout.write = originalOut;
      process.stderr.write = originalErr;
    },
  };
}
