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

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

/**
 * An Intercom body (HTML) as the text a reader sees: paragraphs apart by a blank line, `<br>` a line break, other
 * tags dropped, entities decoded once. The inverse of `toIntercomHtml`.
 */
export function intercomHtmlToText(html: string): string {
  return html
    .replace(/<\/p>\s*<p(?:\s[^>]*)?>/gi, '\n\n')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_whole, name: string) => ENTITIES[name] ?? '');
}
