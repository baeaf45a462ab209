/** What a reply consists of, and how it is cut into streamed pieces. */
import type { ReplyToolCall } from './types.ts';

export interface Output {
  text: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
}

export interface Usage {
  input: number;
  output: number;
}

export function buildOutput(
  reply: { text: string } | { toolCalls: ReplyToolCall[]; text?: string },
  nextId: (p: string) => string,
): Output {
  if (!('toolCalls' in reply)) return { text: reply.text, toolCalls: [] };
  return {
    text: reply.text ?? '',
    toolCalls: reply.toolCalls.map((call) => ({
      id: call.id ?? nextId('call_'),
      name: call.name,
      arguments: typeof call.args === 'string' ? call.args : JSON.stringify(call.args ?? {}),
    })),
  };
}

export function estimateUsage(rawBody: string, output: Output): Usage {
  const produced = output.text.length + output.toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
  return { input: Math.max(1, Math.ceil(rawBody.length / 4)), output: Math.max(1, Math.ceil(produced / 4)) };
}

/** Word-sized pieces (at most 8) so a streamed reply really arrives as several deltas. */
export function splitText(text: string): string[] {
  if (text === '') return [];
  let pieces = text.split(/(?<=\s)(?=\S)/);
  if (pieces.length === 1) {
    const chars = Array.from(text);
    if (chars.length < 2) return [text];
    const half = Math.ceil(chars.length / 2);
    return [chars.slice(0, half).join(''), chars.slice(half).join('')];
  }
  const maxPieces = 8;
  if (pieces.length > maxPieces) {
    const size = Math.ceil(pieces.length / maxPieces);
    const grouped: string[] = [];
    for (let i = 0; i < pieces.length; i += size) grouped.push(pieces.slice(i, i + size).join(''));
    pieces = grouped;
  }
  return pieces;
}

/** Arguments arrive in fragments from real models; the client has to reassemble them. */
export function splitArguments(args: string): string[] {
  const chars = Array.from(args);
  if (chars.length < 3) return args === '' ? [] : [args];
  const third = Math.ceil(chars.length / 3);
  return [0, 1, 2].map((i) => chars.slice(i * third, (i + 1) * third).join('')).filter((s) => s !== '');
}
