/**
 * Text from a results file as one line of visible characters: the start of
 * every report's escaping. A line break would start a new Markdown block or
 * log line, an escape sequence could rewrite a terminal, and bidirectional
 * overrides can make text read as something else.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROLS = /\r\n|[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** Bidirectional overrides, isolates and marks. */
const REORDERING = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with each line break or control character a space, and reordering marks dropped. */
export function oneLine(text: string): string {
  return text.replace(CONTROLS, ' ').replace(REORDERING, '');
}
