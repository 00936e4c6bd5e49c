import type { Readable } from 'node:stream';

/**
 * Splits a byte stream into lines: `\n`-terminated, a trailing `\r` dropped,
 * the last unterminated piece delivered at end of stream. A piece that grows
 * past `maxChars` without a newline goes to `onOverflow` (the caller decides
 * whether that is an error or just a long log line) and is dropped from the
 * buffer, so a writer that never ends its line cannot exhaust memory.
 */
export function readLines(
  stream: Readable,
  onLine: (line: string) => void,
  options: { maxChars: number; onOverflow: (piece: string) => void },
): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      onLine(stripCarriageReturn(buffer.slice(0, newline)));
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
    }
    if (buffer.length > options.maxChars) {
      const piece = buffer;
      buffer = '';
      options.onOverflow(piece);
    }
  });
  stream.on('end', () => {
    if (buffer.length > 0) onLine(stripCarriageReturn(buffer));
    buffer = '';
  });
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Keeps the last `capacity` lines of a stream, for error messages. */
export class LineTail {
  private readonly lines: string[] = [];

  constructor(private readonly capacity: number) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.shift();
  }

  /** The kept lines as an indented block, or a note that there were none. */
  format(streamName: string): string {
    if (this.lines.length === 0) return `The worker wrote nothing to ${streamName}.`;
    const body = this.lines.map((line) => `  | ${line}`).join('\n');
    return `Last ${this.lines.length} line(s) of the worker's ${streamName}:\n${body}`;
  }
}
