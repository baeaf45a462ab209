import { describe, expect, it } from 'vitest';
import { slackDate } from '../../src/shared/mrkdwn.ts';
import { splitMessage } from '../../src/shared/split-message.ts';

/**
 * What is wrong with a split, as a list a test expects to be empty (one assertion, so the many-shapes test stays
 * fast). Every chunk must be a non-empty, trimmed piece of the input no longer than the limit, in order, with only
 * whitespace between them: nothing lost, nothing reordered.
 */
function problems(input: string, chunks: string[], limit: number): string[] {
  const found: string[] = [];
  let at = 0;
  for (const [i, chunk] of chunks.entries()) {
    if (chunk.length === 0 || chunk.length > limit) found.push(`chunk ${i} has length ${chunk.length}`);
    if (chunk !== chunk.trim()) found.push(`chunk ${i} is not trimmed`);
    const start = input.indexOf(chunk, at);
    if (start < 0 || input.slice(at, start).trim() !== '') found.push(`chunk ${i} does not follow chunk ${i - 1}`);
    else at = start + chunk.length;
  }
  if (input.slice(at).trim() !== '') found.push(`text after the last chunk is lost: ${input.slice(at, at + 20)}`);
  return found;
}

/** A deterministic pseudo-random answer: words, lines and paragraphs of varying length. */
function generatedText(seed: number, words: number): string {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % n;
  };
  const parts: string[] = [];
  for (let i = 0; i < words; i++) {
    parts.push('abcdefghij'.repeat(3).slice(0, 1 + next(30)));
    const roll = next(20);
    parts.push(roll === 0 ? '\n\n' : roll === 1 ? '\n' : roll === 2 ? '  ' : ' ');
  }
  return parts.join('');
}

describe('splitMessage', () => {
  it('gives one empty chunk for empty or blank input', () => {
    expect(splitMessage('')).toEqual(['']);
    expect(splitMessage(' \n\n\t ')).toEqual(['']);
  });

  it('keeps a short answer whole, trimmed', () => {
    expect(splitMessage('  Hello there.\n')).toEqual(['Hello there.']);
  });

  it('keeps an answer of exactly the limit whole', () => {
    const text = 'x'.repeat(50);
    expect(splitMessage(text, 50)).toEqual([text]);
  });

  it('keeps answers of up to 3500 characters in one message by default', () => {
    const text = `${'word '.repeat(699)}word`;
    expect(text.length).toBe(3499);
    expect(splitMessage(text)).toEqual([text]);
    const long = `${text} ${text}`;
    const chunks = splitMessage(long);
    expect(chunks).toHaveLength(2);
    expect(problems(long, chunks, 3500)).toEqual([]);
  });

  it('prefers a paragraph break to a later line break', () => {
    const first = `${'a'.repeat(60)}\n\n${'b'.repeat(20)}`;
    const second = `${'c'.repeat(10)}\n${'d'.repeat(20)}`;
    expect(splitMessage(`${first}\n${second}`, 100)).toEqual([
      'a'.repeat(60),
      `${'b'.repeat(20)}\n${'c'.repeat(10)}\n${'d'.repeat(20)}`,
    ]);
  });

  it('takes a line break when the only paragraph break would leave a short first chunk', () => {
    const text = `${'a'.repeat(10)}\n\n${'b'.repeat(60)}\n${'c'.repeat(60)}`;
    expect(splitMessage(text, 100)).toEqual([`${'a'.repeat(10)}\n\n${'b'.repeat(60)}`, 'c'.repeat(60)]);
  });

  it('prefers a line break to a later space', () => {
    const text = `${'a'.repeat(60)}\n${'b'.repeat(20)} ${'c'.repeat(30)}`;
    expect(splitMessage(text, 100)).toEqual(['a'.repeat(60), `${'b'.repeat(20)} ${'c'.repeat(30)}`]);
  });

  it('cuts at a line break rather than inside a line, and inside a line only when it is longer than a message', () => {
    const text = `${'a'.repeat(10)}\n${'b'.repeat(50)} ${'c'.repeat(30)} ${'d'.repeat(30)}`;
    expect(splitMessage(text, 100)).toEqual(['a'.repeat(10), `${'b'.repeat(50)} ${'c'.repeat(30)}`, 'd'.repeat(30)]);
  });

  it('cuts inside a word only when there is no break at all', () => {
    const text = 'x'.repeat(250);
    const chunks = splitMessage(text, 100);
    expect(chunks.join('')).toBe(text);
    expect(problems(text, chunks, 100)).toEqual([]);
  });

  it('drops the whitespace at a cut and nothing else', () => {
    const text = `${'a'.repeat(60)} \n\n \n${'b'.repeat(60)}`;
    expect(splitMessage(text, 100)).toEqual(['a'.repeat(60), 'b'.repeat(60)]);
  });

  it('stays within the limit and loses no text, for many shapes of answer and limits', () => {
    for (const limit of [2, 3, 7, 40, 101, 500]) {
      for (let seed = 1; seed <= 20; seed++) {
        const text = generatedText(seed, 200);
        expect(problems(text, splitMessage(text, limit), limit), `limit ${limit}, seed ${seed}`).toEqual([]);
      }
    }
  });

  it('ends even with a limit of one character', () => {
    expect(splitMessage('ab c', 1)).toEqual(['a', 'b', 'c']);
  });
});

