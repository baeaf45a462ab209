import { ScalekitClient, WebhookVerificationError } from '@scalekit-sdk/node';

/** Checks one delivery's signature; the reason when it is not Scalekit's, or undefined when it is. */
export type WebhookVerifier = (
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
) => string | undefined;

/**
 * Scalekit signs webhooks the Standard Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature` over
 * `<id>.<timestamp>.<raw body>`, five minutes' tolerance); the SDK's `verifyWebhookPayload` checks it. It reads the
 * clock itself (Date.now), so a stale delivery is one older than five minutes of real time.
 */
export function createWebhookVerifier(options: {
  environmentUrl: string;
  clientId: string;
  clientSecret: string;
  /** `whsec_…` from the webhook's page in Scalekit's dashboard. */
  secret: string;
}): WebhookVerifier {
  // Making the client opens no connection; only verifyWebhookPayload is used, which is pure.
  const client = new ScalekitClient(options.environmentUrl, options.clientId, options.clientSecret);
  return (headers, rawBody) => {
    const one = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value.join(' ') : (value ?? '');
    };
    try {
      const signed = {
        'webhook-id': one('webhook-id'),
        'webhook-timestamp': one('webhook-timestamp'),
        'webhook-signature': one('webhook-signature'),
      };
      return client.verifyWebhookPayload(options.secret, signed, rawBody) ? undefined : 'invalid signature';
    } catch (error) {
      if (error instanceof WebhookVerificationError) return error.message;
      throw error;
    }
  };
}
