/** Small helpers for benchmark figures: percentiles and a timer. */
export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index]!;
}

export function summarise(samplesMs: number[]): { median: number; p99: number; mean: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    median: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length),
  };
}

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function fmtMs(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`;
}

/** A deterministic pseudo-random generator, so every run measures the same inputs. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A fixed CPU-only task (integer arithmetic: no allocation, no I/O) calibrated to take about `targetMs` here.
 * Timed between the turns of a latency figure, it shows how much of that figure's tail is the machine's own
 * (other processes, a virtual machine's stolen time) rather than the code's.
 */
export function fixedCpuTask(targetMs: number): () => number {
  let sink = 0;
  const spin = (rounds: number): number => {
    let x = sink;
    for (let i = 0; i < rounds; i++) x = (Math.imul(x, 31) + i) | 0;
    sink = x;
    return x;
  };
  let rounds = 1_000;
  for (let attempt = 0; attempt < 30; attempt++) {
    const times: number[] = [];
    for (let k = 0; k < 21; k++) {
      const start = nowMs();
      spin(rounds);
      times.push(nowMs() - start);
    }
    const median = summarise(times).median;
    if (Math.abs(median - targetMs) < targetMs * 0.05) break;
    rounds = Math.max(1, Math.round(rounds * (targetMs / Math.max(median, 1e-6))));
  }
  return () => spin(rounds);
}
