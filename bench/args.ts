// The benchmarks' command-line values: `--name v1 v2 ...` up to the next `--flag`.

/** The values after `--name` in process.argv, or `fallback` when the flag is absent or has none. */
export function listArg(name: string, fallback: string[]): string[] {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const values: string[] = [];
  for (let j = i + 1; j < process.argv.length && !process.argv[j]!.startsWith('--'); j++) values.push(process.argv[j]!);
  return values.length > 0 ? values : fallback;
}
