import { runNx, type NxRun } from '../../test/support/nx-workspace';

/** Runs real nx in `ws` and times it; a failed run stops the benchmark with nx's output. */
export function timedNx(ws: string, args: string[], env: Record<string, string>): { seconds: number; run: NxRun } {
  const start = process.hrtime.bigint();
  const run = runNx(ws, args, env);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) throw new Error(run.output);
  if (process.env.BENCH_VERBOSE) console.error(`  nx ${args.join(' ')}: ${seconds.toFixed(2)} s, ran ${run.ran.size}, cached ${run.cached.size}`);
  return { seconds, run };
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
