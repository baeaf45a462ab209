/** The least environment that passes config validation (HTTP mode); tests add or blank out what they check. */
export const MINIMAL_ENV: Readonly<Record<string, string>> = {
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_SIGNING_SECRET: 'signing',
  SCALEKIT_ENVIRONMENT_URL: 'https://acme.scalekit.dev',
  SCALEKIT_CLIENT_ID: 'skc_1',
  SCALEKIT_CLIENT_SECRET: 'secret',
  OPENAI_API_KEY: 'sk-1',
  PUBLIC_URL: 'https://bot.example.com/',
};
