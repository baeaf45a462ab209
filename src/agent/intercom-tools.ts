import type { RequestContext } from '@mastra/core/request-context';
import { type StandardSchemaWithJSON, toStandardSchema } from '@mastra/core/schema';
import { createTool } from '@mastra/core/tools';
import { ToolError } from '../errors.ts';
import type { IntercomAccount } from '../intercom/account.ts';
import { parseArticles } from '../intercom/models.ts';
import { classifyTool, type ToolClass, titleOf } from '../intercom/tool-policy.ts';
import type { ToolDefinition } from '../scalekit/scalekit-gateway.ts';
import type { PlanTask, Source } from './answer-surface.ts';
import { describeProposal, describeStep, planTaskOf } from './step-titles.ts';

/** Everything one agent run needs inside its tools; it travels in Mastra's request context under RUN_KEY. */
export interface RunContext {
  /** Whose Intercom every tool call uses: the person whose message started the run. */
  account: IntercomAccount;
  /** Who asked, and where the conversation is: previews of write actions go there. */
  origin: RunOrigin;
  /** Tool calls made so far, for the step-cap summary. */
  calls: Array<{ toolName: string; title: string; ok: boolean }>;
  /** Failures the reply must mention even if the model glosses over them. */
  failures: ToolError[];
  /** Write actions proposed in this run that now wait for the requester's approval. */
  proposals: number;
  /** Conversations read one by one in this run, in order: what the answer is about. */
  conversations: string[];
  /** Help-center articles searches found in this run: the answer cites them. */
  articles: Source[];
  /** Ends the run early (the Intercom token was rejected: nothing more can work). */
  abort: AbortController;
  /** Shows the person the agent's steps as a live plan. */
  plan: (task: PlanTask) => void;
  /** How many steps the plan has had (each tool call is one). */
  steps: number;
}

export interface RunOrigin {
  teamId: string;
  userId: string;
  channel: string;
  threadTs: string;
}

export const RUN_KEY = 'run';

export function runOf(requestContext: RequestContext): RunContext {
  const run = requestContext.get(RUN_KEY) as RunContext | undefined;
  if (!run) throw new Error('tool called outside an agent run');
  return run;
}

/** What a write tool does when the model calls it (approval comes in here). */
export type WriteHandler = (run: RunContext, tool: ToolDefinition, input: Record<string, unknown>) => Promise<unknown>;

export interface IntercomToolsDeps {
  onWrite: WriteHandler;
  overrides?: Readonly<Record<string, ToolClass>>;
}

const MAX_RESULT_CHARS = 24_000;

/**
 * Wraps the allowed Intercom tools as Mastra tools with their real JSON Schemas. Read tools run at once; write
 * tools go to `onWrite`. The account is taken from the run, never from the model's arguments.
 */
