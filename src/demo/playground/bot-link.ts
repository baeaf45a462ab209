import { commandBody, eventEnvelope, interactionBody, postSigned } from '../../standins/slack/signed-requests.ts';

/** How the playground reaches the bot: Slack's signed POSTs to /slack/events, as Slack sends them in HTTP mode. */
export interface BotLink {
  event(event: Record<string, unknown>): Promise<void>;
  /** Block actions and view submissions; the bot's acknowledgement body (a view's errors) comes back. */
  interaction(payload: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** The acknowledgement body of a slash command (usually empty: the answer goes to response_url). */
  command(fields: Record<string, string>): Promise<Record<string, unknown>>;
}

export function createBotLink(params: { eventsUrl: string; signingSecret: string; teamId: string }): BotLink {
  const post = async (body: string, contentType: string) => {
    const response = await postSigned(params.eventsUrl, body, contentType, { signingSecret: params.signingSecret });
    const text = await response.text();
    if (!response.ok) throw new Error(`the bot answered ${response.status}`);
    try {
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return { text };
    }
  };
  return {
    async event(event) {
      await post(JSON.stringify(eventEnvelope(event, params.teamId)), 'application/json');
    },
    interaction: (payload) => post(interactionBody(payload), 'application/x-www-form-urlencoded'),
    command: (fields) => post(commandBody(fields), 'application/x-www-form-urlencoded'),
  };
}
