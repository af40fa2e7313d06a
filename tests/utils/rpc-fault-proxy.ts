/**
 * A JSON-RPC HTTP proxy in front of the local validator that can fail chosen calls on demand:
 * answer 503 without forwarding (the node is down for that call; a batch holding it is answered
 * 503 whole), answer 429 without forwarding (the client is over its quota), forward and then answer 503 (the reply is lost), swallow a `sendTransaction` (the
 * packet is lost on the way, the client is told its signature), or forward and answer `null` (a
 * node that does not have it yet, as `getTransaction` answers on a real cluster right after a
 * landing); and cut every connection while `outage` is on (the node unreachable). It injects
 * network faults; the chain behind it is the real one.
 *
 * It also answers as a real cluster's nodes do where the local validator, one node on which
 * everything is final at once, never would (`node`):
 * - a node that does not know a signature (a node with shorter history: `forget`,
 *   `historyFrom`): an empty page for it as `before`, a listing back to its own oldest block
 *   for it as `until` (agave's answers), no status, no transaction;
 * - another node behind the same URL that lacks a signature the first one listed
 *   (`lackElsewhere`): the listing shows it, but named as `before` or `until` it is unknown, as
 *   is its status;
 * - a fork that drops a confirmed transaction (`drop`): listed no more, no status, no
 *   transaction, not in its block;
 * - finality that lags (`holdFinality`): at `finalized`, slots after the held one do not exist
 *   yet (not listed, no transaction or block, `getSlot` answers the held slot), and statuses
 *   there are `confirmed`;
 * - a lagging listing (`delayListing`): signatures after a slot are not listed yet, at any
 *   commitment, while the websocket (another host) has already notified them;
 * - a transaction it has not got (`withholdTransaction`): `getTransaction` answers null;
 * - a slot's signatures listed in another order than the block's (`reverseWithinSlots`);
 * - `getProgramAccounts` refused for a program, or its answer capped (`refuseProgramAccounts`,
 *   `capProgramAccounts`), as public and many paid endpoints do;
 * - calls held until released (`hold`), and every call counted by method (`calls`).
 * Listings are filtered from the validator's real pages, reading further pages when filtering
 * leaves one short (so a page is as full as the node would make it).
 */
import { EventEmitter } from "events";
import { createServer, type IncomingMessage, type Server } from "http";
import type { AddressInfo } from "net";

import { utils } from "@anchor-lang/core";

export type Fault = "unavailable" | "lose-reply" | "drop" | "null-result" | "rate-limited";

interface RpcRequest {
  jsonrpc: "2.0";
  id: number | string;
  method: string;
  params?: unknown[];
}

interface RpcResponse {
  jsonrpc: "2.0";
  id: number | string;
  result?: unknown;
  error?: { code: number; message: string };
}

interface ListingEntry {
  signature: string;
  slot: number;
  err: unknown;
}

interface ListingConfig {
  before?: string;
  until?: string;
  limit?: number;
  commitment?: string;
}

/** What the node the proxy plays does not know, has not got yet, or shows differently. */
class NodeView {
  readonly forgotten = new Set<string>();
  /** Listed, but unknown when named in a request (answered by another node). */
  readonly lacking = new Set<string>();
  readonly dropped = new Set<string>();
  readonly withheld = new Set<string>();
  readonly programAccounts = new Map<string, { refused: true } | { cap: number }>();
  /** The node's oldest block: older history is unknown to it. */
  historyFrom?: number;
  /** The newest slot the node holds as finalized. */
  finalized?: number;
  /** The newest slot the node lists. */
  listedUpTo?: number;
  reverseWithinSlots = false;

  /** Whether the node holds this signature at `slot`, at `commitment`. */
  holds(signature: string, slot: number, commitment?: string): boolean {
    if (this.forgotten.has(signature) || this.dropped.has(signature)) return false;
    if (this.historyFrom !== undefined && slot < this.historyFrom) return false;
    return !(commitment === "finalized" && this.finalized !== undefined && slot > this.finalized);
  }

  /** Whether a request naming this signature is answered as by a node that knows it. */
  knows(signature: string, slot: number, commitment?: string): boolean {
    return !this.lacking.has(signature) && this.holds(signature, slot, commitment);
  }

  lists(entry: ListingEntry, commitment?: string): boolean {
    if (!this.holds(entry.signature, entry.slot, commitment)) return false;
    return this.listedUpTo === undefined || entry.slot <= this.listedUpTo;
  }
}

export class RpcFaultProxy extends EventEmitter {
  private readonly faults = new Map<string, Fault[]>();
  private readonly held = new Map<string, { released: Promise<void>; release: () => void }>();
  private server?: Server;
  url = "";
  /** While on, every connection is cut before an answer: the node cannot be reached. */
  outage = false;
  /** Calls answered by method (each call of a batch counts). */
  readonly calls = new Map<string, number>();
  /** How the node behind the proxy differs from the local validator (see the file's comment). */
  readonly node = new NodeView();

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

