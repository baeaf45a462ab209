import { type AuditLog, hashArguments, summarizeArguments } from '../audit/audit-log.ts';
import { ToolError } from '../errors.ts';
import type { IdentityStore, ScalekitIdentifier } from '../identity/identity-store.ts';
import type { ScalekitGateway, ToolResult } from '../scalekit/scalekit-gateway.ts';
import type { SlackUser } from '../shared/messages.ts';
import type { AdminDirectory } from './admin-directory.ts';
import { type KnownNames, learnNames } from './known-names.ts';
import {
  type Admin,
  type Contact,
  type Conversation,
  parseAdmin,
  parseAdmins,
  parseContact,
  parseConversation,
  parseConversations,
} from './models.ts';

export type ToolInput = Record<string, unknown>;

/** How one call is run and recorded. */
export interface RunOptions {
  /** The Slack thread the call was made for; the audit row names it. */
  thread?: { channel: string; threadTs: string };
  /**
   * false where the caller records the call itself, in the same transaction as the change it belongs to (an
   * approval's trail), or where it is the bot's own look-up rather than the teammate's request (the names on an
   * approval card), like the typed reads below. Everything else is recorded here, as a `tool_call` row.
   */
  audit?: boolean;
  /** Waits and tries again when Intercom rate-limits (the backoff given to createIntercom); off by default. */
  retryRateLimits?: boolean;
}

/**
 * One teammate's own Intercom, acting with their connection and permissions through Scalekit. Every Intercom call the
 * bot makes goes through one of these; new actions (assign, close, snooze, tag, note) are a `run` of their tool, or
 * a small typed method beside the reads below.
 */
export interface IntercomAccount {
  /** Who this is in Slack (as a verified payload named them). */
  readonly user: SlackUser;
  /** Their Scalekit identifier: for Scalekit's own questions (status, tool list), never for running tools. */
  readonly identifier: ScalekitIdentifier;
  /**
   * Names of the records Intercom's answers to this account mentioned, by id (people, conversations, tags, admins):
   * plans and approval cards show these where arguments hold ids. An account lives for one request, so they do too.
   */
  readonly names: KnownNames;
  /** Runs an Intercom tool as this teammate and records it; failures are ToolError (or ScalekitUnavailableError). */
  run(tool: string, input: ToolInput, options?: RunOptions): Promise<ToolResult>;
  /** A conversation (plaintext), or undefined when Intercom answers without one. Not recorded: the bot's own read. */
  conversation(id: string): Promise<Conversation | undefined>;
  /** A contact, or undefined when Intercom answers without one. Not recorded. */
  contact(id: string): Promise<Contact | undefined>;
  /** The admin this teammate is in Intercom, remembered for an hour. */
  me(): Promise<Admin>;
  /** Every admin of the workspace. Not recorded. */
  admins(): Promise<Admin[]>;
  /**
   * The open conversations assigned to this admin (one search, its first 150; without their parts), only those
   * updated after `updatedAfter` (ms) when given. Not recorded: the bot's own read (My queue).
   */
  assignedOpen(adminId: string, updatedAfter?: number): Promise<Conversation[]>;
}

/** Makes the account of each teammate; the only caller of Scalekit's executeTool. */
export interface Intercom {
  /** The account of this teammate, with the identifier the identity map resolved for them. */
  account(user: SlackUser, identifier: ScalekitIdentifier): IntercomAccount;
  /** The account of a teammate named by a verified payload or a row first written from one. */
  accountOf(user: SlackUser): Promise<IntercomAccount>;
}

export interface IntercomDeps {
  gateway: Pick<ScalekitGateway, 'executeTool'>;
  identities: Pick<IdentityStore, 'identifierFor'>;
  admins: AdminDirectory;
  audit: Pick<AuditLog, 'record'>;
  now: () => number;
  /** Backoff before retrying a rate-limited call (for runs that ask for it); its length is the number of retries. */
  rateLimitBackoffMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

const RETRIEVE_CONVERSATION = 'intercom_retrieve_conversation';

export function createIntercom(deps: IntercomDeps): Intercom {
  const { gateway, audit, now } = deps;
  const backoff = deps.rateLimitBackoffMs ?? [1000, 3000];
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  const account = ({ teamId, userId }: SlackUser, identifier: ScalekitIdentifier): IntercomAccount => {
    const user = { teamId, userId };
    const names: KnownNames = new Map();
    const execute = async (tool: string, input: ToolInput, retry: boolean): Promise<ToolResult> => {
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await gateway.executeTool({ identifier, toolName: tool, input });
          learnNames(result.data, names);
          return result;
        } catch (error) {
          const delay = backoff[attempt];
          if (!retry || !(error instanceof ToolError) || error.kind !== 'rate_limited' || delay === undefined) {
            throw error;
          }
          await sleep(delay);
        }
      }
    };

    const run: IntercomAccount['run'] = async (tool, input, options = {}) => {
      const started = now();
      const record = async (outcome: string, executionId?: string) => {
        if (options.audit === false) return;
        await audit.record({
          at: now(),
          kind: 'tool_call',
          teamId: user.teamId,
          userId: user.userId,
          channel: options.thread?.channel,
          threadTs: options.thread?.threadTs,
          identifier,
          toolName: tool,
          argsHash: hashArguments(input),
          summary: summarizeArguments(input),
          outcome,
          executionId,
          latencyMs: now() - started,
        });
      };
      let result: ToolResult;
      try {
        result = await execute(tool, input, options.retryRateLimits === true);
      } catch (error) {
        await record(
          error instanceof ToolError ? `error: ${error.kind}` : 'error',
          error instanceof ToolError ? error.executionId : undefined,
        );
        throw error;
      }
      // Outside the try: a trail that cannot be written is not a failed Intercom call.
      await record('ok', result.executionId);
      return result;
    };

    const read = async <T>(tool: string, input: ToolInput, parse: (data: unknown, executionId: string) => T) => {
      const { data, executionId } = await execute(tool, input, false);
      return parse(data, executionId);
    };

    return {
      user,
      identifier,
      names,
      run,
      conversation: (id) =>
        read(RETRIEVE_CONVERSATION, { conversation_id: id, display_as: 'plaintext' }, parseConversation),
      contact: (id) => read('intercom_retrieve_contact', { contact_id: id }, parseContact),
      me: () =>
        deps.admins.adminFor(identifier, () =>
          read('intercom_identify_admin', {}, (data) => {
            const admin = parseAdmin(data);
            if (!admin) throw new Error('Intercom did not say who the connected admin is');
            return admin;
          }),
        ),
      admins: () => read('intercom_list_admins', {}, parseAdmins),
      assignedOpen: (adminId, updatedAfter) => {
        const filters: ToolInput[] = [
          { field: 'admin_assignee_id', operator: '=', value: adminId },
          { field: 'state', operator: '=', value: 'open' },
        ];
        if (updatedAfter !== undefined) {
          filters.push({ field: 'updated_at', operator: '>', value: Math.floor(updatedAfter / 1000) });
        }
        return read(
          'intercom_search_conversations',
          { query: { operator: 'AND', value: filters }, pagination: { per_page: 150 } },
          parseConversations,
        );
      },
    };
  };

  return {
    account,
    accountOf: async (user) => account(user, await deps.identities.identifierFor(user)),
  };
}
