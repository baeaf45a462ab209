import { createHmac, randomBytes } from 'node:crypto';

export type WebhookType = 'connected_account.status_updated' | 'connected_account.token_refresh_failed';

export interface WebhookDelivery {
  /** The same id on a redelivery, as Scalekit keeps it. */
  id: string;
  /** Unix seconds the delivery claims; a stale one is older than five minutes. */
  timestampSec: number;
  body: string;
}

export interface SendWebhookOptions {
  /** Deliver this exact delivery again (a retry or a replay). */
  again?: WebhookDelivery;
  timestampSec?: number;
  /** 'forged': signed with another key; 'unsigned': no signature header; 'altered': the body changed after signing. */
  tamper?: 'forged' | 'unsigned' | 'altered';
}

/** A new signing secret in Scalekit's format: `whsec_` and the base64 of the key. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** Standard Webhooks: `v1,` and the base64 HMAC-SHA256 of `<id>.<timestamp>.<body>` under the decoded key. */
export function signWebhook(secret: string, delivery: WebhookDelivery): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', key).update(`${delivery.id}.${delivery.timestampSec}.${delivery.body}`);
  return `v1,${mac.digest('base64')}`;
}

/** A connected-account event as Scalekit sends it (the fields the stand-in knows; the bot reads few of them). */
export function connectedAccountEvent(
  type: WebhookType,
  account: { id: string; identifier: string; connector: string; status: string; oldStatus?: string },
  at: Date,
): Record<string, unknown> {
  return {
    spec_version: '1',
    id: `evt_${randomBytes(10).toString('hex')}`,
    type,
    occurred_at: at.toISOString(),
    object: 'ConnectedAccount',
    data: {
      id: account.id,
      identifier: account.identifier,
      connector: account.connector,
      status: account.status,
      ...(account.oldStatus !== undefined && { old_status: account.oldStatus }),
    },
  };
}

/** POSTs one signed delivery to `url`; resolves with the delivery (to send again) and the bot's answer. */
export async function deliverWebhook(params: {
  url: string;
  secret: string;
  event: Record<string, unknown>;
  options?: SendWebhookOptions;
}): Promise<{ delivery: WebhookDelivery; status: number }> {
  const { options = {} } = params;
  const delivery = options.again ?? {
    id: `msg_${randomBytes(12).toString('hex')}`,
    // Wall-clock time, whatever clock the stand-in runs on: the SDK checks the timestamp against Date.now.
    timestampSec: options.timestampSec ?? Math.floor(Date.now() / 1000),
    body: JSON.stringify(params.event),
  };
  const secret = options.tamper === 'forged' ? newWebhookSecret() : params.secret;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'webhook-id': delivery.id,
    'webhook-timestamp': String(delivery.timestampSec),
  };
  if (options.tamper !== 'unsigned') headers['webhook-signature'] = signWebhook(secret, delivery);
  const body =
    options.tamper === 'altered' ? delivery.body.replace(/"status":"[A-Z_]+"/, '"status":"EXPIRED"') : delivery.body;
  const response = await fetch(params.url, { method: 'POST', headers, body });
  await response.arrayBuffer();
  return { delivery, status: response.status };
}
