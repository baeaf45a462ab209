import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AckFn,
  type App,
  AuthorizationError,
  HTTPModuleFunctions,
  type Receiver,
  ReceiverMultipleAckError,
} from '@slack/bolt';
import type { Logger } from '../logger.ts';
import { runUntilStored } from '../shared/acknowledge.ts';

/** Events the bot records in its inbox before acknowledging them. */
const STORED_EVENTS = new Set(['message', 'app_mention']);

/** Slack gives up on an unacknowledged request after 3 s; Bolt's own receiver answers 404 just after that. */
const ACK_TIMEOUT_MS = 3001;

/**
 * Bolt's documented extension point for transports (`new App({ receiver })`): our HTTP server verifies the
 * signature and parses the body, then hands the parsed body here, and this passes it to `app.processEvent`. Bolt never
 * reads the request stream itself, so it needs nothing undocumented from the request (such as `rawBody`).
 */
export interface SlackReceiver extends Receiver {
  /** Handles one verified, parsed Slack request and answers it on `res`. */
  dispatch(params: { body: Record<string, unknown>; req: IncomingMessage; res: ServerResponse }): Promise<void>;
}

export function createSlackReceiver(logger: Logger): SlackReceiver {
  let app: App | undefined;
  return {
    init(bolt) {
      app = bolt;
    },
    // Our HTTP server listens; Bolt's start()/stop() have nothing to open or close here.
    start: async () => undefined,
    stop: async () => undefined,

    async dispatch({ body, req, res }) {
      const bolt = app;
      if (!bolt) throw new Error('Slack receiver used before Bolt initialised it');
      if (body.ssl_check === '1') {
        res.writeHead(200).end();
        return;
      }
      if (body.type === 'url_verification') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ challenge: body.challenge }));
        return;
      }
      // Bolt acknowledges events before any listener runs. A message is acknowledged only once the inbox holds it:
      // if the database cannot take it, Slack gets an error and sends it again, rather than a 200 for a message
      // that is then lost. Other requests are acknowledged when Bolt says so, as before.
      const deferred = body.type === 'event_callback' && STORED_EVENTS.has(describe(body).eventType as string);
      let stored = !deferred;
      let requested: { response: unknown } | undefined;
      let acked = false;
      const send = (response: unknown) => {
        if (acked) return;
        acked = true;
        clearTimeout(timer);
        HTTPModuleFunctions.buildContentResponse(res, response);
      };
      const timer = setTimeout(() => {
        if (acked) return;
        logger.error('A Slack request was not acknowledged within 3 seconds', { type: body.type });
        if (!res.headersSent) res.writeHead(404).end();
      }, ACK_TIMEOUT_MS);
      timer.unref();
      const ack: AckFn<unknown> = async (response) => {
        if (requested) throw new ReceiverMultipleAckError();
        requested = { response };
        if (stored) send(response);
      };
      let failed = false;
      const handlers = {
        stored() {
          stored = true;
          if (requested) send(requested.response);
        },
        failed() {
          failed = true;
        },
      };
      try {
        await runUntilStored(handlers, () =>
          bolt.processEvent({
            body,
            ack,
            retryNum: HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req),
            retryReason: HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(req),
          }),
        );
        if (deferred && failed && !acked) {
          // Bolt's error handler has logged it; Slack sends the event again.
          acked = true;
          clearTimeout(timer);
          res.writeHead(500).end();
          return;
        }
        // Nothing to store (a message not for the bot, or one seen before): acknowledged now.
        if (requested) send(requested.response);
        // Bolt returns without acknowledging what it cannot classify (app_rate_limited, a new kind of payload): Slack
        // would retry it after our 3-second timer's 404, so it gets its 200 now.
        if (!acked) send(undefined);
        // Bolt resolves once every listener has returned: tests (and operators at debug level) can tell "handled and
        // ignored" from "not handled yet".
        logger.debug('Slack request handled', describe(body));
      } catch (error) {
        if (res.headersSent) {
          logger.error('A Slack listener failed after acknowledging', describe(body), error);
          return;
        }
        acked = true;
        clearTimeout(timer);
        if (error instanceof AuthorizationError) {
          res.writeHead(401).end();
          return;
        }
        logger.error('Handling a Slack request failed', describe(body), error);
        res.writeHead(500).end();
      }
    },
  };
}

/** What identifies a request in the log, and nothing from its content. */
function describe(body: Record<string, unknown>): Record<string, unknown> {
  const event = body.event as { type?: unknown } | undefined;
  return {
    type: typeof body.type === 'string' ? body.type : typeof body.command === 'string' ? 'slash_command' : 'unknown',
    ...(typeof body.event_id === 'string' && { eventId: body.event_id }),
    ...(typeof event?.type === 'string' && { eventType: event.type }),
  };
}
