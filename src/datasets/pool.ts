// Runs async work over a list with a bounded number in flight, keeping results in input order. The first failure
// stops new work and is rethrown once the running tasks have settled.
import {availableParallelism} from 'node:os';

export function defaultConcurrency(): number {
  return Math.max(2, availableParallelism() * 2);
}

export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: {error: unknown} | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failure ??= {error};
      }
    }
  };
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker));
  if (failure) throw failure.error;
  return results;
}
