/**
 * The measuring loop's progress events, the one thing it tells the reports
 * while it runs: a home below both, so the loop never imports a report.
 */

/** What a long measurement is doing, for a progress display. */
export interface BenchmarkProgress {
  benchmark: string;
  phase: 'starting' | 'warm-up' | 'measuring' | 'restarting' | 'profiling' | 'done';
  /** Rounds finished (one turn of base and one of head each count as a round). */
  rounds: number;
  maxRounds: number;
  elapsedSeconds: number;
  maxSeconds: number;
  /** Worker processes started per side so far. */
  processes: number;
  /** The latest estimate per metric, e.g. "latency +0.4% [-0.2%, +1.1%] unchanged". */
  estimate: string | null;
  /** Seconds from the start to the last timed round, once measuring has ended; else null. */
  verdictSeconds: number | null;
}
