import type { OpenAIEmulator } from './model/emulator.ts';
import type { ScalekitEmulator } from './scalekit/emulator.ts';
import type { SlackApiEmulator } from './slack/emulator.ts';

/** The bot's configuration (as environment variables) with every upstream pointed at the loopback emulators. */
export function emulatorEnv(params: {
  slack: SlackApiEmulator;
  scalekit: ScalekitEmulator;
  model: OpenAIEmulator;
  modelKey: string;
  signingSecret: string;
  port: number;
  dbPath: string;
}): Record<string, string> {
  const { slack, scalekit, model, port } = params;
  return {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: params.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    SCALEKIT_ENVIRONMENT_URL: scalekit.url,
    SCALEKIT_CLIENT_ID: scalekit.clientId,
    SCALEKIT_CLIENT_SECRET: scalekit.clientSecret,
    SCALEKIT_WEBHOOK_SECRET: scalekit.webhookSecret,
    OPENAI_API_KEY: params.modelKey,
    OPENAI_BASE_URL: model.baseUrl,
    OPENAI_MODEL: 'gpt-4o-mini',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    PORT: String(port),
    DATABASE_PATH: params.dbPath,
  };
}
