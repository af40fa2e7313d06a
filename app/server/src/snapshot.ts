/**
 * The treasury in memory, kept fresh by websocket subscriptions: the config, its three vaults,
 * the $ASHAO mint, every stake position (indexed by owner), the clock, the program's ProgramData
 * (its upgrade authority) and the price guard's oracle account. Requests read it; none waits on
 * the RPC.
 *
 * A missed or wrong notification is repaired by bounded checks (`check()`, on a timer): each one
 * reads the config, the vaults, the mint, the oracle and the clock, and the next slice of
 * positions in a rolling sweep, and keeps whatever is newer than what the snapshot holds. Every
 * part remembers the slot it was read at, so neither a check nor a notification ever replaces a
 * newer value with an older one. Positions the snapshot does not know (a missed creation) show as
 * a difference between the config's totals and the positions' sums; a difference that persists
 * over several checks, or a websocket reconnect, reads every position again, in a worker thread
 * and merged in slices, so no request waits behind it.
 *
 * Every position is read with `getProgramAccounts`, in shards by the first byte of the owner
 * once there are many (each answer a few megabytes however many positions there are). Where
 * the node refuses that method for the program, or caps its answer (as public and many paid
 * endpoints do), the snapshot runs without the positions: the totals come from the config, and a
 * staker's position is read by its address on demand into a bounded cache (`positionsMode`).
 */
import { performance } from "perf_hooks";
import { Worker } from "worker_threads";

import { utils } from "@anchor-lang/core";
import { AccountLayout, MintLayout } from "@solana/spl-token";
import {
  type AccountInfo,
  type Connection,
  type Context,
  PublicKey,
  SYSVAR_CLOCK_PUBKEY,
} from "@solana/web3.js";

import {
  type AccountsAtSlot,
  clockUnixTimestamp,
  decodePriceUpdateV2,
  decodeProgramData,
  decodeStakePositionRecord,
  decodeTreasury,
  fetchChainTime,
  fetchProgramUpgradeInfo,
  getMultipleAccountsBytes,
  type NonCirculatingAccount,
  policyReport,
  type PolicyReport,
  type PriceUpdateV2,
  type ProgramUpgradeInfo,
  pythPriceFeedAccount,
  sameStakePosition,
  solvencyReport,
  stakePositionPda,
  type SolvencyReport,
  STAKE_POSITION_LAYOUT,
  type StakePositionRecord,
  type StakePositionState,
  stakePositionsRequest,
  supplyReport,
  type SupplyReport,
  TextKey,
  treasuryConfigPda,
  treasuryFigures,
  type TreasuryFigures,
  type TreasuryProgram,
  type TreasuryState,
} from "../../sdk/src";
import { type PositionEntry, PositionTable } from "./position-table";

export interface NamedAccount {
  name: string;
  address: PublicKey;
}

export interface TreasuryReportParts {
  figures: TreasuryFigures;
  supply: SupplyReport;
  solvency: SolvencyReport;
  policy: PolicyReport;
}

export interface SnapshotOptions {
  /** Further token accounts holding $ASHAO outside circulation (the stake vault is always one). */
  nonCirculating?: NamedAccount[];
  /** How often `check()` runs once started (default 1 s; 0: never, the caller runs it). */
  checkEveryMs?: number;
  /** Positions re-read per check (default 100, one `getMultipleAccounts`; at most 100). */
  positionsPerCheck?: number;
  /** Positions kept when they are read on demand (default 100,000). */
  positionsCacheSize?: number;
  /**
   * Stakers (the config's count) above which every position is read in 256 requests, one per
   * first byte of the owner, rather than one (default 20,000).
   */
  shardPositionsAbove?: number;
}

/**
 * How the snapshot holds the positions: every one (read in bulk, kept by notifications), or, on
 * a node that refuses or caps `getProgramAccounts` for the program, those asked for, read by
 * address on demand and kept in a bounded cache.
 */
export type PositionsMode =
  | { kind: "all" }
  | { kind: "onDemand"; reason: string; cacheSize: number };

/** A staker's position could not be looked up because too many lookups are waiting. */
export class LookupBusyError extends Error {
  override readonly name = "LookupBusy";
}

/** What the consistency checks have done, for /metrics and the tests. */
export interface ConsistencyStatus {
  checks: number;
  /** Parts a check found different from the chain (and replaced). */
  corrections: number;
  /** Full reads of every position (at start, after a reconnect, on a lasting difference). */
  fullReads: number;
  /** Completed sweeps over every position. */
  sweeps: number;
  /** The config's totals minus the positions' sums, when they differed at the last check. */
  difference: string | null;
  /** The last full read of every position, by stage (null: none finished yet). */
  lastFullRead: FullReadTimes | null;
}

/** Where a full read of every position spent its time. */
export interface FullReadTimes {
  positions: number;
  /** `getProgramAccounts` requests (shards). */
  requests: number;
  /** From the first request to the last position merged. */
  ms: number;
  /** Waiting for the worker: the node answering and the worker parsing, beyond the merges. */
  waitMs: number;
  /** Decoding and merging on the event loop (between its turns: requests were served). */
  mergeMs: number;
}

