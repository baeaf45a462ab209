import type { ModelRequest } from '../../standins/model/types.ts';

/** One tool call the model made since the person's last message, with what came back. */
export interface Step {
  name: string;
  args: unknown;
  /** Parsed JSON where possible; a string when the tool failed with a message. */
  result: unknown;
}

/** The person's last message, their earlier ones (newest first), and the tool calls made for it so far, in order. */
export function currentTurn(req: ModelRequest): { text: string; earlier: string[]; steps: Step[] } {
  let start = -1;
  for (let i = req.messages.length - 1; i >= 0; i--) {
    if (req.messages[i]?.role === 'user') {
      start = i;
      break;
    }
  }
  const text = start >= 0 ? (req.messages[start]?.text ?? '') : '';
  const steps: Step[] = [];
  const byId = new Map<string, Step>();
  for (const message of req.messages.slice(start + 1)) {
    for (const call of message.toolCalls ?? []) {
      const step = { name: call.name, args: call.args, result: undefined };
      steps.push(step);
      byId.set(call.id, step);
    }
    if (message.role === 'tool' && message.toolCallId) {
      const step = byId.get(message.toolCallId);
      if (step) step.result = parse(message.text);
    }
  }
  const earlier = req.messages
    .slice(0, Math.max(start, 0))
    .filter((m) => m.role === 'user')
    .map((m) => m.text ?? '')
    .reverse();
  return { text, earlier, steps };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