  /** The node does not know `signature` (until `remember`). */
  forget(signature: string): void {
    this.node.forgotten.add(signature);
  }

  /** Another node behind the URL lacks `signature` (until `remember`). */
  lackElsewhere(signature: string): void {
    this.node.lacking.add(signature);
  }

  remember(signature: string): void {
    this.node.forgotten.delete(signature);
    this.node.lacking.delete(signature);
  }

  /** The node's history starts at `slot` (undefined: it has all of it). */
  historyFrom(slot: number | undefined): void {
    this.node.historyFrom = slot;
  }

  /** A fork dropped `signature`: as far as the node is concerned it never happened. */
  drop(signature: string): void {
    this.node.dropped.add(signature);
  }

  /** At `finalized`, nothing after `slot` exists yet (undefined: final at once again). */
  holdFinality(slot: number | undefined): void {
    this.node.finalized = slot;
  }

  /** Nothing after `slot` is listed yet (undefined: listed at once again). */
  delayListing(slot: number | undefined): void {
    this.node.listedUpTo = slot;
  }

  /** `getTransaction` answers null for `signature` (until `releaseTransaction`). */
  withholdTransaction(signature: string): void {
    this.node.withheld.add(signature);
  }

  releaseTransaction(signature: string): void {
    this.node.withheld.delete(signature);
  }

  /** Lists each slot's signatures in reverse of the validator's (the block's) order. */
  reverseWithinSlots(on: boolean): void {
    this.node.reverseWithinSlots = on;
  }

  /** `getProgramAccounts` for `programId` answers agave's error for a key it will not scan. */
  refuseProgramAccounts(programId: string): void {
    this.node.programAccounts.set(programId, { refused: true });
  }

  /** `getProgramAccounts` for `programId` answers at most `cap` accounts. */
  capProgramAccounts(programId: string, cap: number): void {
    this.node.programAccounts.set(programId, { cap });
  }

  /** Calls of `method` wait (unanswered) until `release(method)`. */
  hold(method: string): void {
    if (this.held.has(method)) return;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.held.set(method, { released, release });
  }