/** A watched account's last bytes and the slot they were read at. */
interface WatchedAccount {
  slot: number;
  data: Buffer;
}

/** Reads a token account's amount or a mint's supply from raw account data. */
const tokenAmount = (data: Buffer) =>
  AccountLayout.decode(data.subarray(0, AccountLayout.span)).amount;
const mintSupply = (data: Buffer) => MintLayout.decode(data.subarray(0, MintLayout.span)).supply;
const CLOCK_REFRESH_MS = 1_000;
/** Positions merged per turn of the event loop after a full read. */
const MERGE_SLICE = 2_000;
/** Checks in a row that must see the same totals difference before every position is read. */
const LASTING_DIFFERENCE_CHECKS = 3;
/** Full reads for a lasting difference are at least this far apart. */
const MIN_FULL_READ_INTERVAL_MS = 5 * 60_000;

/** Stakers above which the positions are read in shards (default). */
const SHARD_ABOVE = 20_000;
/** Owners' first bytes: one shard each. */
const SHARDS = 256;
/** On a node that caps `getProgramAccounts`: stakers missing from a full read, at least. */
const CAPPED_SHORTFALL = { stakers: 100, fraction: 0.01 };
/** Positions read in one `getMultipleAccounts` when looked up on demand (the method's limit). */
const LOOKUPS_PER_CALL = 100;
/** Lookups' `getMultipleAccounts` calls in flight at once. */
const LOOKUP_CALLS_IN_FLIGHT = 4;
/** Lookups that may wait for a call; past this a lookup is refused (`LookupBusy`). */
const MAX_WAITING_LOOKUPS = 10_000;

/**
 * Fetches and parses positions' bytes in a worker thread (one answer is megabytes of JSON:
 * parsing it on the event loop would hold every request for tens of milliseconds). Plain
 * JavaScript, run as is: the worker needs only `fetch`, and the positions are decoded by the SDK
 * on the main thread. Each request (a shard) is answered with its slot, the addresses, their
 * owners' addresses (base58 arithmetic, 5-10 µs a position, is done here, off the event loop)
 * and one transferred buffer holding each position's bytes at `size` apart; the next shard is posted
 * when the main thread asks for it (one is fetched ahead), so at most two are held.
 */
const POSITIONS_WORKER = `
const { parentPort, workerData } = require("worker_threads");
const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/** The base58 text of bytes[from, to) (base-x's algorithm). */
function base58(bytes, from, to) {
  let zeros = 0;
  while (from + zeros < to && bytes[from + zeros] === 0) zeros++;
  const digits = [];
  for (let i = from + zeros; i < to; i++) {
    let carry = bytes[i];
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j] << 8;
      digits[j] = carry % 58;
      carry = (carry / 58) | 0;
    }
    for (; carry > 0; carry = (carry / 58) | 0) digits.push(carry % 58);
  }
  let text = "1".repeat(zeros);
  for (let k = digits.length - 1; k >= 0; k--) text += ALPHABET[digits[k]];
  return text;
}
async function shard(body) {
  const response = await fetch(workerData.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  if (!response.ok) {
    const refused = response.status >= 400 && response.status < 500;
    return { error: "getProgramAccounts: HTTP " + response.status, refused };
  }
  const { result, error } = await response.json();
  if (!result) {
    return { error: "getProgramAccounts: " + (error ? error.message + " (" + error.code + ")" : "no result"), refused: !!error };
  }
  const size = workerData.size;
  const bytes = Buffer.alloc(result.value.length * size);
  result.value.forEach(({ account }, i) => bytes.write(account.data[0], i * size, size, "base64"));
  const addresses = result.value.map(({ pubkey }) => pubkey);
  const owner = workerData.ownerOffset;
  const owners = addresses.map((_, i) => base58(bytes, i * size + owner, i * size + owner + 32));
  return { slot: result.context.slot, addresses, owners, bytes: bytes.buffer };
}
(async () => {
  const bodies = workerData.bodies;
  let ahead = shard(bodies[0]);
  for (let i = 0; i < bodies.length; i++) {
    const answer = await ahead;
    if (answer.error) return parentPort.postMessage(answer);
    if (i + 1 < bodies.length) {
      ahead = shard(bodies[i + 1]);
      ahead.catch(() => undefined);
    }
    parentPort.postMessage({ shard: i, ...answer }, [answer.bytes]);
    await new Promise((resolve) => parentPort.once("message", resolve));
  }
  parentPort.postMessage({ done: true });
})().catch((err) => parentPort.postMessage({ error: String((err && err.message) || err) }));
`;

interface PositionsShard {
  shard: number;
  slot: number;
  addresses: string[];
  /** Each position's owner's address, as its bytes say. */
  owners: string[];
  bytes: Buffer;
}

/** A node's refusal (or error answer) for `getProgramAccounts`, as opposed to a network failure. */
class PositionsRefused extends Error {}

/**
 * Reads every position in a worker, shard by shard, handing each to `merge` (which may take its
 * time: the next is posted once it is done).
 */
