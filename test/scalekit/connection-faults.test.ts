import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScalekitUnavailableError } from '../../src/errors.ts';
import type { ScalekitIdentifier } from '../../src/identity/identity-store.ts';
import { createScalekitGateway, type ScalekitGateway } from '../../src/scalekit/scalekit-gateway.ts';
import { type ScalekitEmulator, startScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';

// The gateway through the real SDK (gRPC over HTTP/2) against the emulator, with the connection attacked in each of
// the ways a restarting Scalekit or a load balancer in front of it attacks it. Each call either gets its answer or
// fails with our own clear error; nothing runs twice; the next call works.

/** Tools run only with an identifier the identity map resolved; this test stands in for it. */
const IDENTIFIER = 'u_faults' as ScalekitIdentifier;
const NOTE = { contact_id: '6650a1b2c3d4e5f600000001', body: 'Called about the login bug.' };

let scalekit: ScalekitEmulator;
let gateway: ScalekitGateway;
beforeEach(async () => {
  scalekit = await startScalekitEmulator();
  scalekit.connectAccount(IDENTIFIER);
  gateway = createScalekitGateway({
    environmentUrl: scalekit.url,
    clientId: scalekit.clientId,
    clientSecret: scalekit.clientSecret,
    connectionName: 'intercom',
    timeoutMs: 1000,
    toolTimeoutMs: 1000,
  });
  // A first call opens the connection that the faults then hit.
  expect((await gateway.accountStatus(IDENTIFIER))?.active).toBe(true);
});
afterEach(async () => {
  await scalekit.close();
});

/** A note written by a tool run that the emulator holds until the test releases it. */
function heldNote() {
  const hold = scalekit.faults.hold('ExecuteTool');
  const running = gateway.executeTool({
    identifier: IDENTIFIER,
    toolName: 'intercom_create_contact_note',
    input: NOTE,
  });
  return { hold, running };
}

const notes = () =>
  scalekit.callsOf('ExecuteTool').filter((c) => c.request.toolName === 'intercom_create_contact_note' && !c.error);

describe('Scalekit connection faults', () => {
  it('GOAWAY on an idle connection: the next call reconnects and is answered, every time', async () => {
    for (let round = 0; round < 10; round++) {
      await scalekit.faults.goAway();
      expect((await gateway.accountStatus(IDENTIFIER))?.active).toBe(true);
      scalekit.faults.closeDrained();
    }
    expect(scalekit.faults.connectionsOpened).toBe(11);
  });

  it('a load balancer that drops every connection once idle: calls racing its GOAWAY are sent again, and answered', async () => {
    scalekit.faults.goAwayWhenIdle = true;
    const worker = async () => {
      for (let i = 0; i < 15; i++) {
        expect((await gateway.listTools(IDENTIFIER)).length).toBeGreaterThan(0);
        scalekit.faults.closeDrained();
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(scalekit.faults.connectionsOpened).toBeGreaterThan(5);
  });

  it('a restarted Scalekit (tokens forgotten, GOAWAY as the new token goes out): answered, every time', async () => {
    for (let round = 0; round < 10; round++) {
      scalekit.faults.restart();
      expect((await gateway.accountStatus(IDENTIFIER))?.active).toBe(true);
      scalekit.faults.closeDrained();
    }
  });

  it('GOAWAY with a tool call open: the call finishes on the old connection, once; the next uses a new one', async () => {
    const { hold, running } = heldNote();
    await hold.waitForHeld();
    await scalekit.faults.goAway();
    hold.release();
    await expect(running).resolves.toMatchObject({ executionId: expect.any(String) });
    expect((await gateway.accountStatus(IDENTIFIER))?.active).toBe(true);
    expect(notes()).toHaveLength(1);
    expect(scalekit.faults.connectionsOpened).toBe(2);
  });

  it('the socket dropped under a tool call: a clear error, nothing carried out, and the next call works', async () => {
    const { hold, running } = heldNote();
    const outcome = running.then(
      () => 'answered',
      (error: unknown) => error,
    );
    await hold.waitForHeld();
    scalekit.faults.dropConnections();
    // Intercom may or may not have been reached when a connection dies mid-call: it is never sent again.
    expect(await outcome).toBeInstanceOf(ScalekitUnavailableError);
    hold.release();
    await vi.waitFor(() => expect(scalekit.callsOf('ExecuteTool')[0]?.error).toBeDefined());
    expect(notes()).toHaveLength(0);
    expect(scalekit.callsOf('ExecuteTool')).toHaveLength(1);
    expect((await gateway.accountStatus(IDENTIFIER))?.active).toBe(true);
  });

  it('the socket dropped while idle: the next call reconnects and is answered', async () => {
    scalekit.faults.dropConnections();
    expect((await gateway.accountStatus(IDENTIFIER))?.active).toBe(true);
    expect(scalekit.faults.connectionsOpened).toBe(2);
  });

  it('the port refusing connections for two seconds, then back: the call made meanwhile is answered', async () => {
    await scalekit.faults.refuseConnections();
    const listed = gateway.listTools(IDENTIFIER);
    // The outage's length is the scenario, not a wait for something: the SDK retries a refused connection with
    // backoff (0.5-1 s, then 1-2 s, then 2-4 s), so a Scalekit back within two seconds answers the call.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await scalekit.faults.acceptConnections();
    expect((await listed).length).toBeGreaterThan(0);
  });

  it('an RPC that never answers: a clear error when the timeout ends it, and the next call works', async () => {
    scalekit.faults.hangNext('ListConnectedAccounts');
    await expect(gateway.accountStatus(IDENTIFIER)).rejects.toBeInstanceOf(ScalekitUnavailableError);
    expect((await gateway.accountStatus(IDENTIFIER))?.active).toBe(true);
  });
});