export function buildIntercomTools(definitions: readonly ToolDefinition[], deps: IntercomToolsDeps) {
  const tools: Record<string, ReturnType<typeof createTool>> = {};

  for (const definition of definitions) {
    const toolClass = classifyTool(definition, deps.overrides);
    if (toolClass === 'off') continue;
    const title = titleOf(definition);
    tools[definition.name] = createTool({
      id: definition.name,
      description: definition.description || title,
      inputSchema: asGiven(normalizeSchema(definition.inputSchema)),
      // Mastra otherwise rewrites every schema for OpenAI's strict mode (optional fields as required-or-null),
      // which the bot never asks for: 27 tools grew from 20 KB to 33 KB, sent again on every model step.
      strict: false,
      execute: async (input, ctx) => {
        const run = runOf(ctx.requestContext);
        const args = (input ?? {}) as Record<string, unknown>;
        const step = {
          id: `step-${++run.steps}`,
          title: describeStep(definition.name, args, title, run.account.names),
        };
        if (toolClass === 'write') {
          // A write shows in the plan once its approval card exists, under the card's id, so the card's outcome
          // (sent, failed, cancelled) can be shown on the same step later.
          const result = (await deps.onWrite(run, definition, args).catch((error: unknown) => {
            run.plan({ ...step, status: 'error' });
            throw error;
          })) as { status?: string; actionId?: string };
          const { actionId, ...forModel } = result;
          const proposed = result.status === 'awaiting_approval' && actionId !== undefined;
          run.plan(
            proposed
              ? {
                  id: planTaskOf(actionId),
                  title: describeProposal(definition.name, args, title, run.account.names),
                  status: 'pending',
                  details: 'The approval card is in this thread: nothing happens until you click Send.',
                }
              : { ...step, status: 'error' },
          );
          if (proposed) run.proposals++;
          run.calls.push({ toolName: definition.name, title: `${title} (proposed, awaiting approval)`, ok: true });
          return forModel;
        }
        run.plan({ ...step, status: 'in_progress' });
        try {
          const result = await run.account.run(definition.name, args, {
            thread: { channel: run.origin.channel, threadTs: run.origin.threadTs },
            retryRateLimits: true,
          });
          run.calls.push({ toolName: definition.name, title, ok: true });
          if (definition.name === 'intercom_retrieve_conversation' && args.conversation_id !== undefined) {
            const id = String(args.conversation_id);
            if (!run.conversations.includes(id)) run.conversations.push(id);
          }
          const sources = definition.name === 'intercom_search_articles' ? parseArticles(result.data).slice(0, 5) : [];
          for (const source of sources) {
            if (!run.articles.some((a) => a.url === source.url)) run.articles.push(source);
          }
          run.plan({ ...step, status: 'complete', ...(sources.length > 0 && { sources }) });
          return capSize(result.data);
        } catch (error) {
          run.calls.push({ toolName: definition.name, title, ok: false });
          run.plan({ ...step, status: 'error' });
          if (error instanceof ToolError) {
            run.failures.push(error);
            if (error.kind === 'auth') run.abort.abort(error);
            throw new Error(explainForModel(error));
          }
          throw error;
        }
      },
    });
  }
  return tools;
}

/** Mastra needs an object schema; Scalekit sends `{}` for tools without parameters. */
function normalizeSchema(schema: Record<string, unknown>): Record<string, unknown> {
  if (schema.type !== 'object') return { type: 'object', properties: {} };
  return withArrayItems(schema.properties ? schema : { ...schema, properties: {} });
}

/** OpenAI refuses a function whose schema has an array without `items`, strict mode or not. */
function withArrayItems(schema: Record<string, unknown>): Record<string, unknown> {
  const fixed: Record<string, unknown> = {};
  let changed = false;
  for (const [key, value] of Object.entries(schema)) {
    fixed[key] = fixNested(value);
    changed ||= fixed[key] !== value;
  }
  if (fixed.type === 'array' && fixed.items === undefined) {
    fixed.items = {};
    changed = true;
  }
  // Unchanged schemas stay the very objects Scalekit sent (shared between teammates by the gateway).
  return changed ? fixed : schema;
}

function fixNested(value: unknown): unknown {
  if (Array.isArray(value)) {
    const fixed = value.map(fixNested);
    return fixed.some((v, i) => v !== value[i]) ? fixed : value;
  }
  return value !== null && typeof value === 'object' ? withArrayItems(value as Record<string, unknown>) : value;
}

/**
 * The schema the model sees is exactly this one (Mastra asks for it on every run, and would otherwise clone and
 * annotate it each time); arguments are still checked against it (Ajv, compiled once per tool) before `execute`.
 */
function asGiven(schema: Record<string, unknown>): StandardSchemaWithJSON {
  const checked = toStandardSchema(schema)['~standard'];
  return {
    '~standard': {
      version: 1,
      vendor: 'intercom-support-bot',
      validate: (value) => checked.validate(value),
      jsonSchema: { input: () => schema, output: () => schema },
    },
  };
}

function explainForModel(error: ToolError): string {
  switch (error.kind) {
    case 'auth':
      return 'The Intercom connection was rejected (expired or revoked). Stop; the user has been asked to reconnect.';
    case 'forbidden':
      return `Intercom refused this action: the user's Intercom permissions do not allow it (${error.message}).`;
    case 'rate_limited':
      return 'Intercom is rate-limiting requests right now. Do not retry; tell the user to try again in a minute.';
    default:
      return `Intercom returned an error: ${error.message}`;
  }
}

function capSize(data: unknown): unknown {
  const text = JSON.stringify(data);
  if (text === undefined || text.length <= MAX_RESULT_CHARS) return data;
  return { truncated: true, note: 'The result was too long and was cut.', partial: text.slice(0, MAX_RESULT_CHARS) };
}
