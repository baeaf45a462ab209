import type { ToolDefinition } from '../types.ts';
import { conversationTools } from './conversation-tools.ts';
import { expandCompactTool, otherTools } from './other-tools.ts';
import { peopleTools } from './people-tools.ts';

/** All 113 Intercom tools, sorted by name like a stable server listing. */
export const intercomTools: readonly ToolDefinition[] = [
  ...conversationTools,
  ...peopleTools,
  ...otherTools.map(expandCompactTool),
].sort((a, b) => a.name.localeCompare(b.name));
