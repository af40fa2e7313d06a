/**
 * The event indexer: every treasury event of every successful, finalized transaction, in the
 * order the block executed them, into the store. One path does the work: a catch-up lists the
 * program's signatures after the stored cursor (`getSignaturesForAddress`), orders each slot's
 * by the block (`getBlock`), reads the transactions and parses their logs. A `logsSubscribe`
 * notification wakes it, and so does a timer (a node that lists a signature after its
 * notification arrived is caught up without waiting for the program's next transaction); events
 * that happened while the API was down are caught up the same way.
 *
 * What a real cluster does to that path, and what the indexer does about it:
 * - **Rollbacks**: only `finalized` transactions are stored, so no stored row is ever undone. A
 *   confirmed transaction a fork drops is never listed at `finalized`, and never stored.
 * - **Gaps**: a node that does not know the stored cursor (another node behind the same URL, a
 *   node with shorter history) lists back to its own oldest block, and one that does not know a
 *   `before` answers an empty page. Either is detected (the node is asked whether it knows the
 *   signature, and the listing must reach back to the cursor's slot), reported in `status.gap`
 *   and retried; the cursor does not move past what the node cannot show. A listing that does
 *   reach back past the cursor fills the gap (rows already stored are ignored by their key).
 * - **Order within a slot**: a node lists a slot's signatures in an order of its own; each slot
 *   with more than one of them is put in the block's order.
 * - **Truncated logs**: a transaction whose logs hit the runtime's limit ("Log truncated") may
 *   have lost events; it is stored as unverified, and the history says so.
 *
 * Memory is bounded however long the history: listing keeps only each page's last signature
 * (pages are read again, oldest first, as they are indexed) and the newest page; a pipeline holds
 * at most `BATCHES_IN_FLIGHT` batches being read. Batches hold whole slots and are stored in
 * chain order, each with the cursor at its newest transaction in one database transaction, so a
 * crash at any point leaves the store at the end of a slot. The RPC methods are called over
 * plain JSON-RPC reading only the fields used (web3.js's validation of each response took half
 * the catch-up's time).
 */
import type { Connection } from "@solana/web3.js";
import { PublicKey } from "@solana/web3.js";

import {
  configChangeFromEvent,
  configChangeToJson,
  parseTreasuryEvents,
  priceGuardFromAnchor,
  priceGuardToJson,
  type TreasuryEvent,
  type TreasuryProgram,
} from "../../sdk/src";
import type {
  EventStore,
  EventValue,
  IndexCursor,
  StoredEvent,
  UnverifiedTransaction,
} from "./store/store";

/** The commitment the history is stored at: what a fork can no longer drop. */
export const HISTORY_COMMITMENT = "finalized";
const PAGE = 1_000;
const TRANSACTIONS_PER_BATCH = 100;
/** Batches requested ahead of the one being stored (the RPC node works while we parse). */
const BATCHES_IN_FLIGHT = 4;
/** `getBlock` requests per JSON-RPC batch. */
const BLOCKS_PER_REQUEST = 20;
const RETRY_MS = 2_000;
/** How often the indexer looks for transactions no notification announced (default). */
export const DEFAULT_POLL_MS = 5_000;
/** An RPC call that has not answered in this long fails (a hung node does not stall indexing). */
const RPC_TIMEOUT_MS = 30_000;
/** What the runtime writes as a transaction's last log line when its logs hit the limit. */
const LOG_TRUNCATED = "Log truncated";

/** What the indexer reads of a signature (`getSignaturesForAddress`). */
export interface SignatureInfo {
  signature: string;
  slot: number;
  err: unknown;
}

/** What the indexer reads of a transaction (`getTransaction`). */
export interface TransactionLogs {
  slot: number;
  blockTime: number | null;
  meta: { logMessages?: string[] | null } | null;
}

