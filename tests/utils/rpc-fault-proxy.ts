/**
 * A JSON-RPC HTTP proxy in front of the local validator that can fail chosen calls on demand:
 * answer 503 without forwarding (the node is down for that call; a batch holding it is answered
 * 503 whole), forward and then answer 503 (the reply is lost), swallow a `sendTransaction` (the
 * packet is lost on the way, the client is told its signature), or forward and answer `null` (a
 * node that does not have it yet, as `getTransaction` answers on a real cluster right after a
 * landing); and cut every connection while `outage` is on (the node unreachable). It injects
 * network faults; the chain behind it is the real one.
 */
import { EventEmitter } from "events";
import { createServer, type IncomingMessage, type Server } from "http";
import type { AddressInfo } from "net";

import { utils } from "@anchor-lang/core";

export type Fault = "unavailable" | "lose-reply" | "drop" | "null-result";

interface RpcRequest {
  id: number | string;
  method: string;
  params?: unknown[];
}

export class RpcFaultProxy extends EventEmitter {
  private readonly faults = new Map<string, Fault[]>();
  private server?: Server;
  url = "";
  /** While on, every connection is cut before an answer: the node cannot be reached. */
  outage = false;

  constructor(private readonly upstream: string) {
    super();
  }

  /** The next call of `method` meets `fault`. */
  failNext(method: string, fault: Fault): void {
    this.faults.set(method, [...(this.faults.get(method) ?? []), fault]);
  }

  /** Drops the pending faults of `method`. */
  clearFaults(method: string): void {
    this.faults.delete(method);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (this.outage) {
        this.emit("fault", "*", "outage");
        req.socket.destroy();
        return;
      }
      void this.handle(req).then(({ status, body }) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const request = JSON.parse(raw) as RpcRequest | RpcRequest[];
    const single = Array.isArray(request) ? undefined : request;
    // A batch meets an outage of any method it holds: the whole request is answered 503.
    const batchOutage = Array.isArray(request)
      ? request.find((r) => this.faults.get(r.method)?.[0] === "unavailable")
      : undefined;
    if (batchOutage) {
      this.faults.get(batchOutage.method)!.shift();
      this.emit("fault", batchOutage.method, "unavailable");
      return { status: 503, body: JSON.stringify({ error: "injected outage" }) };
    }
    const fault = single ? this.faults.get(single.method)?.shift() : undefined;
    if (single && fault === "unavailable") {
      this.emit("fault", single.method, fault);
      return { status: 503, body: JSON.stringify({ error: "injected outage" }) };
    }
    if (single && fault === "lose-reply") {
      await this.forward(raw);
      this.emit("fault", single.method, fault);
      return { status: 503, body: JSON.stringify({ error: "injected lost reply" }) };
    }
    if (single && fault === "null-result") {
      await this.forward(raw);
      this.emit("fault", single.method, fault);
      return {
        status: 200,
        body: JSON.stringify({ jsonrpc: "2.0", id: single.id, result: null }),
      };
    }
    if (single && fault === "drop") {
      // The client gets the signature it expects; the validator never sees the transaction.
      const wire = Buffer.from(String(single.params?.[0]), "base64");
      const signature = utils.bytes.bs58.encode(wire.subarray(1, 65));
      this.emit("fault", single.method, fault, signature);
      return {
        status: 200,
        body: JSON.stringify({ jsonrpc: "2.0", id: single.id, result: signature }),
      };
    }
    return this.forward(raw);
  }

  private async forward(raw: string): Promise<{ status: number; body: string }> {
    const answer = await fetch(this.upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: raw,
    });
    return { status: answer.status, body: await answer.text() };
  }
}
