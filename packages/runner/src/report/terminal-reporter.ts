import type { ProgressDisplay } from './progress.js';
import type { GateReporter } from './reporter.js';
import { renderTerminal } from './terminal.js';

/** Where the terminal reporter writes: the table and the results JSON, and notes about files. */
export interface TerminalReporterOptions {
  /** Log lines and progress; none when nothing is measured here (a merge). */
  display?: ProgressDisplay;
  /** The results table, and the results JSON when no file could hold it (stdout in the CLI). */
  print?: (text: string) => void;
  /** Where the results went, and each file that could not be written (stderr in the CLI). */
  note?: (text: string) => void;
}

/**
 * The CLI's reporter: the live status (or a plain line per phase) while
 * measuring, then the table, then one line per file written or not. The
 * status is erased before the table, so the two never share a line.
 *
 * @example
 * const display = new ProgressDisplay({ write: (t) => process.stderr.write(t), isTTY: false });
 * await runAndReport({ config, dir: '.', baseRef: 'origin/main', targets, reporters: [terminalReporter({ display })] });
 */
export function terminalReporter(options: TerminalReporterOptions = {}): GateReporter {
  const { display } = options;
  const print = options.print ?? ((text) => console.log(text));
  const note = options.note ?? ((text) => console.error(text));
  return {
    onLog: (line) => display?.log(line),
    onProgress: (progress) => display?.update(progress),
    onFailed: () => display?.clear(),
    onMeasured: (results) => {
      display?.clear();
      // The table first: whatever cannot be written next, the verdict is on screen.
      print(renderTerminal(results));
    },
    onUnsaved: (json) => print(json),
    onWritten: (_results, written) => {
      if (written.results !== null && !written.resultsFellBack)
        note(`results written to ${written.results}`);
      for (const problem of written.problems) note(`error: ${problem}`);
    },
  };
}
