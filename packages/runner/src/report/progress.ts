import type { BenchmarkProgress } from '../gate/progress-events.js';

/**
 * Progress of a run for a person watching it. On a terminal: one status
 * line at the bottom (benchmark, phase, rounds, time, processes, latest
 * estimate), redrawn in place, with the log lines scrolling above it. In a
 * CI log, where `\r` and escape codes turn into noise: no status line, only
 * a plain line when a benchmark enters a new phase (the log lines already
 * carry every estimate).
 */

/** Carriage return, then erase the whole line: the cursor is back at column 0 of an empty line. */
const CLEAR_LINE = '\r\x1b[2K';
/** Redraw period of the live status, so the elapsed time moves during a long warm-up or round. */
const DEFAULT_REFRESH_MS = 1000;
/** Columns assumed when the terminal does not say: the classic width. */
const DEFAULT_COLUMNS = 80;
/** Marks a status line cut to the terminal's width. */
const ELLIPSIS = '…';

const PHASE_WORDS: Record<BenchmarkProgress['phase'], string> = {
  starting: 'starting processes',
  'warm-up': 'warming up',
  measuring: 'measuring',
  restarting: 'starting fresh processes',
  profiling: 'profiling what ran (untimed)',
  done: 'done',
};

/** How a ProgressDisplay writes: where to, live or plain, and how wide. Only `write` and `isTTY` are required. */
export interface ProgressDisplayOptions {
  /** Where all output goes (stderr in the CLI): whole chunks, newlines included. */
  write: (text: string) => void;
  /** True for a live status line (see {@link shouldShowLiveStatus}); false for plain lines only. */
  isTTY: boolean;
  /**
   * The terminal's width now (it can be resized). The status is cut to fit:
   * a line that wraps cannot be erased with one `\r`.
   */
  columns?: () => number | undefined;
  /** Applied to every printed line, log and progress alike (the CLI prefixes the run's elapsed time). */
  formatLine?: (line: string) => string;
  /** Live mode only: redraw every this many ms; 0 redraws only on updates and log lines. */
  refreshMs?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
}

/**
 * True where a live status line works: a terminal, and not a CI job (CI
 * logs may claim a TTY but keep every redraw as a line of its own).
 *
 * @example
 * import { ProgressDisplay, shouldShowLiveStatus } from '@vggt-perf-gate/runner';
 * const live = shouldShowLiveStatus(process.stderr, process.env); // false with CI=true or stderr piped
 * const display = new ProgressDisplay({ write: (text) => process.stderr.write(text), isTTY: live });
 */
export function shouldShowLiveStatus(
  stream: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return stream.isTTY === true && env.CI !== 'true';
}

/** "7s", "2m05s": short enough for a status line, exact enough to watch. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function processesText(count: number): string | null {
  if (count <= 0) return null;
  return `${count} process${count === 1 ? '' : 'es'} per side`;
}

/** The live status line: everything known about the benchmark now, most important first. */
export function formatStatus(p: BenchmarkProgress, elapsedSeconds = p.elapsedSeconds): string {
  return [
    p.benchmark,
    PHASE_WORDS[p.phase],
    p.phase === 'done'
      ? `${p.rounds} round${p.rounds === 1 ? '' : 's'}`
      : `round ${p.rounds}/${p.maxRounds}`,
    `${formatDuration(elapsedSeconds)} of ${formatDuration(p.maxSeconds)}`,
    processesText(p.processes),
    p.estimate,
  ]
    .filter((part): part is string => part !== null && part !== '')
    .join(' · ');
}

/**
 * The plain line printed when a benchmark enters a phase (no control characters).
 *
 * @example
 * import { formatPhaseLine, runGate } from '@vggt-perf-gate/runner';
 * await runGate({ ...options, onProgress: (p) => p.phase === 'done' && console.error(formatPhaseLine(p)) });
 * // [vggt-forward-20f] done (8 rounds, verdict after 39.7s, 54.0s in all, 2 processes per side)
 */
export function formatPhaseLine(p: BenchmarkProgress): string {
  // Once measuring has ended, say when: the profiled iterations and the shutdown
  // that follow add seconds to the run but nothing to the verdict.
  const verdict =
    p.verdictSeconds === null ? [] : [`verdict after ${p.verdictSeconds.toFixed(1)}s`];
  const details =
    p.phase === 'done'
      ? [
          `${p.rounds} round${p.rounds === 1 ? '' : 's'}`,
          ...verdict,
          `${p.elapsedSeconds.toFixed(1)}s${verdict.length > 0 ? ' in all' : ''}`,
        ]
      : [
          `round ${p.rounds}/${p.maxRounds}`,
          ...verdict,
          `${p.elapsedSeconds.toFixed(1)}s of ${p.maxSeconds}s`,
        ];
  const processes = processesText(p.processes);
  if (processes) details.push(processes);
  return `[${p.benchmark}] ${PHASE_WORDS[p.phase]} (${details.join(', ')})`;
}