/** A named failure of the indexer's RPC calls or of what the node answered. */
export class IndexerError extends Error {
  constructor(
    override readonly name:
      | "RpcTimeout"
      | "RpcUnavailable"
      | "RpcError"
      | "IndexGap"
      | "MissingTransaction"
      | "MissingBlock",
    message: string,
  ) {
    super(message);
  }
}

type RpcAnswer<T> = { result: T } | { error: { code: number; message: string } };

/**
 * JSON-RPC over `fetch`, one request or a batch of them, with a timeout; remembers when the node
 * last answered (for `/healthz`).
 */
export class JsonRpc {
  lastAnswerAt = 0;

  constructor(
    readonly url: string,
    private readonly timeoutMs = RPC_TIMEOUT_MS,
  ) {}

  /** Each call's result or error, in request order (one HTTP request for all of them). */
  async batch<T>(method: string, paramsList: unknown[][]): Promise<RpcAnswer<T>[]> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(
          paramsList.map((params, id) => ({ jsonrpc: "2.0", id, method, params })),
        ),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      if ((err as Error).name === "TimeoutError") {
        throw new IndexerError("RpcTimeout", `${method}: no answer in ${this.timeoutMs} ms`);
      }
      throw new IndexerError("RpcUnavailable", `${method}: ${(err as Error).message}`);
    }
    if (!response.ok) {
      throw new IndexerError("RpcUnavailable", `${method}: HTTP ${response.status}`);
    }
    const body = (await response.json()) as
      | { id: number; result?: T; error?: { code: number; message: string } }[]
      | { error?: { code: number; message: string } };
    if (!Array.isArray(body) || body.length !== paramsList.length) {
      const error = Array.isArray(body) ? undefined : body.error;
      throw new IndexerError("RpcError", `${method}: ${error?.message ?? "unexpected answer"}`);
    }
    this.lastAnswerAt = Date.now();
    const answers = new Array<RpcAnswer<T>>(paramsList.length);
    for (const answer of body) {
      answers[answer.id] =
        answer.result !== undefined
          ? { result: answer.result }
          : { error: answer.error ?? { code: 0, message: "no result" } };
    }
    return answers;
  }

  /** Every call's result; the first error fails them all. */
  async all<T>(method: string, paramsList: unknown[][]): Promise<T[]> {
    if (paramsList.length === 0) return [];
    return (await this.batch<T>(method, paramsList)).map((answer) => {
      if ("error" in answer) {
        throw new IndexerError(
          "RpcError",
          `${method}: ${answer.error.message} (${answer.error.code})`,
        );
      }
      return answer.result;
    });
  }

  async call<T>(method: string, params: unknown[]): Promise<T> {
    return (await this.all<T>(method, [params]))[0];
  }
}

/** Why indexing cannot go on from the stored cursor on this node. */
export interface IndexGap {
  /** When it was last seen (ISO 8601). */
  seenAt: string;
  cursor: string | null;
  cursorSlot: number | null;
  message: string;
}

export interface IndexerStatus {
  events: number;
  lastSignature?: string;
  /** Slot of the newest transaction indexed. */
  lastSlot: number;
  /** Newest slot the program was seen active at (logs notifications and catch-ups). */
  seenSlot: number;
  catchUps: number;
  /** Whether a catch-up has once reached the chain's head since start. */
  caughtUp: boolean;
  /** Set while the node cannot show what follows the cursor (cleared by a complete pass). */
  gap: IndexGap | null;
  /** The last failed pass's reason (cleared by a complete pass). */
  lastError: string | null;
  /** Transactions whose logs were truncated: how many, and the newest (at most 100). */
  unverified: { count: number; newest: UnverifiedTransaction[] };
}

/** Unverified transactions kept in memory (to mark the history's buckets and name them). */
const UNVERIFIED_KEPT = 100;

