/**
 * A relay in front of the local validator's PubSub websocket that can lose chosen messages on
 * their way to the client, as a congested or flaky link does: the client's frames pass as they
 * are; the node's frames (unmasked, RFC 6455) are read one by one and a text frame matching a
 * rule is not delivered. It can also cut the link (every connection dropped without a closing
 * handshake, as a network failure does) and refuse new ones until restored. The node and its
 * notifications are the real ones.
 */
import { EventEmitter } from "events";
import { createConnection, createServer, type Server, type Socket } from "net";
import type { AddressInfo } from "net";

import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { type ApiServer, type ApiServerOptions, startApiServer } from "../../app/server/src";

const TEXT = 0x1;

export class WsFaultProxy extends EventEmitter {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private rules: { matches: (text: string) => boolean; times: number }[] = [];
  private down = false;
  url = "";
  /** Connections the relay has accepted and passed on to the node. */
  connections = 0;

  constructor(private readonly upstream: string) {
    super();
  }

  /** The next `times` messages from the node that `matches` accepts are lost. */
  loseNext(matches: (text: string) => boolean, times = 1): void {
    this.rules.push({ matches, times });
  }

  async start(): Promise<void> {
    const { hostname, port } = new URL(this.upstream);
    this.server = createServer((client) => {
      if (this.down) {
        // Refused mid-handshake: the client sees an abnormal close (1006) and tries again.
        client.destroy();
        return;
      }
      this.connections++;
      const node = createConnection({ host: hostname, port: Number(port) });
      this.sockets.add(client).add(node);
      client.pipe(node);
      let pending = Buffer.alloc(0);
      let upgraded = false;
      node.on("data", (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        if (!upgraded) {
          const end = pending.indexOf("\r\n\r\n");
          if (end < 0) return;
          client.write(pending.subarray(0, end + 4));
          pending = pending.subarray(end + 4);
          upgraded = true;
        }
        for (;;) {
          const frame = this.nextFrame(pending);
          if (!frame) break;
          pending = pending.subarray(frame.length);
          if (!this.lose(frame)) client.write(frame.bytes);
        }
      });
      const close = () => {
        client.destroy();
        node.destroy();
        this.sockets.delete(client);
        this.sockets.delete(node);
      };
      client.on("close", close).on("error", close);
      node.on("close", close).on("error", close);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Drops every connection without a close frame and refuses new ones until `restore`. */
  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
  }

  /** Accepts connections again (a client reconnecting gets through). */
  restore(): void {
    this.down = false;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** One whole frame at the start of `buffer` (header, length, payload), or none yet. */
  private nextFrame(buffer: Buffer): { bytes: Buffer; length: number; text?: string } | null {
    if (buffer.length < 2) return null;
    const opcode = buffer[0] & 0x0f;
    const final = (buffer[0] & 0x80) !== 0;
    const masked = (buffer[1] & 0x80) !== 0;
    let size = buffer[1] & 0x7f;
    let offset = 2;
    if (size === 126) {
      if (buffer.length < 4) return null;
      size = buffer.readUInt16BE(2);
      offset = 4;
    } else if (size === 127) {
      if (buffer.length < 10) return null;
      size = Number(buffer.readBigUInt64BE(2));
      offset = 10;
    }
    const payloadAt = offset + (masked ? 4 : 0);
    const length = payloadAt + size;
    if (buffer.length < length) return null;
    const bytes = buffer.subarray(0, length);
    // Only whole, unmasked text messages are candidates to lose (a node's JSON-RPC answers).
    const text =
      opcode === TEXT && final && !masked
        ? buffer.subarray(payloadAt, length).toString("utf8")
        : undefined;
    return { bytes, length, text };
  }

  private lose(frame: { text?: string }): boolean {
    if (frame.text === undefined) return false;
    const rule = this.rules.find((r) => r.times > 0 && r.matches(frame.text!));
    if (!rule) return false;
    rule.times--;
    this.rules = this.rules.filter((r) => r.times > 0);
    this.emit("lost", frame.text);
    return true;
  }
}

export interface RelayedApi {
  economy: LocalEconomy;
  proxy: WsFaultProxy;
  api: ApiServer;
  /** Stops the API, the relay and the economy (whatever of them started). */
  stop(): Promise<void>;
}

/** A local economy and an API whose websocket goes through a relay the test can fault. */
export async function startRelayedApi(
  options: Omit<ApiServerOptions, "rpcUrl" | "wsUrl">,
): Promise<RelayedApi> {
  const economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
  const proxy = new WsFaultProxy(economy.validator.wsUrl);
  let api: ApiServer | undefined;
  const stop = async () => {
    await api?.close();
    await proxy.stop();
    await economy.stop();
  };
  try {
    await proxy.start();
    api = await startApiServer({ rpcUrl: economy.validator.rpcUrl, wsUrl: proxy.url, ...options });
    await api.ready;
  } catch (err) {
    await stop();
    throw err;
  }
  return { economy, proxy, api, stop };
}
