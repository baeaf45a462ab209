/**
 * Long Slack mrkdwn cut into messages where a person would cut it: at a blank line, else at a line break, never
 * inside a code block (one longer than a message is closed at the cut and reopened in the next piece), a link
 * (`<url|label>`) or a code span. Only a line longer than a whole message is cut inside, at a space if it has one.
 * Every piece is at most `limit` characters; in order, they hold the whole text, nothing left out or said twice.
 */
export function splitMessage(text: string, limit = MAX_MESSAGE_CHARS): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  // Room for the fence that closes a code block cut in two (a limit too small for fences just cuts).
  const fences = limit >= 4 * CLOSE.length;
  const reserve = fences ? CLOSE.length : 0;
  while (rest.length > limit) {
    const cut = bestCut(rest, limit, reserve);
    const piece = rest.slice(0, cut.at).trimEnd();
    let next = rest.slice(cut.at + cut.skip);
    if (cut.inFence && fences) {
      pieces.push(`${piece}${CLOSE}`);
      next = `${FENCE}\n${next.replace(/^\n/, '')}`;
    } else {
      pieces.push(piece);
      // Blank lines and spaces at the cut go; the next line's indentation stays.
      next = next.replace(/^(?:[ \t]*\n)+/, '').replace(/^[ \t]+(?=\S)/, (spaces) => (cut.skip === 0 ? spaces : ''));
    }
    rest = next;
  }
  if (rest || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/** Slack renders up to ~40k characters, but long messages read badly and get truncated in places; keep well below. */
const MAX_MESSAGE_CHARS = 3500;
const FENCE = '```';
const CLOSE = `\n${FENCE}`;

interface Cut {
  /** Where the piece ends. */
  at: number;
  /** Characters at the cut that belong to neither piece (the line break cut at). */
  skip: number;
  /** The cut is inside a code block: close it here and reopen it in the next piece. */
  inFence: boolean;
}

/**
 * The cut a person would make in the first `limit` characters of `text`; a piece that ends inside a code block
 * keeps `reserve` characters free for the fence that closes it.
 */
function bestCut(text: string, limit: number, reserve: number): Cut {
  // A cut in the first half would leave a short message, if a later one will do.
  const half = Math.floor(limit / 2);
  const breaks: Array<Cut & { rank: number }> = [];
  let inFence = false;
  let start = 0;
  while (start <= limit) {
    const end = text.indexOf('\n', start);
    if (end < 0 || end > limit) break;
    if (countFences(text.slice(start, end)) % 2 === 1) inFence = !inFence;
    if (hasContent(text.slice(0, end)) && end <= (inFence ? limit - reserve : limit)) {
      const blank = text[end + 1] === '\n';
      // A code block is closed and reopened only when nothing better is found.
      breaks.push({ at: end, skip: 1, inFence, rank: inFence ? 1 : blank ? 3 : 2 });
    }
    start = end + 1;
  }
  const late = breaks.filter((b) => b.at >= half);
  const pool = late.length > 0 ? late : breaks;
  const best = pool.reduce<(typeof pool)[number] | undefined>(
    (chosen, b) => (!chosen || b.rank > chosen.rank || (b.rank === chosen.rank && b.at > chosen.at) ? b : chosen),
    undefined,
  );
  return best ?? withinLine(text, limit, reserve);
}

/** A line longer than a message: cut at its last space outside links and code spans, else before such a span. */
function withinLine(text: string, limit: number, reserve: number): Cut {
  const fits = (at: number) => at <= (inFenceAt(text, at) ? limit - reserve : limit);
  const window = text.slice(0, limit + 1);
  const kept = spans(window).filter(([from]) => !inFenceAt(text, from));
  const inside = (i: number) => kept.some(([from, to]) => i > from && i < to);
  for (let i = Math.min(limit, window.length - 1); i > 0; i--) {
    if (window[i] === ' ' && fits(i) && !inside(i) && hasContent(window.slice(0, i))) {
      return { at: i, skip: 1, inFence: inFenceAt(text, i) };
    }
  }
  // No space: never end inside a link or code span that started after the first character, nor between the two
  // halves of a character outside the Basic Multilingual Plane.
  let at = fits(limit) ? limit : limit - reserve;
  const open = kept.find(([from, to]) => at > from && at < to && hasContent(text.slice(0, from)));
  if (open) at = open[0];
  if (/[\uD800-\uDBFF]/.test(text[at - 1] ?? '')) at--;
  return { at, skip: 0, inFence: inFenceAt(text, at) };
}

/** More in a piece than fence markers and white space. */
function hasContent(piece: string): boolean {
  return piece.replaceAll(FENCE, '').trim().length > 0;
}

/** Links (`<…>`) and code spans (`` `…` ``) in one line of mrkdwn, as [start, end] pairs. */
function spans(line: string): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (const match of line.matchAll(/<[^<>\n]*>?|`[^`\n]*`?/g))
    found.push([match.index, match.index + match[0].length]);
  return found;
}

function inFenceAt(text: string, at: number): boolean {
  return countFences(text.slice(0, at)) % 2 === 1;
}

function countFences(text: string): number {
  return text.split(FENCE).length - 1;
}