/** A catch-up's progress, for `/healthz` and the metrics. */
export interface CatchUpProgress {
  running: boolean;
  /** Transactions the pass under way listed and has not stored yet (null while listing). */
  transactionsToGo: number | null;
  /** Transactions the pass under way has stored, and the events they held. */
  transactionsDone: number;
  eventsDone: number;
  /** Transactions stored per second by the pass under way. */
  perSec: number | null;
  /** Seconds until the pass under way has stored what it listed, at that rate. */
  etaSecs: number | null;
}

/** A decoded value in JSON terms: amounts as decimal strings, keys as base58, enums by name. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof PublicKey) return value.toBase58();
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(plain);
  const entries = Object.entries(value as Record<string, unknown>);
  // Anchor decodes a unit enum variant as `{ variant: {} }`.
  if (entries.length === 1 && JSON.stringify(plain(entries[0][1])) === "{}") return entries[0][0];
  return Object.fromEntries(entries.map(([k, v]) => [k, plain(v)]));
}

/**
 * An event's fields with the policy's values in the SDK's JSON form (as `/api/treasury`'s policy
 * shows them): a change as the fields it sets, a price guard with its feed id in hex.
 */
function eventFields(event: TreasuryEvent): Record<string, unknown> {
  switch (event.name) {
    case "configChangeQueued":
    case "configChangeApplied":
    case "configChangeCancelled":
      return {
        ...event.data,
        change: configChangeToJson(configChangeFromEvent(event.data.change)),
      };
    case "treasuryInitialized":
    case "configUpdated":
      return {
        ...event.data,
        priceGuard: priceGuardToJson(priceGuardFromAnchor(event.data.priceGuard)),
      };
    default:
      return event.data;
  }
}

/** An event's field as stored: scalars as they are, anything nested as JSON text. */
export function storedValue(value: unknown): EventValue {
  const p = plain(value);
  return p === null || ["string", "number", "boolean"].includes(typeof p)
    ? (p as EventValue)
    : JSON.stringify(p);
}

// The catch-up's stages (`npm run bench:indexer` also times each alone).

/** The signatures of one page, newest first, after `cursor` and before `before`. */
function listPage(
  rpc: JsonRpc,
  programId: PublicKey,
  cursor: IndexCursor | undefined,
  before: string | undefined,
): Promise<SignatureInfo[]> {
  return rpc.call<SignatureInfo[]>("getSignaturesForAddress", [
    programId.toBase58(),
    { until: cursor?.signature, before, limit: PAGE, commitment: HISTORY_COMMITMENT },
  ]);
}

/** Whether the node knows each signature (in its whole history), in order. */
async function known(rpc: JsonRpc, signatures: string[]): Promise<boolean[]> {
  const { value } = await rpc.call<{ value: (object | null)[] }>("getSignatureStatuses", [
    signatures,
    { searchTransactionHistory: true },
  ]);
  return value.map((status) => status !== null);
}

/** `entries` (oldest first) with each slot's in the order its block executed them. */
async function inBlockOrder(rpc: JsonRpc, entries: SignatureInfo[]): Promise<SignatureInfo[]> {
  const perSlot = new Map<number, number>();
  for (const e of entries) perSlot.set(e.slot, (perSlot.get(e.slot) ?? 0) + 1);
  const shared = [...perSlot].filter(([, n]) => n > 1).map(([slot]) => slot);
  if (shared.length === 0) return entries;
  const position = new Map<string, number>();
  for (let i = 0; i < shared.length; i += BLOCKS_PER_REQUEST) {
    const slots = shared.slice(i, i + BLOCKS_PER_REQUEST);
    const blocks = await rpc.all<{ signatures: string[] } | null>(
      "getBlock",
      slots.map((slot) => [
        slot,
        {
          commitment: HISTORY_COMMITMENT,
          transactionDetails: "signatures",
          rewards: false,
          maxSupportedTransactionVersion: 0,
        },
      ]),
    );
    blocks.forEach((block, j) => {
      if (!block) {
        throw new IndexerError("MissingBlock", `getBlock: the node has no block at ${slots[j]}`);
      }
      block.signatures.forEach((signature, index) => position.set(signature, index));
    });
  }
  const sharedSlots = new Set(shared);
  // Stable: slots stay in chain order, and a slot of one signature has nothing to reorder.
  return [...entries].sort((a, b) => {
    if (a.slot !== b.slot || !sharedSlots.has(a.slot)) return a.slot - b.slot;
    const at = position.get(a.signature);
    const bt = position.get(b.signature);
    if (at === undefined || bt === undefined) {
      const missing = at === undefined ? a.signature : b.signature;
      throw new IndexerError(
        "MissingBlock",
        `getBlock: the block at ${a.slot} does not hold ${missing}, which the node listed in it`,
      );
    }
    return at - bt;
  });
}

