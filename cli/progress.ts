/** A progress bar on standard error, only when it is a terminal and the run is long enough to need one. */
export function progressBar(
  stream: { isTTY?: boolean; write(text: string): unknown },
  label: string,
  minimum = 20,
): ((done: number, total: number) => void) | undefined {
  if (!stream.isTTY) return undefined;
  return (done, total) => {
    if (total < minimum) return;
    const width = 30;
    const filled = Math.round((done / total) * width);
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    if (done === total) stream.write('\r\x1b[K');
  };
}