  release(method: string): void {
    this.held.get(method)?.release();
    this.held.delete(method);
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
    for (const method of [...this.held.keys()]) this.release(method);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const request = JSON.parse(raw) as RpcRequest | RpcRequest[];
    const requests = Array.isArray(request) ? request : [request];
    for (const r of requests) this.calls.set(r.method, (this.calls.get(r.method) ?? 0) + 1);
    for (const r of requests) await this.held.get(r.method)?.released;
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
    if (single && fault === "rate-limited") {
      // As public endpoints refuse a client over its quota, without forwarding.
      this.emit("fault", single.method, fault);
      return { status: 429, body: JSON.stringify({ error: "injected rate limit" }) };
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
    const answered = await Promise.all(requests.map((r) => this.answer(r)));
    if (answered.every((a) => a === undefined)) return this.forward(raw);
    // Calls the node view changes are answered here; the others are forwarded as they are.
    const answers = await Promise.all(
      requests.map(async (r, i) => answered[i] ?? (await this.forwardOne(r))),
    );
    return { status: 200, body: JSON.stringify(single ? answers[0] : answers) };
  }

  /** The node view's answer to `request`, or undefined to forward it unchanged. */
  private async answer(request: RpcRequest): Promise<RpcResponse | undefined> {
    const { node } = this;
    const params = request.params ?? [];
    const reply = (result: unknown): RpcResponse => ({ jsonrpc: "2.0", id: request.id, result });
    switch (request.method) {
      case "getSignaturesForAddress": {
        const config = (params[1] ?? {}) as ListingConfig;
        if (!this.viewChangesListings()) return undefined;
        return reply(await this.listing(String(params[0]), config));
      }
      case "getTransaction": {
        if (!this.viewChangesTransactions()) return undefined;
        const signature = String(params[0]);
        const config = (params[1] ?? {}) as { commitment?: string };
        if (node.withheld.has(signature)) return reply(null);
        const answer = await this.forwardOne(request);
        const tx = answer.result as { slot: number } | null | undefined;
        if (tx && !node.knows(signature, tx.slot, config.commitment)) return reply(null);
        return answer;
      }
      case "getSignatureStatuses": {
        if (!this.viewChangesTransactions()) return undefined;
        const answer = await this.forwardOne(request);
        const result = answer.result as {
          context: unknown;
          value: ({ slot: number; confirmationStatus: string } | null)[];
        };
        if (!result) return answer;
        const signatures = params[0] as string[];
        result.value = result.value.map((status, i) => {
          if (!status || !node.knows(signatures[i], status.slot)) return null;
          const final = node.finalized === undefined || status.slot <= node.finalized;
          return { ...status, confirmationStatus: final ? "finalized" : "confirmed" };
        });
        return answer;
      }
      case "getBlock": {
        const slot = Number(params[0]);
        const config = (params[1] ?? {}) as { commitment?: string };
        const notFinal =
          config.commitment === "finalized" &&
          node.finalized !== undefined &&
          slot > node.finalized;
        if (notFinal || (node.historyFrom !== undefined && slot < node.historyFrom)) {
          return {
            jsonrpc: "2.0",
            id: request.id,
            error: { code: -32004, message: `Block not available for slot ${slot}` },
          };
        }
        if (node.dropped.size === 0) return undefined;
        const answer = await this.forwardOne(request);
        const block = answer.result as { signatures?: string[] } | null;
        if (block?.signatures) {
          block.signatures = block.signatures.filter((s) => !node.dropped.has(s));
        }
        return answer;
      }
      case "getSlot": {
        const config = (params[0] ?? {}) as { commitment?: string };
        if (config.commitment !== "finalized" || node.finalized === undefined) return undefined;
        return reply(node.finalized);
      }
      case "getProgramAccounts": {
        const rule = node.programAccounts.get(String(params[0]));
        if (!rule) return undefined;
        if ("refused" in rule) {
          return {
            jsonrpc: "2.0",
            id: request.id,
            error: {
              code: -32010,
              message: `${String(params[0])} excluded from account secondary indexes; this RPC method unavailable for key`,
            },
          };
        }
        const answer = await this.forwardOne(request);
        const result = answer.result as { value: unknown[] } | unknown[] | undefined;
        if (Array.isArray(result)) answer.result = result.slice(0, rule.cap);
        else if (result) result.value = result.value.slice(0, rule.cap);
        return answer;
      }
      default:
        return undefined;
    }
  }

  private viewChangesListings(): boolean {
    const { node } = this;
    return (
      this.viewChangesTransactions() || node.listedUpTo !== undefined || node.reverseWithinSlots
    );
  }

  private viewChangesTransactions(): boolean {
    const { node } = this;
    return (
      node.forgotten.size + node.lacking.size + node.dropped.size + node.withheld.size > 0 ||
      node.historyFrom !== undefined ||
      node.finalized !== undefined
    );
  }

  /**
   * A `getSignaturesForAddress` page as the node lists it: the validator's pages, filtered by
   * what the node lists, read on until the page is full or the validator's listing ends.
   */
  private async listing(address: string, config: ListingConfig): Promise<ListingEntry[]> {
    const { node } = this;
    const limit = Math.min(config.limit ?? 1_000, 1_000);
    const unknown = async (signature?: string) =>
      signature !== undefined && !node.knows(signature, await this.slotOf(signature));
    // agave: an unknown `before` lists nothing; an unknown `until` lists back to the oldest block.
    if (await unknown(config.before)) return [];
    const until = (await unknown(config.until)) ? undefined : config.until;
    const page: ListingEntry[] = [];
    let before = config.before;
    for (;;) {
      const upstream = (await this.forwardOne({
        jsonrpc: "2.0",
        id: 0,
        method: "getSignaturesForAddress",
        params: [address, { ...config, before, until, limit: 1_000 }],
      })) as RpcResponse;
      const entries = (upstream.result ?? []) as ListingEntry[];
      for (const entry of entries) {
        if (node.historyFrom !== undefined && entry.slot < node.historyFrom) break;
        if (node.lists(entry, config.commitment) && page.length < limit) page.push(entry);
      }
      const last = entries[entries.length - 1];
      const older =
        entries.length === 1_000 &&
        (node.historyFrom === undefined || last.slot >= node.historyFrom);
      if (page.length >= limit || !older) break;
      before = last.signature;
    }
    return node.reverseWithinSlots ? reversedWithinSlots(page) : page;
  }

  /** The slot the validator holds `signature` at (its history is whole). */
  private async slotOf(signature: string): Promise<number> {
    const answer = await this.forwardOne({
      jsonrpc: "2.0",
      id: 0,
      method: "getSignatureStatuses",
      params: [[signature], { searchTransactionHistory: true }],
    });
    const status = (answer.result as { value: ({ slot: number } | null)[] }).value[0];
    return status?.slot ?? 0;
  }

  private async forwardOne(request: RpcRequest): Promise<RpcResponse> {
    const answer = await fetch(this.upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    return (await answer.json()) as RpcResponse;
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

/** `page` (newest first) with each slot's run of signatures in reverse. */
function reversedWithinSlots(page: ListingEntry[]): ListingEntry[] {
  const out: ListingEntry[] = [];
  for (let i = 0; i < page.length; ) {
    let j = i;
    while (j < page.length && page[j].slot === page[i].slot) j++;
    out.push(...page.slice(i, j).reverse());
    i = j;
  }
  return out;
}
