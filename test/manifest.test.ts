import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

type Manifest = webApi.AppsManifestCreateArguments['manifest'];
const manifest = parse(readFileSync(resolve(import.meta.dirname, '../manifest.yml'), 'utf8')) as Manifest;
const source = (path: string) => readFileSync(resolve(import.meta.dirname, '../src', path), 'utf8');

describe('manifest.yml', () => {
  const events = manifest.settings?.event_subscriptions?.bot_events ?? [];
  const scopes = manifest.oauth_config?.scopes?.bot ?? [];

  it('subscribes to every event the listeners handle, with the scope each needs', () => {
    const listened = [
      ...source('slack/message-listeners.ts').matchAll(/app\.event\('([a-z_]+)'/g),
      ...source('slack/agent-listeners.ts').matchAll(/app\.event\('([a-z_]+)'/g),
      ...source('slack/listeners.ts').matchAll(/app\.event\('([a-z_]+)'/g),
      ...source('slack/unfurl-listeners.ts').matchAll(/app\.event\('([a-z_]+)'/g),
      ...source('slack/lifecycle-listeners.ts').matchAll(/app\.event\('([a-z_]+)'/g),
    ].map((m) => m[1]);
    expect(listened.length).toBeGreaterThan(2);
    for (const event of listened) expect(events).toContain(event);
    const needs: Record<string, string> = {
      app_mention: 'app_mentions:read',
      'message.channels': 'channels:history',
      'message.groups': 'groups:history',
      'message.im': 'im:history',
      'message.mpim': 'mpim:history',
      link_shared: 'links:read',
      entity_details_requested: 'links:write',
      user_change: 'users:read',
    };
    for (const [event, scope] of Object.entries(needs)) {
      expect(events).toContain(event);
      expect(scopes).toContain(scope);
    }
    // Lifecycle events every app receives, without a scope.
    for (const event of ['tokens_revoked', 'app_uninstalled']) expect(events).toContain(event);
  });

  it('declares the agent surface within Slack’s limits', () => {
    const agent = manifest.features?.agent_view;
    expect(agent?.agent_description?.length).toBeLessThanOrEqual(300);
    expect(agent?.suggested_prompts?.length).toBeGreaterThan(0);
    expect(agent?.suggested_prompts?.length).toBeLessThanOrEqual(4);
    expect(scopes).toContain('assistant:write');
    expect(scopes).toContain('chat:write');
    expect(manifest.features?.app_home?.messages_tab_enabled).toBe(true);
  });

  it('unfurls Intercom links on every regional app host (Slack allows five domains)', () => {
    const domains = (manifest.features as { unfurl_domains?: string[] } | undefined)?.unfurl_domains ?? [];
    expect(domains).toEqual(['app.intercom.com', 'app.eu.intercom.com', 'app.au.intercom.com']);
    expect(domains.length).toBeLessThanOrEqual(5);
    expect(scopes).toContain('links:write');
  });

  it('names the slash command the bot answers and sends every request to /slack/events', () => {
    expect(manifest.features?.slash_commands?.map((c) => c.command)).toEqual(['/connect-intercom']);
    expect(manifest.settings?.interactivity?.is_enabled).toBe(true);
    expect(manifest.settings?.event_subscriptions?.request_url).toMatch(/\/slack\/events$/);
  });
});