/** `entries` (oldest first, whole slots) cut into batches of whole slots. */
function* batchesOf(entries: SignatureInfo[]): Generator<SignatureInfo[]> {
  let batch: SignatureInfo[] = [];
  for (const entry of entries) {
    if (batch.length >= TRANSACTIONS_PER_BATCH && batch[batch.length - 1].slot !== entry.slot) {
      yield batch;
      batch = [];
    }
    batch.push(entry);
  }
  if (batch.length > 0) yield batch;
}

/**
 * The program's transactions after `cursor` (everything when undefined), in chain order and in
 * batches of whole slots, read lazily: first a walk back from the newest page to the cursor that
 * keeps each page's oldest signature (the next page's `before`) and the newest page, then each
 * page again, oldest first. `listed` is told how many signatures the walk found. Throws
 * `IndexGap` when the node cannot show everything after the cursor.
 */
export async function* newTransactions(
  rpc: JsonRpc,
  programId: PublicKey,
  cursor: IndexCursor | undefined,
  listed: (count: number) => void = () => undefined,
): AsyncGenerator<SignatureInfo[]> {
  const cursorSlot = cursor?.slot ?? null;
  const newest = await listPage(rpc, programId, cursor, undefined);
  const befores: (string | undefined)[] = [undefined];
  let last = newest;
  let count = newest.length;
  let oldestSlot = newest[newest.length - 1]?.slot;
  // A node that does not know the cursor lists past it: stop once the cursor's slot is behind.
  const pastCursor = () =>
    cursorSlot !== null && oldestSlot !== undefined && oldestSlot < cursorSlot;
  while (last.length === PAGE && !pastCursor()) {
    const before = last[last.length - 1].signature;
    last = await listPage(rpc, programId, cursor, before);
    befores.push(before);
    count += last.length;
    if (last.length > 0) oldestSlot = last[last.length - 1].slot;
  }
  if (count === 0) return;

  if (!pastCursor()) {
    // The listing stopped short of the cursor's slot: either at the cursor (the node knows it)
    // or at the node's own oldest block (it does not, and what lies between is unseen). After a
    // full page, an empty one is either the end or a `before` this node does not know.
    const emptyAfter = last.length === 0 ? befores[befores.length - 1] : undefined;
    const asked = [cursor?.signature, emptyAfter].filter((s): s is string => s !== undefined);
    const answers = asked.length > 0 ? await known(rpc, asked) : [];
    const cursorUnknown = cursor !== undefined && !answers[0];
    if (cursorUnknown) {
      throw new IndexerError(
        "IndexGap",
        `the node does not know the stored cursor ${cursor.signature}` +
          `${cursorSlot === null ? "" : ` (slot ${cursorSlot})`} and its listing stops at slot ` +
          `${oldestSlot}: its history starts after the cursor, so transactions between them ` +
          "cannot be read from it; the cursor stays (use a node with the history)",
      );
    }
    if (emptyAfter !== undefined && !answers[answers.length - 1]) {
      throw new IndexerError(
        "IndexGap",
        `the node answered an empty page before ${emptyAfter}, a signature it had just listed ` +
          "(another node behind the same URL?); the cursor stays",
      );
    }
  }
  listed(count);

  let carry: SignatureInfo[] = [];
  for (let page = befores.length - 1; page >= 0; page--) {
    let entries: SignatureInfo[];
    if (page === befores.length - 1) entries = last;
    else if (page === 0) entries = newest;
    else {
      entries = await listPage(rpc, programId, cursor, befores[page]);
      if (entries.length !== PAGE || entries[PAGE - 1].signature !== befores[page + 1]) {
        throw new IndexerError(
          "IndexGap",
          `the node listed the page before ${befores[page]} differently the second time ` +
            "(another node behind the same URL?); the cursor stays",
        );
      }
    }
    // Oldest first; the cursor's own slot is listed again in case the node lists a slot in
    // another order than the block's (rows already stored are ignored by their key).
    let chunk = carry.concat(
      entries.filter((e) => cursorSlot === null || e.slot >= cursorSlot).reverse(),
    );
    carry = [];
    if (page > 0 && chunk.length > 0) {
      // The newest slot may go on in the next page: it waits for the rest of its signatures.
      const newestSlot = chunk[chunk.length - 1].slot;
      const cut = chunk.findIndex((e) => e.slot === newestSlot);
      carry = chunk.slice(cut);
      chunk = chunk.slice(0, cut);
    }
    yield* batchesOf(await inBlockOrder(rpc, chunk));
  }
}

