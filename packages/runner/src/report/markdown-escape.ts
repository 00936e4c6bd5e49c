import { oneLine } from './one-line.js';
import { defineLanguage, type Hole, type SafeText } from './safe-text.js';

/**
 * The one place the Markdown report (PR comment, job summary) escapes: the
 * `md` tagged template, and `code` for code spans. A hole can neither end
 * its line (line breaks become spaces, so no new row, heading, list or
 * HTML block), nor break a table cell (`|`), nor become markup: emphasis,
 * code, links and images, HTML and entities, strikethrough and math are all
 * escaped. GitHub's own text filters are defused too: an @mention would
 * notify a person or team, and `#123` would post a cross-reference into
 * another issue, so a zero-width space follows `@` and `#` there. Bare
 * URLs stay links: GitHub only autolinks http(s) and www, and shows the
 * address itself as the link text, so nothing can hide behind it.
 */

/** Markdown that is safe to put in the comment as it is. */
export type SafeMarkdown = SafeText<'markdown'>;
/** What an `md` hole may hold. */
export type MarkdownHole = Hole<'markdown'>;

/** ASCII punctuation with a meaning in GitHub Markdown mid-line; a backslash makes each literal. */
const PUNCTUATION = /[\\`*_[\]!|~$]/g;
/** In Markdown and in the HTML blocks around it (`<details>`) alike, entities are literal. */
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const MENTION = /@(?=[A-Za-z0-9])/g;
const ISSUE_REFERENCE = /#(?=\d)/g;
const ZERO_WIDTH_SPACE = '\u200b';

/** Text as one line of literal Markdown text. */
function escapeMarkdown(text: string): string {
  return oneLine(text)
    .replace(PUNCTUATION, (c) => `\\${c}`)
    .replace(/[&<>]/g, (c) => ENTITIES[c] ?? c)
    .replace(MENTION, `@${ZERO_WIDTH_SPACE}`)
    .replace(ISSUE_REFERENCE, `#${ZERO_WIDTH_SPACE}`);
}

/**
 * Throws where escaping is not enough: a hole inside a code span (a
 * backslash is literal there, so a backtick would end it: use `code`),
 * as a link destination, or at the start of a line (`#`, `-`, `1.` there
 * start a block; the renderer always puts literal text first).
 */
function checkMarkdownLiterals(literals: readonly string[]): void {
  let backticks = 0;
  literals.forEach((literal, i) => {
    backticks += literal.split('`').length - 1;
    if (i === literals.length - 1) return;
    const problem =
      backticks % 2 === 1
        ? 'inside a code span: use code(text)'
        : literal.endsWith('](')
          ? 'as a link destination'
          : literal.endsWith('\n')
            ? 'at the start of a line'
            : null;
    if (problem !== null) {
      throw new TypeError(
        `md template: hole ${i + 1} sits ${problem} (after ${JSON.stringify(literal.slice(-40))})`,
      );
    }
  });
}

const MARKDOWN = defineLanguage('markdown', escapeMarkdown, checkMarkdownLiterals);

/** The Markdown template: `md\`| ${name} | ${value} |\``, every hole escaped. */
export const md = MARKDOWN.tag;

/** Fragments (or text, escaped) one after another with `separator` between them. */
export const joinMd = MARKDOWN.join;

/**
 * `text` as a code span for a table cell (kernel names, shas): nothing in a
 * code span is Markdown, HTML or a mention, so only what would end it is
 * replaced: a backtick (by a quote) and a line break; a pipe is escaped,
 * which GitHub's tables read before the span.
 */
export function code(text: string | number): SafeMarkdown {
  const inert = oneLine(String(text)).replace(/`/g, "'").replace(/\|/g, '\\|');
  return MARKDOWN.fromEscaped(`\`${inert}\``);
}

/**
 * Text for a Mermaid label (a chart title, an axis category), inside double
 * quotes: only letters, digits and plain punctuation are kept, so a name
 * cannot end the quote, the line or the fenced block, and Mermaid's own
 * markup (`%%`, `#`, `;`) never starts.
 */
export function mermaidLabel(text: string): string {
  return oneLine(text)
    .replace(/[^A-Za-z0-9 ._/()+-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A fenced Mermaid block of `lines`, which the caller builds from numbers
 * and mermaidLabel() text only: Mermaid is not Markdown, so md's escapes
 * would show as backslashes in the chart.
 */
export function mermaidBlock(lines: readonly string[]): SafeMarkdown {
  const body = lines.map((line) => line.replace(/`/g, "'")).join('\n');
  return MARKDOWN.fromEscaped(`\`\`\`mermaid\n${body}\n\`\`\``);
}
