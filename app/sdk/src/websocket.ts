/**
 * web3.js keeps a Connection's PubSub socket private (an rpc-websockets client, an event
 * emitter). Long-running services need two things from it, kept here in one place.
 */
import type { Connection } from "@solana/web3.js";

interface PubSubSocket {
  close(code?: number): void;
  on(event: "open", listener: () => void): void;
}

function socketOf(connection: Connection): PubSubSocket | undefined {
  return (connection as unknown as { _rpcWebSocket?: PubSubSocket })._rpcWebSocket;
}

/** Closes the PubSub socket (normal closure, so web3.js does not reconnect forever). */
export function closeWebSocket(connection: Connection): void {
  try {
    socketOf(connection)?.close(1000);
  } catch {
    // Not connected: nothing to close.
  }
}

/**
 * Calls `listener` each time the PubSub socket reconnects (not on its first connection):
 * notifications sent while it was down are lost, so state kept from them must be read again.
 */
export function onWebSocketReopen(connection: Connection, listener: () => void): void {
  let opened = 0;
  socketOf(connection)?.on("open", () => {
    if (opened++ > 0) listener();
  });
}
