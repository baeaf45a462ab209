/**
 * A reply or note as Intercom takes it: Intercom reads a body as HTML, so the plain text the teammate approved is
 * sent in its faithful HTML form. `&`, `<` and `>` are escaped once (a typed `<b>` stays text), a blank line
 * separates paragraphs (`<p>`), and any other line break is a `<br>`; decoding it gives back every character.
 */
export function toIntercomHtml(text: string): string {
  return text
    .split('\n\n')
    .map(
      (paragraph) =>
        `<p>${paragraph.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\n', '<br>')}</p>`,
    )
    .join('');
}
