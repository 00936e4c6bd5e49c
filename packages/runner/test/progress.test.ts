import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BenchmarkProgress } from '../src/gate/progress-events.js';
import {
  formatDuration,
  formatStatus,
  ProgressDisplay,
  shouldShowLiveStatus,
} from '../src/report/progress.js';

const CLEAR_LINE = '\r\x1b[2K';

function progress(overrides: Partial<BenchmarkProgress> = {}): BenchmarkProgress {
  return {
    benchmark: 'vggt-forward-20f',
    phase: 'measuring',
    rounds: 6,
    maxRounds: 40,
    elapsedSeconds: 41.2,
    maxSeconds: 600,
    processes: 2,
    estimate: 'latency +0.40% [-0.20%, +1.10%] unchanged',
    verdictSeconds: null,
    ...overrides,
  };
}

/**
 * What a terminal would show after the output: `\r` returns to column 0,
 * ESC[2K blanks the line, `\n` starts a new one, anything else overwrites.
 */
function screen(output: string): string[] {
  const lines: string[] = [''];
  let column = 0;
  for (let i = 0; i < output.length; i++) {
    const rest = output.slice(i);
    if (rest.startsWith('\x1b[2K')) {
      lines[lines.length - 1] = '';
      i += 3;
      continue;
    }
    const c = output[i]!;
    if (c === '\r') column = 0;
    else if (c === '\n') {
      lines.push('');
      column = 0;
    } else {
      const line = lines[lines.length - 1]!;
      lines[lines.length - 1] = line.slice(0, column) + c + line.slice(column + 1);
      column++;
    }
  }
  return lines;
}

function recorder() {
  const chunks: string[] = [];
  return { chunks, write: (text: string) => void chunks.push(text), text: () => chunks.join('') };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('shouldShowLiveStatus', () => {
  it('is live on a terminal outside CI only', () => {
    expect(shouldShowLiveStatus({ isTTY: true }, {})).toBe(true);
    expect(shouldShowLiveStatus({ isTTY: true }, { CI: 'false' })).toBe(true);
    expect(shouldShowLiveStatus({ isTTY: true }, { CI: 'true' })).toBe(false);
    expect(shouldShowLiveStatus({ isTTY: false }, {})).toBe(false);
    expect(shouldShowLiveStatus({}, {})).toBe(false);
  });
});

describe('formatStatus', () => {
  it('names the benchmark, phase, rounds, time, processes and the latest estimate', () => {
    expect(formatStatus(progress())).toBe(
      'vggt-forward-20f · measuring · round 6/40 · 41s of 10m00s · 2 processes per side · latency +0.40% [-0.20%, +1.10%] unchanged',
    );
    expect(formatStatus(progress({ phase: 'starting', processes: 0, estimate: null }))).toBe(
      'vggt-forward-20f · starting processes · round 6/40 · 41s of 10m00s',
    );
    expect(formatStatus(progress({ phase: 'done', rounds: 8, estimate: null }))).toBe(
      'vggt-forward-20f · done · 8 rounds · 41s of 10m00s · 2 processes per side',
    );
  });

  it('formats durations short', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59.9)).toBe('59s');
    expect(formatDuration(125)).toBe('2m05s');
  });
});

