// Errors about the data itself. They carry the file they are about, so every command can print one line that
// names it (the CLI base class prints only the first line of the message and no stack trace).
export class DatasetError extends Error {
  override readonly name = 'DatasetError';

  constructor(
    /** The file or folder the problem is about. */
    readonly file: string,
    /** What is wrong with it, one line, no file name. */
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** One problem found while checking a dataset; `verify` collects all of them instead of stopping at the first. */
export interface Problem {
  file: string;
  problem: string;
}

/** The first line of an error message from a library (sharp, the file system), for one-line reports. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim();
}
