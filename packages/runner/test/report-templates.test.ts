import { describe, expect, it } from 'vitest';
import { html, joinHtml } from '../src/report/html-escape.js';
import { code, joinMd, md } from '../src/report/markdown-escape.js';
import { SafeText } from '../src/report/safe-text.js';

describe('the html template', () => {
  it('escapes every hole for text and quoted attributes', () => {
    const value = `<b title='x'>"&"</b>`;
    expect(String(html`<td title="${value}">${value}</td>`)).toBe(
      '<td title="&lt;b title=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/b&gt;">&lt;b title=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/b&gt;</td>',
    );
  });

  it('takes its own fragments and lists as they are, nothing for null, undefined and false', () => {
    const cells = ['a<', 'b'].map((c) => html`<td>${c}</td>`);
    expect(String(html`<tr>${cells}${null}${undefined}${false}${0}</tr>`)).toBe(
      '<tr><td>a&lt;</td><td>b</td>0</tr>',
    );
    expect(String(joinHtml(['<x>', html`<br>`], html` · `))).toBe('&lt;x&gt; · <br>');
  });

  it('escapes Markdown and plain strings that look like its fragments', () => {
    // The compiler refuses Markdown in an html hole; at run time it is only text, <b> escaped.
    const markdown = md`**<b>**` as unknown as string;
    expect(String(html`<p>${markdown}</p>`)).toBe('<p>**&lt;b&gt;**</p>');
    expect(String(html`<p>${{ toString: () => '<i>' } as unknown as string}</p>`)).toBe(
      '<p>&lt;i&gt;</p>',
    );
  });

  it('refuses a hole where escaping is not enough', () => {
    const x = 'onload=alert(1)';
    expect(() => html`<td ${x}>`).toThrow(/hole 1 follows "<td "/);
    expect(() => html`<td class=${x}>`).toThrow(TypeError);
    expect(() => html`<${x}>`).toThrow(TypeError);
    expect(() => html`<img onerror="${x}">`).toThrow(TypeError);
    expect(() => html`<p style="color: ${x}">`).toThrow(TypeError);
    expect(() => html`<a href="${x}">`).toThrow(TypeError);
    expect(() => html`<a title="${x}" href="#b-${x}" class="c ${x}">${x}</a>`).not.toThrow();
  });

  it('cannot be forged', () => {
    expect(() => new SafeText(Symbol('SafeText'), 'html', '<script>')).toThrow(TypeError);
  });
});

describe('the md template', () => {
  it('keeps a hole on its line and its cell, and inert', () => {
    const value = 'a | b\n# c [x](javascript:y) ![i](u) `k` <b> &amp; @org #12 *e* _u_ ~s~ $m$ \\';
    expect(String(md`| ${value} |`)).toBe(
      '| a \\| b # c \\[x\\](javascript:y) \\!\\[i\\](u) \\`k\\` &lt;b&gt; &amp;amp; @\u200borg #\u200b12 \\*e\\* \\_u\\_ \\~s\\~ \\$m\\$ \\\\ |',
    );
  });

  it('drops characters that reorder text and turns controls into spaces', () => {
    expect(String(md`x ${'a\u202eb\r\nc\u0007d'}`)).toBe('x ab c d');
  });

  it('refuses a hole inside a code span, as a link destination, or at the start of a line', () => {
    const x = 'y';
    expect(() => md`\`${x}\``).toThrow(/inside a code span: use code\(text\)/);
    expect(() => md`[a](${x})`).toThrow(/as a link destination/);
    expect(() => md`a\n${x}`).toThrow(/at the start of a line/);
  });

  it('makes code spans that nothing can end early', () => {
    expect(String(md`| ${code('a`b|c\nd <e> @f')} |`)).toBe("| `a'b\\|c d <e> @f` |");
    expect(String(joinMd([code('x'), '*'], md`, `))).toBe('`x`, \\*');
  });
});
