// MSLK_THREADS: the cores a process was given (by a suite executor, SLURM's --cpus-per-task, or the user).

/** MSLK_THREADS as a positive integer, or undefined when unset or not one. */
export function threadsFromEnvironment(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = Number(env['MSLK_THREADS']);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