/**
 * Cuts `text` to `width` columns (one code point is taken as one column),
 * control characters blanked: a newline or escape in a name would break the
 * in-place redraw.
 */
function fit(text: string, width: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  const chars = [...text.replace(/[\u0000-\u001f\u007f]/g, ' ')];
  if (chars.length <= width) return text;
  return width <= 1
    ? chars.slice(0, width).join('')
    : `${chars.slice(0, width - 1).join('')}${ELLIPSIS}`;
}

/**
 * The run's progress output: `log` for log lines, `update` for each
 * BenchmarkProgress, `clear` before anything else is printed for good (the
 * results table). In live mode the status is erased before each log line
 * and drawn again under it, so log lines are never cut or overwritten.
 *
 * @example
 * import { ProgressDisplay, renderTerminal, runGate, shouldShowLiveStatus } from '@vggt-perf-gate/runner';
 * const isTTY = shouldShowLiveStatus(process.stderr, process.env);
 * const display = new ProgressDisplay({ write: (text) => process.stderr.write(text), isTTY });
 * const results = await runGate({ ...options, log: (line) => display.log(line), onProgress: (p) => display.update(p) });
 * display.clear(); // before the table, so the two never share a line
 * console.log(renderTerminal(results));
 */
export class ProgressDisplay {
  readonly #write: (text: string) => void;
  readonly #live: boolean;
  readonly #columns: () => number | undefined;
  readonly #formatLine: (line: string) => string;
  readonly #refreshMs: number;
  readonly #now: () => number;
  #status: BenchmarkProgress | null = null;
  /** When the status arrived: its elapsed time runs on from there. */
  #receivedAt = 0;
  /** Whether a status line is on screen now (live mode). */
  #shown = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  /** Last benchmark and phase printed (plain mode), to print phase changes only. */
  #lastPhase: string | null = null;

  constructor(options: ProgressDisplayOptions) {
    this.#write = options.write;
    this.#live = options.isTTY;
    this.#columns = options.columns ?? (() => undefined);
    this.#formatLine = options.formatLine ?? ((line) => line);
    this.#refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Prints one log line; in live mode above the status line, which is drawn again under it. */
  log(line: string): void {
    const text = `${this.#formatLine(line)}\n`;
    if (!this.#shown) {
      this.#write(text);
      return;
    }
    // One write: the terminal never shows the log line without the status under it.
    this.#write(`${CLEAR_LINE}${text}${this.#statusText()}`);
  }

  /** Shows a benchmark's progress: redraws the status (live), or prints a line at a phase change (plain). */
  update(progress: BenchmarkProgress): void {
    if (!this.#live) {
      const key = `${progress.benchmark}\u0000${progress.phase}`;
      if (key === this.#lastPhase) return;
      this.#lastPhase = key;
      this.#write(`${this.#formatLine(formatPhaseLine(progress))}\n`);
      return;
    }
    this.#status = progress;
    this.#receivedAt = this.#now();
    this.#draw();
    if (this.#timer === null && this.#refreshMs > 0) {
      this.#timer = setInterval(() => this.#draw(), this.#refreshMs);
      // A status line must never keep the process alive on its own.
      this.#timer.unref?.();
    }
  }

  /** Erases the status line and stops redrawing; safe to call more than once. */
  clear(): void {
    if (this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
    if (this.#shown) this.#write(CLEAR_LINE);
    this.#shown = false;
    this.#status = null;
  }

  #statusText(): string {
    const p = this.#status;
    if (!p) return '';
    // Between updates the clock keeps running, except once the benchmark is done.
    const elapsed =
      p.phase === 'done'
        ? p.elapsedSeconds
        : p.elapsedSeconds + (this.#now() - this.#receivedAt) / 1000;
    // One column spare: writing into the last column wraps on some terminals.
    const width = Math.max(1, (this.#columns() ?? DEFAULT_COLUMNS) - 1);
    return fit(formatStatus(p, elapsed), width);
  }

  #draw(): void {
    if (!this.#status) return;
    this.#write(`${CLEAR_LINE}${this.#statusText()}`);
    this.#shown = true;
  }
}