/** The successful transactions of a batch (failed ones carry no events), in one request. */
export async function readTransactions(
  rpc: JsonRpc,
  signatures: SignatureInfo[],
): Promise<TransactionLogs[]> {
  const succeeded = signatures.filter((s) => s.err === null);
  const transactions = await rpc.all<TransactionLogs | null>(
    "getTransaction",
    succeeded.map((s) => [
      s.signature,
      { commitment: HISTORY_COMMITMENT, maxSupportedTransactionVersion: 0, encoding: "json" },
    ]),
  );
  return transactions.map((tx, i) => {
    if (!tx) {
      throw new IndexerError(
        "MissingTransaction",
        `getTransaction: the node listed ${succeeded[i].signature} but has no transaction for ` +
          "it; the cursor stays before it",
      );
    }
    return tx;
  });
}

/** A batch's events as stored, in chain order, and its transactions whose logs were cut. */
export function eventRows(
  program: TreasuryProgram,
  signatures: SignatureInfo[],
  transactions: TransactionLogs[],
): { events: StoredEvent[]; unverified: UnverifiedTransaction[] } {
  const succeeded = signatures.filter((s) => s.err === null);
  const events: StoredEvent[] = [];
  const unverified: UnverifiedTransaction[] = [];
  transactions.forEach((tx, i) => {
    const logs = tx.meta?.logMessages ?? [];
    const { signature } = succeeded[i];
    if (logs.includes(LOG_TRUNCATED)) {
      unverified.push({ signature, slot: tx.slot, ts: tx.blockTime ?? 0, reason: "logTruncated" });
    }
    parseTreasuryEvents(program, logs).forEach((event, index) => {
      const data = Object.fromEntries(
        Object.entries(eventFields(event)).map(([k, v]) => [k, storedValue(v)]),
      );
      events.push({
        signature,
        index,
        slot: tx.slot,
        ts: Number(data.unixTimestamp ?? tx.blockTime ?? 0),
        name: event.name,
        data,
      });
    });
  });
  return { events, unverified };
}

export interface EventIndexerOptions {
  /** Called when a pass fails (it is retried). */
  onError?: (err: unknown) => void;
  /** Called with each newly stored event, oldest first. */
  onEvent?: (event: StoredEvent) => void;
  /** How often to look for transactions without a notification (default 5 s; 0: never). */
  pollEveryMs?: number;
}

