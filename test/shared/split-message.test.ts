import { describe, expect, it } from 'vitest';
import { slackDate, splitMessage } from '../../src/shared/mrkdwn.ts';

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

  it('cuts at the last space when there is no line break late enough', () => {
    const text = `${'a'.repeat(10)}\n${'b'.repeat(50)} ${'c'.repeat(30)} ${'d'.repeat(30)}`;
    expect(splitMessage(text, 100)).toEqual([`${'a'.repeat(10)}\n${'b'.repeat(50)} ${'c'.repeat(30)}`, 'd'.repeat(30)]);
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
