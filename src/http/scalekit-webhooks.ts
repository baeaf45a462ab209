import { z } from 'zod';
import type { ScalekitEvent } from '../connect/connection-health.ts';
import type { WebhookReceipts } from '../delivery/webhook-receipts.ts';
import type { Logger } from '../logger.ts';
import type { WebhookVerifier } from '../scalekit/webhook-verifier.ts';
import { type Route, readBody, sendText } from './server.ts';

export const SCALEKIT_WEBHOOK_PATH = '/scalekit/webhooks';
const MAX_BODY_BYTES = 256 * 1024;

const envelope = z.object({
  type: z.string(),
  data: z.object({ identifier: z.string().optional(), status: z.string().optional() }).loose().optional(),
});

/**
 * `POST /scalekit/webhooks`. The signature is checked on the raw bytes before anything parses them: forged, unsigned
 * or stale deliveries get 401 and change nothing. A delivery seen before (same `webhook-id`, which Scalekit keeps
 * when it retries) gets 200 and nothing more. The answer goes out before the work, which the lifecycle tracks.
 * Without a secret the bot cannot tell Scalekit from anyone, so the path does not exist (404).
 */
export function createScalekitWebhookRoute(deps: {
  verify: WebhookVerifier | undefined;
  receipts: Pick<WebhookReceipts, 'accept'>;
  onEvent: (event: ScalekitEvent) => Promise<void>;
  /** Tracks the work done after answering, so shutdown waits for it. */
  track: (work: Promise<void>) => void;
  logger: Logger;
  now: () => number;
}): Route {
  const { logger } = deps;
  return {
    method: 'POST',
    path: SCALEKIT_WEBHOOK_PATH,
    async handle(req, res) {
      const verify = deps.verify;
      if (!verify) return sendText(res, 404, 'Not found.');
      const raw = await readBody(req, MAX_BODY_BYTES);
      if (raw === undefined) return sendText(res, 413, 'Request body too large.');
      const text = raw.toString('utf8');
      const problem = verify(req.headers, text);
      if (problem !== undefined) {
        logger.warn('Refused a Scalekit webhook without a valid signature', { reason: problem });
        return sendText(res, 401, 'Unauthorized: not signed by Scalekit.');
      }
      let parsed: z.infer<typeof envelope>;
      try {
        parsed = envelope.parse(JSON.parse(text));
      } catch {
        return sendText(res, 400, 'Bad request: not a Scalekit event.');
      }
      // Verified, so the header is there.
      const webhookId = String(req.headers['webhook-id']);
      let first: boolean;
      try {
        first = await deps.receipts.accept(webhookId, deps.now());
      } catch (error) {
        // Not recorded, so not acted on: Scalekit delivers it again later.
        logger.error('Could not record a Scalekit webhook; asking for a redelivery', { webhookId }, error);
        return sendText(res, 503, 'Service unavailable: try again later.');
      }
      if (!first) {
        logger.debug('A Scalekit webhook delivered again; already handled', { webhookId });
        return sendText(res, 200, 'Already received.');
      }
      sendText(res, 200, 'OK');
      const event: ScalekitEvent = {
        type: parsed.type,
        identifier: parsed.data?.identifier,
        status: parsed.data?.status,
      };
      deps.track(
        deps
          .onEvent(event)
          .catch((error: unknown) => logger.error('Acting on a Scalekit webhook failed', { type: event.type }, error)),
      );
    },
  };
}
