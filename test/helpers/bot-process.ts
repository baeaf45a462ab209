import { emulatorEnv } from '../../src/standins/bot-env.ts';
import { type BotProcess, launchBotProcess as launch } from '../../src/standins/bot-process.ts';
import type { OpenAIEmulator } from '../../src/standins/model/emulator.ts';
import type { ScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import type { SlackApiEmulator } from '../../src/standins/slack/emulator.ts';
import { eventEnvelope, interactionBody, postSigned } from '../../src/standins/slack/signed-requests.ts';
import type { BotDatabase } from './databases.ts';
import { SIGNING_SECRET } from './test-bot.ts';

export type { BotProcess };

/** The real bot as its own process (`npm start`), with every upstream on the loopback emulators. */
export function launchBotProcess(params: {
  slack: SlackApiEmulator;
  scalekit: ScalekitEmulator;
  model: OpenAIEmulator;
  modelKey: string;
  /** SQLite, or PostgreSQL in the `postgres` test project (see createBotDatabase). */
  database: Pick<BotDatabase, 'path' | 'env'>;
  port: number;
  /** More settings, or other values (several processes behind one public URL). */
  env?: Record<string, string>;
}): Promise<BotProcess> {
  return launch({
    PATH: process.env.PATH ?? '',
    MASTRA_TELEMETRY_DISABLED: '1',
    ...emulatorEnv({ ...params, dbPath: params.database.path, signingSecret: SIGNING_SECRET }),
    ...params.database.env,
    ...params.env,
  });
}

/** Posts a signed Events API body, as Slack does. */
export const postEvent = (base: string, body: unknown) =>
  postSigned(`${base}/slack/events`, JSON.stringify(body), 'application/json', { signingSecret: SIGNING_SECRET });

/** An app_mention envelope in a channel. */
export const mentionIn = (channel: string, user: string, ts: string, text = '<@UBOT> summarize') =>
  eventEnvelope({ type: 'app_mention', user, text, ts, channel });

/** The requester clicks Send on an approval preview. */
export const clickSend = (slack: SlackApiEmulator, base: string, user: string, channel: string, actionId: string) =>
  postSigned(
    `${base}/slack/events`,
    interactionBody({
      type: 'block_actions',
      team: { id: slack.teamId },
      user: { id: user, team_id: slack.teamId },
      api_app_id: 'A0001',
      trigger_id: 't',
      channel: { id: channel },
      response_url: slack.responseUrl(),
      actions: [{ type: 'button', action_id: 'approval_send', block_id: 'approval', value: actionId, action_ts: '1' }],
    }),
    'application/x-www-form-urlencoded',
    { signingSecret: SIGNING_SECRET },
  );

/** The action id on an approval preview's Send button. */
export const approvalIdOf = (preview: { params: Record<string, unknown> }) =>
  String(
    (preview.params.blocks as Array<{ type: string; elements?: Array<{ value?: string }> }>).find(
      (b) => b.type === 'actions',
    )?.elements?.[0]?.value,
  );
