import type { Sql } from '../db/sql.ts';

/** Which of Scalekit's webhook deliveries the bot has taken on, so a redelivery (same `webhook-id`) does nothing. */
export interface WebhookReceipts {
  /** Records the delivery; false if it was received before. */
  accept(webhookId: string, now: number): Promise<boolean>;
  /** Forgets deliveries received before `before`; returns how many. */
  prune(before: number): Promise<number>;
}

const SQL = {
  insert: 'INSERT INTO scalekit_webhooks (id, received_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING',
  prune: 'DELETE FROM scalekit_webhooks WHERE received_at < ?',
} as const;

export function createWebhookReceipts(sql: Sql): WebhookReceipts {
  return {
    accept: async (webhookId, now) => (await sql.run(SQL.insert, [webhookId, now])) === 1,
    prune: (before) => sql.run(SQL.prune, [before]),
  };
}
