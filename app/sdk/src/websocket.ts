/**
 * web3.js keeps a Connection's PubSub socket private (an rpc-websockets client, an event
 * emitter). Long-running services need two things from it, kept here in one place.
 */
import type { Connection } from "@solana/web3.js";

interface PubSubSocket {
  close(code?: number): void;
  setAutoReconnect(reconnect: boolean): void;
  on(event: "open" | "close", listener: () => void): void;
}

function socketOf(connection: Connection): PubSubSocket | undefined {
  return (connection as unknown as { _rpcWebSocket?: PubSubSocket })._rpcWebSocket;
}

/**
 * Closes the PubSub socket for good. Reconnecting is turned off first: rpc-websockets reconnects
 * (forever, as web3.js sets it) after any close whose code is not 1000, which is what a closing
 * handshake cut short by the peer or the network gives.
 */
export function closeWebSocket(connection: Connection): void {
  const socket = socketOf(connection);
  socket?.setAutoReconnect(false);
  try {
    socket?.close(1000);
  } catch {
    // Not connected: nothing to close.
  }
}

/**
 * Calls `listener` each time the PubSub socket opens again after a close: notifications sent
 * while it was down are lost, so state kept from them must be read again. Counted from a close
 * rather than from the opens seen, as the socket is usually open already when this is called.
 */
export function onWebSocketReopen(connection: Connection, listener: () => void): void {
  let closed = false;
  const socket = socketOf(connection);
  socket?.on("close", () => (closed = true));
  socket?.on("open", () => {
    if (!closed) return;
    closed = false;
    listener();
  });
}
