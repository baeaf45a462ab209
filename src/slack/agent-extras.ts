import type { webApi } from '@slack/bolt';
import type { Logger } from '../logger.ts';

/** Slack's own errors that mean "this workspace or token cannot stream": answer the old way instead. */
export const CANNOT_STREAM = new Set([
  'unknown_method',
  'not_allowed_token_type',
  'feature_not_enabled',
  'not_authed',
  'missing_scope',
  'method_deprecated',
  'team_not_allowed',
]);
/** The stream is over on Slack's side (about five minutes, or the person pressed Stop). */
export const STREAM_CLOSED = new Set(['message_not_in_streaming_state', 'stopped_by_user', 'streaming_state_conflict']);
/** Answers that mean "not here": the feature is turned off for this process rather than retried. */
const UNSUPPORTED = new Set([
  ...CANNOT_STREAM,
  'not_authorized',
  'not_allowed',
  'invalid_arguments',
  'channel_not_found',
]);

/** Learned once per process: what this Slack cannot do is not tried again (and not logged again). */
export interface SlackCapabilities {
  /** chat.startStream and friends. */
  streaming: boolean;
  /** assistant.threads.setStatus: the "is working on it…" line under the thread. */
  status: boolean;
  /** agents.sessions.setStatus: the agent session's state, and Slack's own Stop button. */
  sessions: boolean;
}

export function allCapabilities(): SlackCapabilities {
  return { streaming: true, status: true, sessions: true };
}

/** The Slack error code of a failed Web API call, or ''. */
export function slackError(error: unknown): string {
  return (error as { data?: { error?: string } }).data?.error ?? '';
}

const LOADING_MESSAGES = ['Reading your request…', 'Looking in Intercom…', 'Writing the answer…'];

/**
 * Best-effort extras of Slack's agent surface for one thread: the status line and the agent session's state.
 * Without them the answer still arrives, so a refusal only turns the feature off for this process, with one line
 * at info; nothing here is awaited by the answer.
 */
export function createAgentExtras(
  deps: { client: webApi.WebClient; logger: Logger; capabilities: SlackCapabilities },
  thread: { channel: string; threadTs: string },
) {
  const optional = (feature: 'status' | 'sessions', call: () => Promise<unknown>) => {
    if (!deps.capabilities[feature]) return;
    void call().catch((error: unknown) => {
      const code = slackError(error);
      if (UNSUPPORTED.has(code)) {
        deps.capabilities[feature] = false;
        deps.logger.info('Slack does not offer this agent feature here; carrying on without it', {
          feature,
          error: code,
        });
      } else deps.logger.debug('An optional Slack agent call failed', { feature, error: code || String(error) });
    });
  };
  return {
    working() {
      optional('status', () =>
        deps.client.assistant.threads.setStatus({
          channel_id: thread.channel,
          thread_ts: thread.threadTs,
          status: 'is working on it…',
          loading_messages: LOADING_MESSAGES,
        }),
      );
    },
    session(status: 'processing' | 'suspended' | 'closed') {
      optional('sessions', () =>
        deps.client.agents.sessions.setStatus({ channel_id: thread.channel, thread_ts: thread.threadTs, status }),
      );
    },
  };
}