export class EventIndexer {
  readonly status: IndexerStatus = {
    events: 0,
    lastSlot: 0,
    seenSlot: 0,
    catchUps: 0,
    caughtUp: false,
    gap: null,
    lastError: null,
    unverified: { count: 0, newest: [] },
  };
  readonly rpc: JsonRpc;
  private cursor?: IndexCursor;
  private running?: Promise<void>;
  private again = false;
  private subscription?: number;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private poll?: NodeJS.Timeout;
  private current: { startedAt: number; toGo: number | null; done: number; events: number } | null =
    null;
  private caughtUpOnce!: () => void;
  /** Resolves when a catch-up first reaches the chain's head. */
  readonly caughtUp = new Promise<void>((resolve) => (this.caughtUpOnce = resolve));

  constructor(
    private readonly connection: Connection,
    private readonly program: TreasuryProgram,
    private readonly store: EventStore,
    private readonly options: EventIndexerOptions = {},
  ) {
    this.rpc = new JsonRpc(connection.rpcEndpoint);
  }

  /**
   * Follows the program's logs and polls, and catches up from the stored cursor (in the
   * background: `caughtUp` tells when it has reached the head; failed passes are retried).
   */
  async start(): Promise<void> {
    this.status.events = await this.store.count();
    this.status.unverified = await this.store.unverified(UNVERIFIED_KEPT);
    this.cursor = await this.store.cursor();
    this.status.lastSignature = this.cursor?.signature;
    this.subscription = this.connection.onLogs(
      this.program.programId,
      (_logs, context) => {
        this.status.seenSlot = Math.max(this.status.seenSlot, context.slot);
        void this.catchUpOrRetry();
      },
      "confirmed",
    );
    const pollEveryMs = this.options.pollEveryMs ?? DEFAULT_POLL_MS;
    if (pollEveryMs > 0) {
      this.poll = setInterval(() => {
        if (!this.running && !this.retry) void this.catchUpOrRetry();
      }, pollEveryMs);
      this.poll.unref();
    }
    void this.catchUpOrRetry();
  }

