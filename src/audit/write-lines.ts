import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes the lines in chunks of about `chunkBytes`, and waits for 'drain' whenever the stream says its buffer is
 * full: memory stays flat however many lines there are and however slowly the reader reads. Lines are pulled only
 * as fast as they can be written.
 */
export async function writeLines(
  out: Writable,
  lines: Iterable<string> | AsyncIterable<string>,
  chunkBytes = 64 * 1024,
): Promise<void> {
  let failure: Error | undefined;
  const onError = (error: Error) => {
    failure = error;
  };
  out.on('error', onError);
  try {
    let chunk = '';
    const flush = async () => {
      const more = out.write(chunk);
      chunk = '';
      // Checked before waiting: a stream that already failed never drains.
      if (failure) throw failure;
      if (out.destroyed) throw new Error('The output was closed');
      if (!more) await once(out, 'drain');
    };
    for await (const line of lines) {
      chunk += line;
      if (chunk.length >= chunkBytes) await flush();
    }
    if (chunk.length > 0) await flush();
  } finally {
    out.off('error', onError);
  }
}
