/** What a verb writes to and reads from; injectable for tests. */
export interface VerbIo {
  out: (text: string) => void;
  err: (text: string) => void;
  now: () => Date;
  /** A progress callback for a named phase, when standard error is a terminal. */
  progress?: (label: string) => ((done: number, total: number) => void) | undefined;
}
