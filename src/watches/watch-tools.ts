import { createTool } from '@mastra/core/tools';
import { type RunContext, runOf } from '../agent/intercom-tools.ts';
import { ToolError } from '../errors.ts';
import { parseContacts } from '../intercom/models.ts';
import { WATCH_LIFETIME_TEXT } from './watch-blocks.ts';
import { MAX_WATCHES_PER_USER, type WatchService } from './watch-service.ts';
import type { Watch } from './watch-store.ts';

export interface WatchToolsDeps {
  service: Pick<WatchService, 'start' | 'stop' | 'openFor'>;
}

const target = {
  type: 'object' as const,
  properties: {
    conversation_id: { type: 'string' as const, description: 'The Intercom conversation id.' },
    contact_email: {
      type: 'string' as const,
      description: "The customer's email, when no conversation id is known: their most recent conversation is used.",
    },
  },
};

/**
 * The agent's own tools for watches (not Intercom's): watch a conversation, stop watching, list what is watched.
 * They act for the person who asked, in the thread they asked in, taken from the run and never from the model.
 */
export function buildWatchTools(deps: WatchToolsDeps) {
  /** An Intercom read as the run's person, recorded like every other tool call. */
  const read = async (run: RunContext, toolName: string, input: Record<string, unknown>) =>
    (await run.account.run(toolName, input, { thread: run.origin })).data;

  /** The contact's conversations, newest first, found with the person's own Intercom tools. */
  const conversationsOf = async (run: RunContext, email: string): Promise<string[]> => {
    const contacts = await read(run, 'intercom_search_contacts', {
      query: { field: 'email', operator: '=', value: email },
    });
    const contact = parseContacts(contacts)[0];
    if (!contact) return [];
    const found = await read(run, 'intercom_search_conversations', {
      query: { field: 'contact_ids', operator: '=', value: contact.id },
    });
    return list(found, 'conversations')
      .sort((a, b) => Number(b.updated_at ?? 0) - Number(a.updated_at ?? 0))
      .map((c) => String(c.id));
  };

  /** A step of the live plan around `work`; Intercom's refusals become what the model should say. */
  const step = async (run: RunContext, title: string, work: () => Promise<unknown>) => {
    const task = { id: `step-${++run.steps}`, title };
    run.plan({ ...task, status: 'in_progress' });
    try {
      const result = await work();
      run.plan({ ...task, status: 'complete' });
      return result;
    } catch (error) {
      run.plan({ ...task, status: 'error' });
      if (!(error instanceof ToolError)) throw error;
      run.failures.push(error);
      if (error.kind === 'auth') run.abort.abort(error);
      throw new Error(`Intercom refused (${error.kind}): ${error.message}`);
    }
  };

  const shown = (watches: Watch[]) =>
    watches.map((w) => ({ conversation_id: w.conversationId, customer: w.customer, status: w.status }));

  return {
    watch_conversation: createTool({
      id: 'watch_conversation',
      description: `Watch an Intercom conversation for the person asking: I tell them in this Slack thread when the customer answers, or when the conversation is closed, snoozed, reopened or reassigned. Use it for "let me know when … replies" or "watch conversation …". The watch ends when the conversation is closed, ${WATCH_LIFETIME_TEXT}, or when they stop it; at most ${MAX_WATCHES_PER_USER} at once. Tell them what is watched and for how long.`,
      inputSchema: target,
      execute: async (input, ctx) => {
        const run = runOf(ctx.requestContext);
        const args = (input ?? {}) as { conversation_id?: string; contact_email?: string };
        const subject = args.conversation_id ?? args.contact_email ?? '';
        return step(run, `Watching conversation ${subject}`.trim(), async () => {
          const id =
            args.conversation_id?.trim() || (args.contact_email && (await conversationsOf(run, args.contact_email))[0]);
          if (!id) return { status: 'not_found', note: 'No conversation found for that contact; nothing is watched.' };
          const outcome = await deps.service.start({
            user: run.origin,
            conversationId: id,
            channel: run.origin.channel,
            threadTs: run.origin.threadTs,
          });
          if (outcome.kind === 'closed') return { status: 'not_watched', note: 'The conversation is closed.' };
          if (outcome.kind === 'limit') {
            return {
              status: 'limit_reached',
              note: `Not watched: they already watch ${MAX_WATCHES_PER_USER} conversations. Ask them to stop one first (App Home has Stop buttons).`,
              watching: shown(outcome.open),
            };
          }
          return {
            status: outcome.kind === 'created' ? 'watching' : 'already_watching',
            conversation_id: outcome.watch.conversationId,
            customer: outcome.watch.customer,
            conversation_state: outcome.conversation.state,
            announcements_go_to: 'this Slack thread',
            ends: `when the conversation is closed, ${WATCH_LIFETIME_TEXT}, or when they stop it`,
          };
        });
      },
    }),

    stop_watching: createTool({
      id: 'stop_watching',
      description:
        'Stop watching conversations for the person asking: one conversation (conversation_id), the conversations of a contact (contact_email), or all of them (all: true).',
      inputSchema: {
        ...target,
        properties: { ...target.properties, all: { type: 'boolean', description: 'Stop every watch.' } },
      },
      execute: async (input, ctx) => {
        const run = runOf(ctx.requestContext);
        const args = (input ?? {}) as { conversation_id?: string; contact_email?: string; all?: boolean };
        return step(run, 'Stopping watches', async () => {
          const open = await deps.service.openFor(run.origin);
          const ids = args.all
            ? open.map((w) => w.conversationId)
            : args.conversation_id
              ? [args.conversation_id.trim()]
              : args.contact_email
                ? await conversationsOf(run, args.contact_email)
                : [];
          const stopped: Watch[] = [];
          for (const w of open.filter((o) => ids.includes(o.conversationId))) {
            const ended = await deps.service.stop(run.origin, w.id);
            if (ended) stopped.push(ended);
          }
          return {
            status: stopped.length > 0 ? 'stopped' : 'not_watching',
            stopped: shown(stopped),
            still_watching: shown(await deps.service.openFor(run.origin)),
          };
        });
      },
    }),

    list_watches: createTool({
      id: 'list_watches',
      description: 'The conversations the person asking is watching (paused ones wait for them to reconnect Intercom).',
      inputSchema: { type: 'object' as const, properties: {} },
      execute: async (_input, ctx) => ({
        watching: shown(await deps.service.openFor(runOf(ctx.requestContext).origin)),
      }),
    }),
  };
}

function list(data: unknown, key: string): Array<Record<string, unknown>> {
  const value = data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
  return Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object')
    : [];
}
