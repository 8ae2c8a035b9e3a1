/** One relative import written in a source text. */
export interface WrittenImport {
  target: string;
  specifier: string;
  pos: number;
  end: number;
}

/** The code file a relative specifier names from `fromFile`; undefined for packages and data files. */
export function resolveImport(fromFile: string, specifier: string): string | undefined;
/** The relative imports written in `text` (the source of `file`): resolved path and specifier span. */
export function importsOf(file: string, text: string): WrittenImport[];
/** The files `file` imports directly, as it is on disk. */
export function directImports(file: string): string[];
/** The files `file` imports directly when its source is `text` (an editor's copy may differ from disk). */
export function targetsOf(file: string, text: string): string[];
/** For each target that imports `file` back, directly or through others, the shortest path back. */
export function cyclesThrough(file: string, targets: readonly string[]): Map<string, string[]>;
/** Every file `file` imports, directly or through others. */
export function transitiveImports(file: string): Set<string>;
