import type { Db } from '../db/database.ts';

/** Which of Scalekit's webhook deliveries the bot has taken on, so a redelivery (same `webhook-id`) does nothing. */
export interface WebhookReceipts {
  /** Records the delivery; false if it was received before. */
  accept(webhookId: string, now: number): boolean;
  /** Forgets deliveries received before `before`; returns how many. */
  prune(before: number): number;
}

export function createSqliteWebhookReceipts(db: Db): WebhookReceipts {
  const insert = db.prepare(
    'INSERT INTO scalekit_webhooks (id, received_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING',
  );
  const prune = db.prepare('DELETE FROM scalekit_webhooks WHERE received_at < ?');
  return {
    accept: (webhookId, now) => insert.run(webhookId, now).changes === 1,
    prune: (before) => prune.run(before).changes,
  };
}
