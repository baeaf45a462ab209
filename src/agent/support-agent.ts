import { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import { RequestContext } from '@mastra/core/request-context';
import type { createTool } from '@mastra/core/tools';
import type { ToolError } from '../errors.ts';
import type { IntercomAccount } from '../intercom/account.ts';
import type { ToolClass } from '../intercom/tool-policy.ts';
import type { Logger } from '../logger.ts';
import type { ToolDefinition } from '../scalekit/scalekit-gateway.ts';
import type { Turn } from '../shared/messages.ts';
import type { PlanTask, Source } from './answer-surface.ts';
import { buildInstructions } from './instructions.ts';
import { buildIntercomTools, RUN_KEY, type RunContext, type RunOrigin, type WriteHandler } from './intercom-tools.ts';
import { attachLogger } from './mastra-logger.ts';

export type { Turn };

export interface AgentRunInput {
  /** The Intercom of the person who asked: every tool of the run acts there. */
  account: IntercomAccount;
  origin: RunOrigin;
  /** Earlier turns of the conversation, then the request itself as the last user turn. */
  turns: Turn[];
  tools: readonly ToolDefinition[];
  /** The live plan: each tool step as it starts and ends. */
  plan: (task: PlanTask) => void;
  /** The model's text as it is written (all steps, separated by a blank line). */
  onText: (delta: string) => void;
  /** Aborts the run (the person pressed Stop). */
  signal?: AbortSignal;
}

/** `text` is everything the model wrote, as it was streamed through `onText`; `proposals` counts writes awaiting approval. */
export type AgentOutcome =
  | {
      kind: 'answer';
      text: string;
      failures: ToolError[];
      proposals: number;
      conversations: string[];
      articles: Source[];
    }
  | {
      kind: 'step_cap';
      text: string;
      steps: number;
      done: string[];
      failures: ToolError[];
      proposals: number;
      conversations: string[];
      articles: Source[];
    }
  /** The person stopped the run; what was done stays done, proposals stay pending. */
  | { kind: 'stopped'; text: string; proposals: number }
  /** Intercom rejected the user's token: they must reconnect. */
  | { kind: 'reconnect' }
  | { kind: 'model_failed'; reason: 'timeout' | 'error' };

export interface SupportAgent {
  run(input: AgentRunInput): Promise<AgentOutcome>;
}

export interface SupportAgentDeps {
  model: MastraModelConfig;
  onWrite: WriteHandler;
  logger: Logger;
  now: () => number;
  toolOverrides?: Readonly<Record<string, ToolClass>>;
  maxSteps?: number;
  /** The whole run, all model steps and tool calls together. */
  runTimeoutMs?: number;
  /** Retries of a failed model call (the AI SDK backs off between them). */
  modelRetries?: number;
  /** The bot's own tools (watches), offered beside Intercom's; they read the run's person from the context too. */
  localTools?: Record<string, ReturnType<typeof createTool>>;
}

const TOOLS_KEY = 'tools';

/**
 * One Mastra Agent for everyone; what differs per run (whose Intercom, which tools) travels in the request
 * context, so a run can only ever act in the Intercom of the person who asked.
 */
export function createSupportAgent(deps: SupportAgentDeps): SupportAgent {
  const maxSteps = deps.maxSteps ?? 10;
  const runTimeoutMs = deps.runTimeoutMs ?? 120_000;
  const agent = new Agent({
    id: 'intercom-support',
    name: 'Intercom support assistant',
    instructions: () => {
      const now = new Date(deps.now()).toISOString();
      return buildInstructions({ today: now.slice(0, 10), now: now.slice(0, 16).replace('T', ' ') });
    },
    model: deps.model,
    maxRetries: deps.modelRetries ?? 2,
    tools: ({ requestContext }) => requestContext.get(TOOLS_KEY) as ReturnType<typeof buildIntercomTools>,
  });
  attachLogger(agent, deps.logger);

  // The wrappers hold no per-user state, so one set serves every run that sees the same (cached) tool list.
  const wrapped = new WeakMap<readonly ToolDefinition[], ReturnType<typeof buildIntercomTools>>();
  const toolsFor = (definitions: readonly ToolDefinition[]) => {
    let tools = wrapped.get(definitions);
    if (!tools) {
      tools = {
        ...buildIntercomTools(definitions, { onWrite: deps.onWrite, overrides: deps.toolOverrides }),
        ...deps.localTools,
      };
      wrapped.set(definitions, tools);
    }
    return tools;
  };

  return {
    async run(input) {
      const run: RunContext = {
        account: input.account,
        origin: input.origin,
        calls: [],
        failures: [],
        abort: new AbortController(),
        plan: input.plan,
        steps: 0,
        proposals: 0,
        conversations: [],
        articles: [],
      };
      // A timer cleared when the run ends (AbortSignal.timeout would keep every run's signal alive for the whole
      // timeout, a few kilobytes per message).
      const timeoutController = new AbortController();
      const timer = setTimeout(() => timeoutController.abort(), runTimeoutMs);
      const timeout = timeoutController.signal;
      const requestContext = new RequestContext<unknown>([
        [RUN_KEY, run],
        [TOOLS_KEY, toolsFor(input.tools)],
      ]);
      const reconnect = () => run.failures.some((f) => f.kind === 'auth');
      const stopped = () => input.signal?.aborted === true;
      let written = '';
      let stepEnded = false;
      const write = (delta: string) => {
        // Each step's text is its own paragraph: "Let me look." then, after the tools, the answer.
        const piece = stepEnded && written ? `\n\n${delta}` : delta;
        stepEnded = false;
        written += piece;
        input.onText(piece);
      };
      let finishReason: string | undefined;
      let steps = 0;
      try {
        const messages = input.turns.map((t) =>
          t.role === 'user'
            ? { role: 'user' as const, content: t.content }
            : { role: 'assistant' as const, content: t.content },
        );
        const output = await agent.stream(messages, {
          requestContext,
          maxSteps,
          abortSignal: AbortSignal.any([run.abort.signal, timeout, ...(input.signal ? [input.signal] : [])]),
        });
        let failed: unknown;
        for await (const chunk of output.fullStream) {
          if (chunk.type === 'text-delta' && chunk.payload.text) write(chunk.payload.text);
          else if (chunk.type === 'step-finish') stepEnded = true;
          else if (chunk.type === 'error') failed = chunk.payload.error;
        }
        if (failed !== undefined && !stopped()) throw failed;
        finishReason = await output.finishReason;
        steps = (await output.steps).length;
      } catch (error) {
        if (reconnect()) return { kind: 'reconnect' };
        if (stopped()) return { kind: 'stopped', text: written, proposals: run.proposals };
        deps.logger.warn('The model call failed', { timedOut: timeout.aborted }, error);
        return { kind: 'model_failed', reason: timeout.aborted ? 'timeout' : 'error' };
      } finally {
        clearTimeout(timer);
      }
      if (reconnect()) return { kind: 'reconnect' };
      if (stopped()) return { kind: 'stopped', text: written, proposals: run.proposals };
      if (finishReason === 'aborted' || timeout.aborted) return { kind: 'model_failed', reason: 'timeout' };
      const failures = run.failures;
      if (finishReason === 'tool-calls') {
        const done = [...new Set(run.calls.filter((c) => c.ok).map((c) => c.title))];
        const { proposals, conversations, articles } = run;
        return { kind: 'step_cap', text: written, steps, done, failures, proposals, conversations, articles };
      }
      const { proposals, conversations, articles } = run;
      return { kind: 'answer', text: written, failures, proposals, conversations, articles };
    },
  };
}
