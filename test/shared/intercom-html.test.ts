import { describe, expect, it } from 'vitest';
import { intercomHtmlToText, toIntercomHtml } from '../../src/shared/intercom-html.ts';

describe('toIntercomHtml and intercomHtmlToText: the approved text as Intercom takes it, and back', () => {
  it('escapes once and turns paragraphs and line breaks into <p> and <br>', () => {
    expect(toIntercomHtml('Hi <b>Jane</b> & co,\n\nline one\nline two')).toBe(
      '<p>Hi &lt;b&gt;Jane&lt;/b&gt; &amp; co,</p><p>line one<br>line two</p>',
    );
  });

  it('gives back every character, extra blank lines and entity-looking text included', () => {
    for (const text of ['a\n\n\nb', 'a\n\n\n\nb', '&amp; &lt;x&gt;', '\nlead', 'trail\n\n', '', '*b* _i_ ~s~ `c`']) {
      expect(intercomHtmlToText(toIntercomHtml(text))).toBe(text);
    }
  });
});