function readPositionsInWorker(
  rpcUrl: string,
  bodies: string[],
  started: (worker: Worker) => void,
  merge: (shard: PositionsShard) => Promise<void>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(POSITIONS_WORKER, {
      eval: true,
      workerData: {
        url: rpcUrl,
        bodies,
        size: STAKE_POSITION_LAYOUT.size,
        ownerOffset: STAKE_POSITION_LAYOUT.offsets.owner,
      },
    });
    started(worker);
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      if (error) reject(error);
      else resolve();
    };
    worker.on(
      "message",
      (
        message: Partial<PositionsShard> & { error?: string; refused?: boolean; done?: boolean },
      ) => {
        if (message.error !== undefined) {
          const text = `reading every position: ${message.error}`;
          settle(message.refused ? new PositionsRefused(text) : new Error(text));
        } else if (message.done) settle();
        else {
          const shard = {
            shard: message.shard ?? 0,
            slot: message.slot ?? 0,
            addresses: message.addresses ?? [],
            owners: message.owners ?? [],
            bytes: Buffer.from(message.bytes as unknown as ArrayBuffer),
          };
          merge(shard).then(
            () => worker.postMessage("next"),
            (err: Error) => settle(err),
          );
        }
      },
    );
    worker.once("error", (err) => settle(err));
    worker.once("exit", () => settle(new Error("reading every position: stopped")));
  });
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class TreasurySnapshot {
  state?: TreasuryState;
  /** Highest slot any part of the snapshot was read at. */
  slot = 0;
  /** When the snapshot last changed or was last confirmed against the chain by a check. */
  readAt = new Date(0);
  /** Bumped on every change, for ETags and caches. */
  version = 0;
  chainTime = 0n;
  /**
   * What the node last told: its newest slot (slot notifications and the checks' answers) and
   * when its HTTP side last answered (ms since the epoch; 0: never).
   */
  readonly node = { slot: 0, answeredAt: 0 };
  private balances = new Map<string, bigint>();
  private supply = 0n;
  /**
   * The positions by their owner's address (a lookup derives nothing): every one, or in
   * `onDemand` mode those looked up, least recently used first.
   */
  private positions = new PositionTable();
  /** In `onDemand` mode: owners looked up who have no position, with the slot of the read. */
  private absent = new Map<string, number>();
  private lookups = new Map<string, { address: PublicKey; waiting: ((error?: Error) => void)[] }>();
  private lookupCalls = 0;
  private mode: PositionsMode = { kind: "all" };
  private loaded = false;
  /** The positions' sums, kept as positions change, to hold against the config's totals. */
  private sums = { staked: 0n, unstaking: 0n, stakers: 0 };
  private accounts = new Map<string, WatchedAccount>();
  private sweep: Iterator<string> = this.positions.keys();
  private subscriptions: (() => Promise<void>)[] = [];
  private figuresCache?: { version: number; figures: TreasuryFigures };
  private reportCache?: { version: number; report: TreasuryReportParts };
  private readonly extraNonCirculating: NamedAccount[];
  private readonly config: PublicKey;
  private readonly checkEveryMs: number;
  private readonly positionsPerCheck: number;
  private readonly programIdText: string;
  private readonly positionsCacheSize: number;
  private readonly shardPositionsAbove: number;
  private checkTimer?: NodeJS.Timeout;
  private checking?: Promise<void>;
  private fullRead?: Promise<void>;
  /** A full read asked for while one was under way: it starts when that one ends. */
  private nextFullRead?: Promise<void>;
  /** Full reads begun, numbering the entries each one saw. */
  private reads = 0;
  private stopped = false;
  private worker?: Worker;
  private lastFullReadAt = 0;
  private lastDifference: { key: string; times: number } | null = null;
  /** Who may upgrade the program, from its ProgramData. */
  upgrade?: ProgramUpgradeInfo;
  /** The price guard's oracle account (the push oracle's feed account) and its last update. */
  oracle?: { address: PublicKey; update: PriceUpdateV2 | null };
  private oracleSubscription?: () => Promise<void>;
  readonly consistency: ConsistencyStatus = {
    checks: 0,
    corrections: 0,
    fullReads: 0,
    sweeps: 0,
    difference: null,
    lastFullRead: null,
  };

  constructor(
    private readonly connection: Connection,
    private readonly program: TreasuryProgram,
    options: SnapshotOptions = {},
  ) {
    this.extraNonCirculating = options.nonCirculating ?? [];
    this.config = treasuryConfigPda(program.programId).address;
    this.programIdText = program.programId.toBase58();
    this.checkEveryMs = options.checkEveryMs ?? 1_000;
    this.positionsPerCheck = Math.min(100, Math.max(1, options.positionsPerCheck ?? 100));
    this.positionsCacheSize = Math.max(1, options.positionsCacheSize ?? 100_000);
    this.shardPositionsAbove = options.shardPositionsAbove ?? SHARD_ABOVE;
  }

  /** Whether everything has been read once (`load`): the snapshot can answer. */
  get ready(): boolean {
    return this.loaded && this.state !== undefined && this.upgrade !== undefined;
  }

  /** How many positions the snapshot holds. */
  get positionCount(): number {
    return this.positions.size;
  }

  /** How the snapshot holds the positions. */
  get positionsMode(): PositionsMode {
    return this.mode;
  }

  /** Opens the snapshot and reads everything (`open`, then `load`). */
  async start(): Promise<void> {
    await this.open();
    await this.load();
  }

  /**
   * Reads the config (failing when there is no treasury) and subscribes: a moment's work. The
   * rest is `load`'s.
   */
  async open(): Promise<void> {
    const configInfo = await this.connection.getAccountInfoAndContext(this.config, "confirmed");
    if (!configInfo.value) throw new Error(`no treasury at ${this.config.toBase58()}`);
    this.answered(configInfo.context.slot);
    this.applyAccount(this.config, configInfo.context.slot, configInfo.value.data);
    const state = this.state!;
    const watch = (address: PublicKey) => {
      const id = this.connection.onAccountChange(
        address,
        (info: AccountInfo<Buffer>, context: Context) =>
          this.applyAccount(address, context.slot, info.data),
        { commitment: "confirmed" },
      );
      this.subscriptions.push(() => this.connection.removeAccountChangeListener(id));
    };
    for (const address of [this.config, ...this.tokenAccounts(), state.ashaoMint]) watch(address);
    watch(SYSVAR_CLOCK_PUBKEY);
    // Not every node notifies clock changes (the local validator only notifies accounts that
    // transactions touch), so the clock is also re-read on new slots, at most once a second.
    let lastClockRead = 0;
    const slotId = this.connection.onSlotChange(({ slot }) => {
      this.node.slot = Math.max(this.node.slot, slot);
      if (Date.now() - lastClockRead < CLOCK_REFRESH_MS) return;
      lastClockRead = Date.now();
      void fetchChainTime(this.connection)
        .then((now) => this.clockAt(now))
        .catch(() => undefined);
    });
    this.subscriptions.push(() => this.connection.removeSlotChangeListener(slotId));
    const positionsId = this.connection.onProgramAccountChange(
      this.program.programId,
      (keyed, context) => {
        const address = keyed.accountId.toBase58();
        const record = decodeStakePositionRecord(address, keyed.accountInfo.data);
        if (record) this.notifiedPosition(record, context.slot);
        else if (keyed.accountInfo.data.length === 0) this.deletePositionAt(address, context.slot);
        // Anything else is the config, watched on its own.
      },
      { commitment: "confirmed" },
    );
    this.subscriptions.push(() => this.connection.removeProgramAccountChangeListener(positionsId));
  }

  /** Reads everything (the positions in bulk, or not on a node that refuses), then checks. */
  async load(): Promise<void> {
    await this.reload();
    this.loaded = true;
    if (this.upgrade?.programData) {
      const programData = this.upgrade.programData;
      const id = this.connection.onAccountChange(
        programData,
        (info: AccountInfo<Buffer>, context: Context) => {
          const decoded = decodeProgramData(info.data);
          if (decoded && this.upgrade) {
            this.changed(context.slot, () => {
              this.upgrade = { ...this.upgrade!, upgradeAuthority: decoded.upgradeAuthority };
            });
          }
        },
        { commitment: "confirmed" },
      );
      this.subscriptions.push(() => this.connection.removeAccountChangeListener(id));
    }
    if (this.checkEveryMs > 0 && !this.stopped) {
      this.checkTimer = setInterval(
        () => void this.check().catch(() => undefined),
        this.checkEveryMs,
      );
      this.checkTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.checkTimer);
    await this.worker?.terminate();
    const subscriptions = this.oracleSubscription
      ? [...this.subscriptions, this.oracleSubscription]
      : this.subscriptions;
    this.subscriptions = [];
    this.oracleSubscription = undefined;
    await Promise.all(subscriptions.map((remove) => remove().catch(() => undefined)));
    await Promise.all(
      [this.checking, this.fullRead, this.nextFullRead].map((p) => p?.catch(() => undefined)),
    );
  }

  /**
   * Reads everything again (at start and after a websocket reconnect): the small accounts and
   * the program's ProgramData, then every position off the event loop (in `onDemand` mode, the
   * cache is emptied instead: what was missed while the link was down is read when asked for).
   */
  async reload(): Promise<void> {
    const positions = this.mode.kind === "all" ? this.readAllPositions() : this.forgetPositions();
    const [upgrade] = await Promise.all([
      fetchProgramUpgradeInfo(this.connection, this.program.programId),
      this.checkAccounts(),
    ]);
    this.changed(0, () => (this.upgrade = upgrade));
    await positions;
  }

  /**
   * One bounded consistency check: the config, vaults, mint, oracle and clock in one
   * `getMultipleAccounts`, the next `positionsPerCheck` positions of the sweep in another, and
   * the config's totals against the positions' sums. Overlapping calls share one check.
   */
  check(): Promise<void> {
    this.checking ??= (async () => {
      try {
        await Promise.all([this.checkAccounts(), this.checkPositions()]);
        this.checkTotals();
        this.consistency.checks++;
      } finally {
        this.checking = undefined;
      }
    })();
    return this.checking;
  }

  /** Up to 100 accounts' bytes in one `getMultipleAccounts`, at "confirmed". */
  private readAccounts(addresses: string[]): Promise<AccountsAtSlot> {
    return getMultipleAccountsBytes(this.connection.rpcEndpoint, addresses);
  }

  /** The node answered over HTTP, with its slot then. */
  private answered(slot: number): void {
    this.node.slot = Math.max(this.node.slot, slot);
    this.node.answeredAt = Date.now();
  }

  /** Reads the small accounts and keeps whatever is newer than the snapshot's. */
  private async checkAccounts(): Promise<void> {
    const state = this.state;
    if (!state) return;
    // The oracle once followed (its account is known to hold a price update).
    const oracle = this.oracle?.address;
    const addresses = [
      this.config,
      ...this.tokenAccounts(),
      state.ashaoMint,
      SYSVAR_CLOCK_PUBKEY,
      ...(oracle ? [oracle] : []),
    ];
    const { slot, accounts } = await this.readAccounts(addresses.map((a) => a.toBase58()));
    this.answered(slot);
    accounts.forEach((account, i) => {
      if (this.applyAccount(addresses[i], slot, account?.data ?? Buffer.alloc(0))) {
        // The clock moves every slot: only the others count as repairs.
        if (!addresses[i].equals(SYSVAR_CLOCK_PUBKEY)) this.consistency.corrections++;
      }
    });
    // The snapshot was just confirmed against the chain, changed or not: a quiet treasury's
    // figures are as fresh as the last check (`ageMs`), not as old as its last change.
    this.readAt = new Date();
  }

  /** Re-reads the next slice of the rolling sweep over every position (or every one cached). */
  private async checkPositions(): Promise<void> {
    const slice: PositionEntry[] = [];
    while (slice.length < this.positionsPerCheck) {
      const next = this.sweep.next();
      if (next.done) {
        // A Map's iterator visits what was added during it and skips what was deleted.
        this.sweep = this.positions.keys();
        this.consistency.sweeps++;
        if (this.positions.size === 0 || slice.length >= this.positions.size) break;
        continue;
      }
      const entry = this.positions.get(next.value);
      if (entry) slice.push(entry);
    }
    if (slice.length === 0) return;
    const { slot, accounts } = await this.readAccounts(slice.map((entry) => entry.address));
    this.answered(slot);
    accounts.forEach((account, i) => {
      const { address, owner } = slice[i];
      // The account at an owner's position address holds that owner's position (the address
      // is derived from the owner): no need to write the owner's address out of its bytes.
      const record =
        account?.owner === this.programIdText
          ? decodeStakePositionRecord(address, account.data, 0, owner)
          : null;
      const changed = record ? this.applyPosition(record, slot) : this.deletePosition(owner, slot);
      if (changed) this.consistency.corrections++;
    });
  }

  /**
   * Positions the snapshot never heard of (a missed creation) leave the positions' sums short
   * of the config's totals; a difference that stays the same over several checks (not one the
   * next notification closes) reads every position again. (Not in `onDemand` mode: its sums
   * cover only the positions looked up.)
   */
  private checkTotals(): void {
    const state = this.state;
    if (!state || this.mode.kind !== "all") return;
    const staked = state.totalStaked - this.sums.staked;
    const unstaking = state.totalUnstaking - this.sums.unstaking;
    const stakers = state.stakerCount - this.sums.stakers;
    if (staked === 0n && unstaking === 0n && stakers === 0) {
      this.consistency.difference = null;
      this.lastDifference = null;
      return;
    }
    const key = `staked ${staked}, unstaking ${unstaking}, stakers ${stakers}`;
    this.consistency.difference = key;
    const times = this.lastDifference?.key === key ? this.lastDifference.times + 1 : 1;
    this.lastDifference = { key, times };
    if (
      !this.fullRead &&
      times >= LASTING_DIFFERENCE_CHECKS &&
      Date.now() - this.lastFullReadAt >= MIN_FULL_READ_INTERVAL_MS
    ) {
      this.lastFullReadAt = Date.now();
      void this.readAllPositions().catch(() => undefined);
    }
  }

  /**
   * The `getProgramAccounts` requests for every position: one, or one per first byte of the
   * owner once the config counts many stakers.
   */
  private positionsRequests(): string[] {
    const many = (this.state?.stakerCount ?? 0) > this.shardPositionsAbove;
    const shards = many ? Array.from({ length: SHARDS }, (_, byte) => byte) : [undefined];
    return shards.map((byte) =>
      JSON.stringify(stakePositionsRequest(this.program.programId, byte)),
    );
  }

  /**
   * Reads every position in a worker thread and merges each shard in slices of the event loop:
   * a position a notification or a check read at a later slot is kept, one the read does not
   * hold is dropped unless read after it. A node that refuses the read, or whose answer misses
   * many of the config's stakers, turns the snapshot to `onDemand` mode.
   */
  private readAllPositions(): Promise<void> {
    if (this.fullRead) {
      // The read under way may have fetched before whatever asks again (a reconnect: changes
      // made while the link was down): one more read follows it, shared by all who ask meanwhile.
      this.nextFullRead ??= this.fullRead
        .catch(() => undefined)
        .then(() => {
          this.nextFullRead = undefined;
          return this.stopped || this.mode.kind !== "all" ? undefined : this.readAllPositions();
        });
      return this.nextFullRead;
    }
    this.fullRead = (async () => {
      const read = ++this.reads;
      const bodies = this.positionsRequests();
      /** Each shard's slot (a single read is shard 0 and covers every owner). */
      const shardSlots: number[] = [];
      const shardOf = (owner: string) =>
        bodies.length === 1 ? 0 : utils.bytes.bs58.decode(owner)[0];
      const { size } = STAKE_POSITION_LAYOUT;
      const started = performance.now();
      const times = { positions: 0, requests: bodies.length, ms: 0, waitMs: 0, mergeMs: 0 };
      let merged = started;
      try {
        await readPositionsInWorker(
          this.connection.rpcEndpoint,
          bodies,
          (worker) => (this.worker = worker),
          async ({ shard, slot, addresses, owners, bytes }) => {
            times.waitMs += performance.now() - merged;
            this.answered(slot);
            shardSlots[shard] = slot;
            for (let from = 0; from < addresses.length; from += MERGE_SLICE) {
              const to = Math.min(addresses.length, from + MERGE_SLICE);
              const slice = performance.now();
              for (let i = from; i < to; i++) {
                const record = decodeStakePositionRecord(addresses[i], bytes, i * size, owners[i]);
                if (record) this.applyPosition(record, slot, read);
              }
              times.mergeMs += performance.now() - slice;
              await nextTurn();
            }
            times.positions += addresses.length;
            merged = performance.now();
          },
        );
      } catch (err) {
        if (err instanceof PositionsRefused) {
          this.readPositionsOnDemand(`the node refused getProgramAccounts: ${err.message}`);
          return;
        }
        throw err;
      } finally {
        this.worker = undefined;
      }
      let visited = 0;
      for (const owner of this.positions.keys()) {
        if (this.positions.readOf(owner) !== read) {
          this.deletePosition(owner, shardSlots[shardOf(owner)]);
        }
        if (++visited % MERGE_SLICE === 0) await nextTurn();
      }
      this.consistency.fullReads++;
      this.consistency.lastFullRead = { ...times, ms: performance.now() - started };
      const expected = this.state?.stakerCount ?? 0;
      const shortfall = expected - this.sums.stakers;
      if (
        shortfall >= CAPPED_SHORTFALL.stakers &&
        shortfall >= expected * CAPPED_SHORTFALL.fraction
      ) {
        this.readPositionsOnDemand(
          `getProgramAccounts answered ${this.sums.stakers} staking positions of the config's ` +
            `${expected}: the node caps its answers`,
        );
      }
    })().finally(() => (this.fullRead = undefined));
    return this.fullRead;
  }

  /** Turns to reading positions on demand (the bulk read is refused or capped). */
  private readPositionsOnDemand(reason: string): void {
    this.mode = { kind: "onDemand", reason, cacheSize: this.positionsCacheSize };
    void this.forgetPositions();
  }

  /** Empties the positions held (the cache, in `onDemand` mode). */
  private async forgetPositions(): Promise<void> {
    this.changed(0, () => {
      this.positions = new PositionTable();
      this.absent = new Map();
      this.sweep = this.positions.keys();
      this.sums = { staked: 0n, unstaking: 0n, stakers: 0 };
    });
  }

  /**
   * Applies a watched account's bytes read at `slot` unless the snapshot holds a later read;
   * true when they changed something.
   */
  private applyAccount(address: PublicKey, slot: number, data: Buffer): boolean {
    const key = address.toBase58();
    const held = this.accounts.get(key);
    if (held && (held.slot > slot || held.data.equals(data))) return false;
    this.accounts.set(key, { slot, data });
    if (address.equals(SYSVAR_CLOCK_PUBKEY)) {
      if (data.length > 0) this.clockAt(clockUnixTimestamp(data));
      return true;
    }
    const state = this.state;
    this.changed(slot, () => {
      if (address.equals(this.config)) {
        this.state = decodeTreasury(this.program, this.config, data);
        this.clockAt(this.state.lastUpdateTs);
      } else if (state && address.equals(state.ashaoMint)) {
        this.supply = data.length > 0 ? mintSupply(data) : 0n;
      } else if (this.oracle && address.equals(this.oracle.address)) {
        this.oracle = {
          address,
          update: data.length > 0 ? (decodePriceUpdateV2(data) ?? null) : null,
        };
      } else {
        this.balances.set(key, data.length > 0 ? tokenAmount(data) : 0n);
      }
    });
    // A new price guard names another feed: follow its account instead.
    if (
      address.equals(this.config) &&
      this.oracleAddress()?.toBase58() !== this.oracle?.address.toBase58()
    ) {
      void this.followOracle().catch(() => undefined);
    }
    return true;
  }

  /**
   * The chain's clock only moves forward: a read that returns late never takes it back, and the
   * config's last accrual (made at the chain's time of its instruction) is a moment already
   * reached, known as soon as the config's notification arrives, before the next clock read.
   */
  private clockAt(unix: bigint): void {
    if (unix > this.chainTime) this.chainTime = unix;
  }

  /** The oracle account the price guard reads (none without a guard). */
  private oracleAddress(state: TreasuryState | undefined = this.state): PublicKey | undefined {
    const guard = state?.priceGuard;
    return guard?.kind === "pythPull" ? pythPriceFeedAccount(guard.feedId) : undefined;
  }

  /** Subscribes to the price guard's oracle account (and drops the previous one's). */
  private async followOracle(): Promise<void> {
    const address = this.oracleAddress();
    await this.oracleSubscription?.().catch(() => undefined);
    this.oracleSubscription = undefined;
    if (!address) {
      this.oracle = undefined;
      return;
    }
    this.oracle = { address, update: null };
    this.accounts.delete(address.toBase58());
    const id = this.connection.onAccountChange(
      address,
      (info: AccountInfo<Buffer>, context: Context) =>
        this.applyAccount(address, context.slot, info.data),
      { commitment: "confirmed" },
    );
    this.oracleSubscription = () => this.connection.removeAccountChangeListener(id);
    const { context, value } = await this.connection.getAccountInfoAndContext(address, "confirmed");
    this.applyAccount(address, context.slot, value?.data ?? Buffer.alloc(0));
  }

  /**
   * Re-reads one owner's position (nodes do not notify a program subscription when an account
   * leaves the program, as a closed position does).
   */
  async refreshPosition(owner: PublicKey): Promise<void> {
    const entry = this.positions.get(owner.toBase58());
    if (!entry) return;
    const { context, value } = await this.connection.getAccountInfoAndContext(
      new PublicKey(entry.address),
      "confirmed",
    );
    const record =
      value && value.owner.equals(this.program.programId)
        ? decodeStakePositionRecord(entry.address, value.data)
        : null;
    if (record) this.applyPosition(record, context.slot);
    else this.deletePosition(entry.owner, context.slot);
  }

  /**
   * `owner`'s position as the SDK's views take it, or null: a map lookup, nothing derived; in
   * `onDemand` mode, read by its address when not cached (lookups that arrive together share
   * one `getMultipleAccounts`).
   */
  async lookup(owner: PublicKey): Promise<StakePositionState | null> {
    const key = owner.toBase58();
    if (this.mode.kind === "onDemand" && !this.positions.has(key) && !this.absent.has(key)) {
      await this.readOnDemand(key, owner);
    }
    const entry = this.positions.get(key);
    if (!entry) return null;
    // Most recently used last: the cache drops from the front.
    if (this.mode.kind === "onDemand") this.positions.touch(key);
    return {
      address: new TextKey(entry.address),
      owner,
      bump: entry.bump,
      staked: entry.staked,
      unstaking: entry.unstaking,
      rewardCheckpoint: entry.rewardCheckpoint,
      owedRewards: entry.owedRewards,
      totalClaimed: entry.totalClaimed,
      unstakeTickets: entry.unstakeTickets,
      boostWarmupAmount: entry.boostWarmupAmount,
      boostWarmupEndsAt: entry.boostWarmupEndsAt,
    };
  }

  /** Queues `owner`'s position to be read with the others asked for meanwhile. */
  private readOnDemand(key: string, owner: PublicKey): Promise<void> {
    let lookup = this.lookups.get(key);
    if (!lookup) {
      if (this.lookups.size >= MAX_WAITING_LOOKUPS) {
        return Promise.reject(
          new LookupBusyError(`${this.lookups.size} position lookups are waiting; retry shortly`),
        );
      }
      lookup = { address: stakePositionPda(owner, this.program.programId).address, waiting: [] };
      this.lookups.set(key, lookup);
      if (this.lookups.size === 1) setImmediate(() => this.sendLookups());
    }
    const waiting = lookup.waiting;
    return new Promise((resolve, reject) =>
      waiting.push((error) => (error ? reject(error) : resolve())),
    );
  }

  /** Sends the waiting lookups, `LOOKUPS_PER_CALL` a call, a few calls at a time. */
  private sendLookups(): void {
    while (this.lookups.size > 0 && this.lookupCalls < LOOKUP_CALLS_IN_FLIGHT) {
      const batch = [...this.lookups].slice(0, LOOKUPS_PER_CALL);
      for (const [key] of batch) this.lookups.delete(key);
      this.lookupCalls++;
      void this.readAccounts(batch.map(([, l]) => l.address.toBase58()))
        .then(
          ({ slot, accounts }) => {
            this.answered(slot);
            accounts.forEach((account, i) => {
              const [owner, { address }] = batch[i];
              const record =
                account?.owner === this.programIdText
                  ? decodeStakePositionRecord(address.toBase58(), account.data, 0, owner)
                  : null;
              if (record) this.applyPosition(record, slot);
              else this.markAbsent(owner, slot);
            });
            for (const [, l] of batch) l.waiting.forEach((done) => done());
          },
          (err: Error) => {
            for (const [, l] of batch) l.waiting.forEach((done) => done(err));
          },
        )
        .finally(() => {
          this.lookupCalls--;
          this.sendLookups();
        });
    }
  }

  /** In `onDemand` mode: `owner` has no position as of `slot` (cached, bounded). */
  private markAbsent(owner: string, slot: number): void {
    if (this.positions.has(owner)) this.deletePosition(owner, slot);
    if (this.positions.has(owner)) return;
    this.absent.delete(owner);
    this.absent.set(owner, slot);
    if (this.absent.size > this.positionsCacheSize) {
      this.absent.delete(this.absent.keys().next().value!);
    }
  }

  /** The record held for `owner`, with the slot it was read at. */
  positionRecord(owner: string): Readonly<PositionEntry> | undefined {
    return this.positions.get(owner);
  }

  /**
   * Replaces what the snapshot holds for a position, as a missed or wrong notification would
   * leave it (`null`: as if its creation had never been heard of). For the tests of the checks.
   */
  overwritePosition(owner: string, record: StakePositionRecord | null): void {
    const held = this.positions.get(owner);
    if (held) this.removeEntry(held);
    if (record) this.addEntry({ ...record, slot: held?.slot ?? 0, read: held?.read ?? 0 });
  }

  figures(): TreasuryFigures {
    if (this.figuresCache?.version === this.version) return this.figuresCache.figures;
    const state = this.state;
    if (!state) throw new Error("snapshot not loaded");
    const nonCirculating: NonCirculatingAccount[] = [
      { name: "stake vault (staked and unstaking)", address: state.stakeVault },
      ...this.extraNonCirculating,
    ].map((a) => ({ ...a, balance: this.balances.get(a.address.toBase58()) ?? 0n }));
    const figures = treasuryFigures({
      programId: this.program.programId,
      state,
      buybackVaultBalance: this.balances.get(state.buybackVault.toBase58()) ?? 0n,
      rewardsVaultBalance: this.balances.get(state.rewardsVault.toBase58()) ?? 0n,
      ashaoSupply: this.supply,
      nonCirculating,
      slot: this.slot,
      readAt: this.readAt,
    });
    this.figuresCache = { version: this.version, figures };
    return figures;
  }

  /** The figures with the supply, solvency and policy reports, cached per version. */
  report(): TreasuryReportParts {
    if (this.reportCache?.version === this.version) return this.reportCache.report;
    const state = this.state;
    if (!state || !this.upgrade) throw new Error("snapshot not loaded");
    const figures = this.figures();
    const report = {
      figures,
      supply: supplyReport(figures),
      solvency: solvencyReport(
        state,
        this.balances.get(state.buybackVault.toBase58()) ?? 0n,
        this.balances.get(state.rewardsVault.toBase58()) ?? 0n,
      ),
      policy: policyReport(state, this.upgrade),
    };
    this.reportCache = { version: this.version, report };
    return report;
  }

  /** Token accounts whose balances the snapshot keeps: the vaults and the excluded holdings. */
  private tokenAccounts(): PublicKey[] {
    const state = this.state;
    return [
      ...(state ? [state.buybackVault, state.rewardsVault, state.stakeVault] : []),
      ...this.extraNonCirculating.map((a) => a.address),
    ];
  }

  /**
   * Keeps `record` read at `slot` (by full read number `read`, when one) unless a later read is
   * held; true when it changed anything.
   */
  private applyPosition(record: StakePositionRecord, slot: number, read?: number): boolean {
    const held = this.positions.get(record.owner);
    if (held && (held.slot > slot || sameStakePosition(held, record))) {
      this.positions.seen(record.owner, Math.max(held.slot, slot), read);
      return false;
    }
    this.changed(slot, () => {
      if (held) this.removeEntry(held);
      this.addEntry({ ...record, slot, read: read ?? held?.read ?? 0 });
    });
    return true;
  }

  /**
   * A program notification's position: kept when every position is held; in `onDemand` mode
   * only for owners the cache holds (with or without a position), the rest read when asked.
   */
  private notifiedPosition(record: StakePositionRecord, slot: number): void {
    if (this.mode.kind === "onDemand") {
      if (!this.positions.has(record.owner) && !this.absent.has(record.owner)) return;
      this.absent.delete(record.owner);
    }
    this.applyPosition(record, slot);
  }

  /** Drops `owner`'s position unless it was read after `slot`; true when one was dropped. */
  private deletePosition(owner: string, slot: number): boolean {
    const held = this.positions.get(owner);
    if (!held || held.slot > slot) return false;
    this.changed(slot, () => this.removeEntry(held));
    return true;
  }

  /**
   * A notification of an account gone empty: find whose position it was (rare: closures), in
   * slices of the event loop (a million positions' rows are a few hundred megabytes to search).
   */
  private deletePositionAt(address: string, slot: number): void {
    void this.positions.ownerAt(address, nextTurn).then((owner) => {
      if (owner !== undefined) this.deletePosition(owner, slot);
    });
  }

  private addEntry(entry: PositionEntry): void {
    this.positions.set(entry);
    this.sums.staked += entry.staked;
    this.sums.unstaking += entry.unstaking;
    if (entry.staked > 0n) this.sums.stakers++;
    if (this.mode.kind === "onDemand" && this.positions.size > this.positionsCacheSize) {
      this.removeEntry(this.positions.get(this.positions.oldest()!)!);
    }
  }

  private removeEntry(entry: PositionEntry): void {
    this.positions.delete(entry.owner);
    this.sums.staked -= entry.staked;
    this.sums.unstaking -= entry.unstaking;
    if (entry.staked > 0n) this.sums.stakers--;
  }

  private changed(slot: number, apply: () => void): void {
    apply();
    this.slot = Math.max(this.slot, slot);
    this.readAt = new Date();
    this.version++;
  }
}