  /** A failed pass is retried on a timer, so a quiet program does not leave the index behind. */
  private async catchUpOrRetry(): Promise<void> {
    try {
      await this.catchUp();
    } catch (err) {
      this.options.onError?.(err);
      if (!this.stopped && !this.retry) {
        this.retry = setTimeout(() => {
          this.retry = undefined;
          void this.catchUpOrRetry();
        }, RETRY_MS);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.poll);
    if (this.subscription !== undefined) {
      await this.connection.removeOnLogsListener(this.subscription).catch(() => undefined);
    }
    await this.running?.catch(() => undefined);
  }

  /** Indexes everything after the cursor; concurrent calls coalesce into one more pass. */
  catchUp(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.passRecorded();
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Slots between the program's newest activity seen and the newest transaction indexed. */
  get lagSlots(): number {
    return Math.max(0, this.status.seenSlot - this.status.lastSlot);
  }

  /** The catch-up under way (or the last one's end state). */
  progress(): CatchUpProgress {
    const pass = this.current;
    if (!pass) {
      return {
        running: false,
        transactionsToGo: 0,
        transactionsDone: 0,
        eventsDone: 0,
        perSec: null,
        etaSecs: null,
      };
    }
    const secs = (Date.now() - pass.startedAt) / 1000;
    const perSec = secs > 0 && pass.done > 0 ? pass.done / secs : null;
    const toGo = pass.toGo === null ? null : Math.max(0, pass.toGo - pass.done);
    return {
      running: this.running !== undefined,
      transactionsToGo: toGo,
      transactionsDone: pass.done,
      eventsDone: pass.events,
      perSec,
      etaSecs: toGo === null || perSec === null ? null : toGo / perSec,
    };
  }

  private async passRecorded(): Promise<void> {
    try {
      await this.pass();
    } catch (err) {
      const error = err as Error;
      this.status.lastError = `${error.name}: ${error.message}`;
      if (err instanceof IndexerError && err.name === "IndexGap") {
        this.status.gap = {
          seenAt: new Date().toISOString(),
          cursor: this.cursor?.signature ?? null,
          cursorSlot: this.cursor?.slot ?? null,
          message: err.message,
        };
      }
      throw err;
    }
    this.status.gap = null;
    this.status.lastError = null;
    this.status.catchUps++;
    if (!this.stopped && !this.status.caughtUp) {
      this.status.caughtUp = true;
      this.caughtUpOnce();
    }
  }

  /** The stored cursor with its slot (asked of the node for a store that did not keep it). */
  private async cursorWithSlot(): Promise<IndexCursor | undefined> {
    const cursor = this.cursor;
    if (!cursor || cursor.slot !== null) return cursor;
    const { value } = await this.rpc.call<{ value: ({ slot: number } | null)[] }>(
      "getSignatureStatuses",
      [[cursor.signature], { searchTransactionHistory: true }],
    );
    if (!value[0]) {
      throw new IndexerError(
        "IndexGap",
        `the node does not know the stored cursor ${cursor.signature}; the cursor stays ` +
          "(use a node with the history)",
      );
    }
    this.cursor = { signature: cursor.signature, slot: value[0].slot };
    return this.cursor;
  }

  private async pass(): Promise<void> {
    const cursor = await this.cursorWithSlot();
    const pass = { startedAt: Date.now(), toGo: null as number | null, done: 0, events: 0 };
    this.current = pass;
    const batches = newTransactions(this.rpc, this.program.programId, cursor, (count) => {
      pass.toGo = count;
    });
    const reading: { batch: SignatureInfo[]; read: Promise<TransactionLogs[]> }[] = [];
    let listed = false;
    // A batch is parsed while the one before it is being written (PostgreSQL works in its own
    // process meanwhile); writes stay one at a time and in order.
    let storing: Promise<void> = Promise.resolve();
    try {
      while (!this.stopped) {
        while (!listed && reading.length <= BATCHES_IN_FLIGHT) {
          const next = await batches.next();
          if (next.done) listed = true;
          else {
            const read = readTransactions(this.rpc, next.value);
            // Awaited in order below; a read failing while an earlier batch is stored is
            // reported then, not as an unhandled rejection.
            read.catch(() => undefined);
            reading.push({ batch: next.value, read });
          }
        }
        const head = reading.shift();
        if (!head) break;
        const rows = eventRows(this.program, head.batch, await head.read);
        await storing;
        storing = this.storeBatch(head.batch, rows.events, rows.unverified, pass);
        storing.catch(() => undefined);
      }
    } finally {
      await storing.catch(() => undefined);
      await batches.return(undefined);
    }
    await storing;
  }

  /** Stores a batch's rows with the cursor at its newest transaction, then hands them on. */
  private async storeBatch(
    signatures: SignatureInfo[],
    events: StoredEvent[],
    unverified: UnverifiedTransaction[],
    pass: { done: number; events: number },
  ): Promise<void> {
    const newest = signatures[signatures.length - 1];
    const cursor = { signature: newest.signature, slot: newest.slot };
    const added = await this.store.insert(events, cursor, unverified);
    this.cursor = cursor;
    if (unverified.length > 0) {
      const known = this.status.unverified;
      const fresh = unverified.filter(
        (u) => !known.newest.some((k) => k.signature === u.signature),
      );
      this.status.unverified = {
        count: known.count + fresh.length,
        newest: [...fresh.reverse(), ...known.newest].slice(0, UNVERIFIED_KEPT),
      };
    }
    this.status.events += added.length;
    pass.done += signatures.length;
    pass.events += added.length;
    added.forEach((row) => this.options.onEvent?.(row));
    this.status.lastSignature = newest.signature;
    this.status.lastSlot = Math.max(this.status.lastSlot, newest.slot);
    this.status.seenSlot = Math.max(this.status.seenSlot, newest.slot);
  }
}
