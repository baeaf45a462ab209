import type { Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * Slack's Socket Mode end: apps.connections.open hands out `${origin}/link`, the bot connects there, gets `hello`
 * (unless turned off) and acks every envelope it is sent.
 */
export function createSocketMode(server: Server, options: { hello: () => boolean; onConnect: () => void }) {
  const wss = new WebSocketServer({ server, path: '/link' });
  const pendingAcks = new Map<string, (payload: unknown) => void>();
  let openSocket: WebSocket | undefined;
  let envelopeCounter = 0;
  let connections = 0;

  wss.on('connection', (ws) => {
    openSocket = ws;
    connections += 1;
    ws.once('close', () => {
      if (openSocket === ws) openSocket = undefined;
    });
    if (options.hello()) {
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0001' } }));
    }
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (frame.envelope_id) pendingAcks.get(frame.envelope_id)?.(frame.payload ?? {});
    });
    options.onConnect();
  });

  return {
    socket: () => openSocket,
    connections: () => connections,
    /** Cuts the open WebSocket without a close frame, as a network drop does. */
    drop(): void {
      openSocket?.terminate();
      openSocket = undefined;
    },
    /** Sends an envelope on `ws` and resolves with the bot's ack frame. */
    send(ws: WebSocket, type: 'events_api' | 'slash_commands' | 'interactive', payload: unknown): Promise<unknown> {
      const envelopeId = `env-${++envelopeCounter}`;
      const acked = new Promise<unknown>((resolve) => pendingAcks.set(envelopeId, resolve));
      ws.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          accepts_response_payload: type !== 'events_api',
          retry_attempt: 0,
          retry_reason: '',
          payload,
        }),
      );
      return acked;
    },
    close(): void {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
