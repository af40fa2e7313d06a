/**
 * The event indexer: every treasury event of every successful transaction, in order, into the
 * store. One path does the work: `getSignaturesForAddress` from the stored cursor forward, then
 * the transactions' logs through Anchor's event parser. A `logsSubscribe` notification only
 * wakes it, so events that happened while the API was down are caught up the same way, with no
 * gap and (rows keyed by signature and index) no double counting.
 *
 * Catching up is a pipeline: up to `BATCHES_IN_FLIGHT` batches of transactions are being read
 * while the oldest one read is parsed and stored, and batches are stored strictly in chain order
 * (each with the cursor at its newest transaction, in one database transaction), so a crash at
 * any point leaves the store at the end of a batch. The two RPC methods are called over plain
 * JSON-RPC (a batch request for the transactions, as web3.js sends it) and only the fields used
 * are read: web3.js's validation of each response took half the catch-up's time.
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
import type { EventStore, EventValue, StoredEvent } from "./store/store";

const PAGE = 1_000;
const TRANSACTIONS_PER_BATCH = 100;
/** Batches requested ahead of the one being stored (the RPC node works while we parse). */
const BATCHES_IN_FLIGHT = 4;
const RETRY_MS = 2_000;

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

/** One JSON-RPC request, or a batch of them (answers in request order). */
async function rpc<T>(url: string, method: string, paramsList: unknown[][]): Promise<T[]> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(paramsList.map((params, id) => ({ jsonrpc: "2.0", id, method, params }))),
  });
  if (!response.ok) throw new Error(`${method}: HTTP ${response.status} from the RPC node`);
  const body = (await response.json()) as
    | { id: number; result?: T; error?: { code: number; message: string } }[]
    | { error?: { code: number; message: string } };
  if (!Array.isArray(body) || body.length !== paramsList.length) {
    const error = Array.isArray(body) ? undefined : body.error;
    throw new Error(`${method}: ${error?.message ?? "unexpected answer"} from the RPC node`);
  }
  const results: T[] = new Array<T>(paramsList.length);
  for (const answer of body) {
    if (answer.error || answer.result === undefined) {
      throw new Error(`${method}: ${answer.error?.message ?? "no result"} (${answer.error?.code})`);
    }
    results[answer.id] = answer.result;
  }
  return results;
}

export interface IndexerStatus {
  events: number;
  lastSignature?: string;
  /** Slot of the newest transaction indexed. */
  lastSlot: number;
  /** Newest slot the program was seen active at (logs notifications and catch-ups). */
  seenSlot: number;
  catchUps: number;
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

/** Signatures of the program's transactions after `until` (all when undefined), oldest first. */
export async function signaturesAfter(
  url: string,
  programId: PublicKey,
  until: string | undefined,
): Promise<SignatureInfo[]> {
  const newestFirst: SignatureInfo[] = [];
  let before: string | undefined;
  for (;;) {
    const [page] = await rpc<SignatureInfo[]>(url, "getSignaturesForAddress", [
      [programId.toBase58(), { until, before, limit: PAGE, commitment: "confirmed" }],
    ]);
    newestFirst.push(...page);
    if (page.length < PAGE) break;
    before = page[page.length - 1].signature;
  }
  return newestFirst.reverse();
}

/** The successful transactions of a batch (failed ones carry no events), in one request. */
export function readTransactions(
  url: string,
  signatures: SignatureInfo[],
): Promise<TransactionLogs[]> {
  const succeeded = signatures.filter((s) => s.err === null);
  if (succeeded.length === 0) return Promise.resolve([]);
  return rpc<TransactionLogs | null>(
    url,
    "getTransaction",
    succeeded.map((s) => [
      s.signature,
      { commitment: "confirmed", maxSupportedTransactionVersion: 0, encoding: "json" },
    ]),
  ).then((transactions) =>
    transactions.map((tx, i) => {
      if (!tx) throw new Error(`transaction ${succeeded[i].signature} not found`);
      return tx;
    }),
  );
}

/** A batch's events as stored, in chain order. */
export function eventRows(
  program: TreasuryProgram,
  signatures: SignatureInfo[],
  transactions: TransactionLogs[],
): StoredEvent[] {
  const succeeded = signatures.filter((s) => s.err === null);
  const rows: StoredEvent[] = [];
  transactions.forEach((tx, i) => {
    parseTreasuryEvents(program, tx.meta?.logMessages ?? []).forEach((event, index) => {
      const data = Object.fromEntries(
        Object.entries(eventFields(event)).map(([k, v]) => [k, storedValue(v)]),
      );
      rows.push({
        signature: succeeded[i].signature,
        index,
        slot: tx.slot,
        ts: Number(data.unixTimestamp ?? tx.blockTime ?? 0),
        name: event.name,
        data,
      });
    });
  });
  return rows;
}

export class EventIndexer {
  readonly status: IndexerStatus = { events: 0, lastSlot: 0, seenSlot: 0, catchUps: 0 };
  private running?: Promise<void>;
  private again = false;
  private subscription?: number;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly connection: Connection,
    private readonly program: TreasuryProgram,
    private readonly store: EventStore,
    private readonly onError: (err: unknown) => void = () => undefined,
    /** Called with each newly stored event, oldest first. */
    private readonly onEvent: (event: StoredEvent) => void = () => undefined,
  ) {}