describe('ProgressDisplay on a terminal', () => {
  it('redraws the status in place and keeps log lines whole above it', () => {
    const out = recorder();
    const display = new ProgressDisplay({
      write: out.write,
      isTTY: true,
      refreshMs: 0,
      columns: () => 200,
    });
    display.log('base origin/main checked out');
    display.update(progress({ phase: 'warm-up', rounds: 0, estimate: null }));
    display.update(progress());
    display.log('[vggt-forward-20f] 6 rounds: latency +0.40% [-0.20%, +1.10%] unchanged');

    expect(out.text()).toContain(CLEAR_LINE);
    // Every redraw starts by returning to column 0 and erasing the line.
    for (const chunk of out.chunks.slice(1)) expect(chunk.startsWith(CLEAR_LINE)).toBe(true);
    expect(screen(out.text())).toEqual([
      'base origin/main checked out',
      '[vggt-forward-20f] 6 rounds: latency +0.40% [-0.20%, +1.10%] unchanged',
      formatStatus(progress()),
    ]);
  });

  it('erases the status on clear, so the final table starts on a clean line', () => {
    const out = recorder();
    const display = new ProgressDisplay({ write: out.write, isTTY: true, refreshMs: 0 });
    display.update(progress());
    display.clear();
    display.clear();
    out.write('benchmark  metric\n');
    expect(screen(out.text())).toEqual(['benchmark  metric', '']);
    expect(out.chunks.filter((c) => c === CLEAR_LINE)).toHaveLength(1);
    // After clear, log lines are plain again: nothing to erase or redraw.
    display.log('results written');
    expect(out.chunks.at(-1)).toBe('results written\n');
  });

  it('cuts the status to the terminal width, so it never wraps', () => {
    const out = recorder();
    const display = new ProgressDisplay({
      write: out.write,
      isTTY: true,
      refreshMs: 0,
      columns: () => 40,
    });
    display.update(progress({ benchmark: 'a\nname' }));
    const status = screen(out.text()).at(-1)!;
    expect([...status].length).toBeLessThanOrEqual(39);
    expect(status.endsWith('…')).toBe(true);
    expect(status.startsWith('a name · ')).toBe(true);
  });

  it('keeps the elapsed time running between updates, and stops redrawing once cleared', () => {
    vi.useFakeTimers();
    const out = recorder();
    const display = new ProgressDisplay({ write: out.write, isTTY: true, refreshMs: 1000 });
    display.update(progress({ elapsedSeconds: 10, estimate: null }));
    vi.advanceTimersByTime(5000);
    expect(screen(out.text()).at(-1)).toContain('15s of 10m00s');
    display.clear();
    const written = out.chunks.length;
    vi.advanceTimersByTime(5000);
    expect(out.chunks).toHaveLength(written);
  });

  it('applies formatLine to log lines', () => {
    const out = recorder();
    const display = new ProgressDisplay({
      write: out.write,
      isTTY: true,
      refreshMs: 0,
      formatLine: (line) => `  1.0s ${line}`,
    });
    display.update(progress());
    display.log('hello');
    expect(screen(out.text())[0]).toBe('  1.0s hello');
  });
});

describe('ProgressDisplay in a CI log', () => {
  it('prints plain lines at phase changes only, with no control characters', () => {
    const out = recorder();
    const display = new ProgressDisplay({
      write: out.write,
      isTTY: false,
      formatLine: (line) => `  2.0s ${line}`,
    });
    display.update(progress({ phase: 'starting', rounds: 0, processes: 0, estimate: null }));
    display.update(progress({ phase: 'warm-up', rounds: 0, processes: 1, estimate: null }));
    display.update(progress({ phase: 'measuring', rounds: 0, processes: 1, estimate: null }));
    display.log('[vggt-forward-20f] 2 rounds: latency +0.40% [-0.20%, +1.10%] unchanged');
    display.update(progress({ phase: 'measuring', rounds: 2, processes: 1 }));
    display.update(progress({ phase: 'measuring', rounds: 4, processes: 1 }));
    display.update(progress({ phase: 'profiling', rounds: 8, processes: 2, verdictSeconds: 30.5 }));
    display.update(progress({ phase: 'done', rounds: 8, processes: 2, verdictSeconds: 30.5 }));
    display.clear();

    const text = out.text();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting there are none.
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(text.split('\n')).toEqual([
      '  2.0s [vggt-forward-20f] starting processes (round 0/40, 41.2s of 600s)',
      '  2.0s [vggt-forward-20f] warming up (round 0/40, 41.2s of 600s, 1 process per side)',
      '  2.0s [vggt-forward-20f] measuring (round 0/40, 41.2s of 600s, 1 process per side)',
      '  2.0s [vggt-forward-20f] 2 rounds: latency +0.40% [-0.20%, +1.10%] unchanged',
      // When the verdict was known, apart from the untimed profiling that follows it.
      '  2.0s [vggt-forward-20f] profiling what ran (untimed) (round 8/40, verdict after 30.5s, 41.2s of 600s, 2 processes per side)',
      '  2.0s [vggt-forward-20f] done (8 rounds, verdict after 30.5s, 41.2s in all, 2 processes per side)',
      '',
    ]);
  });

  it('prints the same phase again for the next benchmark', () => {
    const out = recorder();
    const display = new ProgressDisplay({ write: out.write, isTTY: false });
    display.update(progress({ benchmark: 'a', phase: 'done' }));
    display.update(progress({ benchmark: 'b', phase: 'done' }));
    expect(out.chunks).toHaveLength(2);
  });
});
