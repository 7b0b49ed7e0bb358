/**
 * The machine-readable side of every benchmark: each one prints its own table for people and,
 * when `BENCH_JSON` names a file (bench/run.mjs sets it), writes its figures there as JSON so
 * run.mjs can put every figure next to its baseline in bench/RESULTS.md.
 */
import { writeFileSync } from 'node:fs';

/** A goal on one figure: on its ratio to the baseline, or on its own value. */
export interface Goal {
  on: 'ratio' | 'value';
  op: '>=' | '<=' | '==';
  target: number;
}

/** One measured figure, with the baseline it is read against (measured in the same run). */
export interface Figure {
  /** What is measured, e.g. `verifies/s, wrong code (MemoryStore)`. */
  name: string;
  value: number;
  unit: string;
  /** Digits after the point when shown (default 0). */
  digits?: number;
  baseline?: { name: string; value: number };
  /**
   * The figure over its baseline. Benchmarks that run in rounds give the median of the per-round
   * ratios (robust to a burst of background load in one round); without it, value / baseline.
   */
  ratio?: number;
  goal?: Goal;
  /** Shown in the notes column (statuses, what is included, ...). */
  note?: string;
}

/** What one benchmark writes to `BENCH_JSON`. */
export interface BenchResult {
  bench: string;
  /** The parameters of the run (rounds, seconds per round, counts), shown in RESULTS.md. */
  params: Record<string, string | number>;
  figures: Figure[];
}

/** Writes the result to `BENCH_JSON` when it is set (bench/run.mjs); a no-op otherwise. */
export function writeResult(result: BenchResult): void {
  const file = process.env.BENCH_JSON;
  if (file) writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}

/** The median of `values` (the mean of the middle two for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