const fences = (text: string) => text.split('```').length - 1;
/** The text's lines that carry content, without fence lines (which a split may add): what a reader reads. */
const contentLines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('```'));
const LINK = '<https://help.acme.com/articles/42-refunds?lang=en&amp;x=1|Refunds &amp; returns, step by step>';

/** A long answer as the bot posts it: paragraphs, a list, links, and code blocks, one of them longer than a message. */
function answer(): string {
  const code = Array.from({ length: 30 }, (_, i) => `  curl -X POST https://api.acme.com/v${i} -d 'a=1' # ${i}`);
  return [
    'Here is what I found for *Jane &amp; Co* (jane@acme.com):',
    '',
    Array.from({ length: 8 }, (_, i) => `• item ${i}: see ${LINK} for the details`).join('\n'),
    '',
    'The request that failed:',
    '```',
    code.slice(0, 4).join('\n'),
    '```',
    'And the full log, longer than one message:',
    '```',
    code.join('\n'),
    '```',
    `Last paragraph with \`inline code that has spaces\` and ${LINK}.`,
  ].join('\n');
}

describe('splitMessage with code blocks, links and lists', () => {
  it('at every limit: pieces fit, blocks are whole or closed and reopened, links and lines are never cut', () => {
    const text = answer();
    for (let limit = 160; limit <= text.length + 10; limit += 7) {
      const pieces = splitMessage(text, limit);
      const where = `limit ${limit}`;
      for (const piece of pieces) {
        expect(piece.length, where).toBeLessThanOrEqual(limit);
        expect(fences(piece) % 2, `${where}: a code block left open in\n${piece}`).toBe(0);
        expect(piece.split('<').length, `${where}: a link cut in\n${piece}`).toBe(piece.split('>').length);
        expect(piece.split('`').length % 2, `${where}: a code span cut in\n${piece}`).toBe(1);
      }
      // Every line arrives whole, once, in order.
      expect(pieces.flatMap(contentLines), where).toEqual(contentLines(text));
    }
  });

  it('closes a code block longer than a message at a line and reopens it in the next piece', () => {
    const code = Array.from({ length: 12 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\n');
    const pieces = splitMessage(`Log:\n\`\`\`\n${code}\n\`\`\`\nDone.`, 120);
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces[0]).toMatch(/^Log:\n```\nline 0 x+\n[\s\S]*\n```$/);
    for (const piece of pieces.slice(1, -1)) expect(piece).toMatch(/^```\nline \d+ x+[\s\S]*\n```$/);
    expect(pieces.flatMap(contentLines)).toEqual(['Log:', ...code.split('\n'), 'Done.']);
  });

  it('moves a link that would be cut to the next piece, and cuts a line between words, never inside a link', () => {
    const line = `${'word '.repeat(15)}${LINK} tail`;
    const pieces = splitMessage(line, 150);
    expect(pieces.every((p) => p.length <= 150)).toBe(true);
    expect(pieces.some((p) => p.includes(LINK))).toBe(true);
    expect(pieces.join(' ')).toBe(line);
  });

  it('keeps list items whole, each on its own line', () => {
    const list = Array.from({ length: 40 }, (_, i) => `• step ${i}: ${'do this '.repeat(3)}`.trim()).join('\n');
    for (const limit of [60, 99, 250, 1000]) {
      const pieces = splitMessage(list, limit);
      expect(pieces.flatMap((p) => p.split('\n'))).toEqual(list.split('\n'));
    }
  });

  it('carries a 12,000-character answer in readable messages of at most 3,500 characters', () => {
    const long = Array.from({ length: 6 }, answer).join('\n\n');
    expect(long.length).toBeGreaterThan(12_000);
    const pieces = splitMessage(long);
    expect(pieces.length).toBeGreaterThanOrEqual(4);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(3500);
      expect(fences(piece) % 2).toBe(0);
    }
    expect(pieces.flatMap(contentLines)).toEqual(contentLines(long));
  });
});

describe('slackDate', () => {
  it('renders in the reader’s time zone with the UTC time as the fallback text', () => {
    expect(slackDate(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe(
      '<!date^1767323045^{date_short_pretty} at {time}|2026-01-02T03:04:05.678Z>',
    );
  });

  it('rounds down to whole seconds, Slack takes no fractions', () => {
    expect(slackDate(1999)).toBe('<!date^1^{date_short_pretty} at {time}|1970-01-01T00:00:01.999Z>');
    expect(slackDate(0)).toBe('<!date^0^{date_short_pretty} at {time}|1970-01-01T00:00:00.000Z>');
  });
});
