/**
 * Branded output text, shared by the HTML and the Markdown report.
 *
 * Why a tagged template rather than an escape function called field by
 * field: a results file may come from a fork's run (matrix shards, a
 * workflow_run follow-up), so every string and number in it is hostile until
 * shown otherwise, and a report has dozens of places that print one. With an
 * escape function, each of them must remember to call it; one forgotten call
 * is an injection. Here the literal parts of a template are the only text
 * taken as markup, and every `${hole}` is escaped for the language unless it
 * is already a `SafeText` of that language, which only a template (or
 * `join`) of that language makes. Forgetting to escape becomes impossible:
 * a renderer that builds a plain string instead gets it escaped, visibly.
 *
 * The other half is at the trust boundary: readResults checks every field's
 * type (results/schema.ts), so a number is a number and a verdict one of its
 * values by the time a renderer sees it. Either half alone falls short: the
 * check cannot make a valid string inert, and escaping cannot make a string
 * where a number belongs format as one. Class names never come from a value:
 * they are looked up in a table (html-badge.ts).
 */

/** Known only to this module: nothing else can make a `SafeText`. */
const MINT = Symbol('SafeText');

/**
 * Text that is valid, inert output in `language`: built from a template's
 * literal parts and escaped holes. `toString()` gives the text.
 */
export class SafeText<L extends string> {
  readonly language: L;
  readonly #text: string;

  /** Not for callers: templates and `join` make these (the token is private to this module). */
  constructor(token: symbol, language: L, text: string) {
    if (token !== MINT) {
      throw new TypeError(
        'SafeText comes from its template tag (html`...`, md`...`), not from new SafeText',
      );
    }
    this.language = language;
    this.#text = text;
  }

  toString(): string {
    return this.#text;
  }
}

/**
 * What a hole may hold: text of the same language as it is, lists one after
 * another, null, undefined and false as nothing, anything else escaped as
 * its string. Typed loosely on purpose: at run time a hostile file can put
 * any JSON value where the types promise a number.
 */
export type Hole<L extends string> =
  | SafeText<L>
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly Hole<L>[];

/** One output language: its tagged template and a join, both escaping every hole. */
export interface Language<L extends string> {
  /** The tagged template: `tag\`<p>${text}</p>\``. */
  tag: (literals: TemplateStringsArray, ...holes: Hole<L>[]) => SafeText<L>;
  /** The items one after another with `separator` between them. */
  join: (items: readonly Hole<L>[], separator: SafeText<L>) => SafeText<L>;
  /**
   * Text the language's own module has escaped for a context the template
   * does not know (a Markdown code span). For that module only: it must
   * never be exported further, or the brand means nothing.
   */
  fromEscaped: (text: string) => SafeText<L>;
}

/**
 * Defines a language by how it escapes a hole's text (`escapeText`).
 * `checkLiterals` sees each template's literal parts once (they are one
 * array per call site) and throws when a hole sits where escaping is not
 * enough (an unquoted HTML attribute, an open Markdown code span): a
 * programming error, caught the first time the template runs in a test.
 */
export function defineLanguage<L extends string>(
  language: L,
  escapeText: (text: string) => string,
  checkLiterals: (literals: readonly string[]) => void = () => undefined,
): Language<L> {
  const checked = new WeakSet<TemplateStringsArray>();
  const isSafe = (value: unknown): value is SafeText<L> =>
    value instanceof SafeText && value.language === language;
  const render = (hole: unknown): string => {
    if (isSafe(hole)) return hole.toString();
    if (Array.isArray(hole)) return hole.map(render).join('');
    if (hole === null || hole === undefined || hole === false) return '';
    return escapeText(String(hole));
  };
  const mint = (text: string) => new SafeText(MINT, language, text);
  return {
    tag(literals, ...holes) {
      if (!checked.has(literals)) {
        checkLiterals(literals);
        checked.add(literals);
      }
      let text = literals[0] ?? '';
      holes.forEach((hole, i) => {
        text += render(hole) + (literals[i + 1] ?? '');
      });
      return mint(text);
    },
    join: (items, separator) => mint(items.map(render).join(render(separator))),
    fromEscaped: mint,
  };
}
