/**
 * web3.js keeps a Connection's PubSub socket private (an rpc-websockets client, an event
 * emitter). Long-running services need two things from it, kept here in one place.
 */
import type { Connection } from "@solana/web3.js";

interface PubSubSocket {
  close(code?: number): void;
  setAutoReconnect(reconnect: boolean): void;
  on(event: "open" | "close", listener: () => void): void;
  call(method: string, ...rest: unknown[]): Promise<unknown>;
  /** The `ws` socket under the JSON-RPC client (web3.js's `RpcWebSocketClient`). */
  underlyingSocket?: { readyState: number };
}

/** `WebSocket.OPEN`. */
const OPEN = 1;
const guarded = new WeakSet<Connection>();

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
 * Keeps web3.js 1.x from spinning when its socket is closing (solana-web3.js#3761): a call on a
 * socket that is not open is rejected at once, and web3.js retries an unsubscribe (or a
 * subscribe) at once while the socket's `close` event has not fired yet, on the microtask queue,
 * so the event never fires: millions of `accountUnsubscribe error … readyState was 2` lines. A
 * subscription dies with its socket, so here an unsubscribe on a socket that is not open answers
 * `true`, and any other call is refused on the next turn of the event loop, letting the close
 * event through. Safe to call more than once.
 */
export function guardSubscriptionCalls(connection: Connection): Connection {
  const socket = socketOf(connection);
  if (!socket || guarded.has(connection)) return connection;
  guarded.add(connection);
  const call = socket.call.bind(socket);
  socket.call = (method, ...rest) => {
    if (socket.underlyingSocket?.readyState === OPEN) return call(method, ...rest);
    if (method.endsWith("Unsubscribe")) return Promise.resolve(true);
    return new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`${method}: the websocket is not open`)), 0),
    );
  };
  return connection;
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