  /** Catches up from the stored cursor, then follows the program's logs. */
  async start(): Promise<void> {
    this.status.events = await this.store.count();
    this.status.lastSignature = await this.store.cursor();
    this.subscription = this.connection.onLogs(
      this.program.programId,
      (_logs, context) => {
        this.status.seenSlot = Math.max(this.status.seenSlot, context.slot);
        void this.catchUpOrRetry();
      },
      "confirmed",
    );
    await this.catchUp();
  }

  /** A failed pass is retried on a timer, so a quiet program does not leave the index behind. */
  private async catchUpOrRetry(): Promise<void> {
    try {
      await this.catchUp();
    } catch (err) {
      this.onError(err);
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
    if (this.retry) clearTimeout(this.retry);
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
          await this.pass();
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async pass(): Promise<void> {
    const url = this.connection.rpcEndpoint;
    const oldestFirst = await signaturesAfter(
      url,
      this.program.programId,
      this.status.lastSignature,
    );
    const batches: SignatureInfo[][] = [];
    for (let i = 0; i < oldestFirst.length; i += TRANSACTIONS_PER_BATCH) {
      batches.push(oldestFirst.slice(i, i + TRANSACTIONS_PER_BATCH));
    }
    const reads: Promise<TransactionLogs[]>[] = [];
    const readAhead = (upTo: number) => {
      while (reads.length < Math.min(upTo, batches.length)) {
        const read = readTransactions(url, batches[reads.length]);
        // Awaited in order below; a read failing while an earlier batch is stored is reported
        // then, not as an unhandled rejection.
        read.catch(() => undefined);
        reads.push(read);
      }
    };
    // A batch is parsed while the one before it is being written (PostgreSQL works in its own
    // process meanwhile); writes stay one at a time and in order.
    let storing: Promise<void> = Promise.resolve();
    for (let i = 0; i < batches.length && !this.stopped; i++) {
      readAhead(i + 1 + BATCHES_IN_FLIGHT);
      const rows = eventRows(this.program, batches[i], await reads[i]);
      await storing;
      storing = this.storeRows(batches[i], rows);
      storing.catch(() => undefined);
    }
    await storing;
    this.status.catchUps++;
  }

  /** Stores a batch's rows with the cursor at its newest transaction, then hands them on. */
  private async storeRows(signatures: SignatureInfo[], rows: StoredEvent[]): Promise<void> {
    const newest = signatures[signatures.length - 1];
    this.status.events += await this.store.insert(rows, newest.signature);
    rows.forEach((row) => this.onEvent(row));
    this.status.lastSignature = newest.signature;
    this.status.lastSlot = Math.max(this.status.lastSlot, newest.slot);
    this.status.seenSlot = Math.max(this.status.seenSlot, newest.slot);
  }
}
