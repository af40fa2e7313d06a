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
 */
import { Worker } from "worker_threads";

import { AccountLayout, MintLayout } from "@solana/spl-token";
import {
  type AccountInfo,
  type Connection,
  type Context,
  PublicKey,
  SYSVAR_CLOCK_PUBKEY,
} from "@solana/web3.js";

import {
  clockUnixTimestamp,
  decodePriceUpdateV2,
  decodeProgramData,
  decodeStakePositionRecord,
  decodeTreasury,
  fetchChainTime,
  fetchProgramUpgradeInfo,
  type NonCirculatingAccount,
  policyReport,
  type PolicyReport,
  type PriceUpdateV2,
  type ProgramUpgradeInfo,
  pythPriceFeedAccount,
  sameStakePosition,
  solvencyReport,
  type SolvencyReport,
  STAKE_POSITION_LAYOUT,
  type StakePositionRecord,
  type StakePositionState,
  stakePositionsRequest,
  supplyReport,
  type SupplyReport,
  treasuryConfigPda,
  treasuryFigures,
  type TreasuryFigures,
  type TreasuryProgram,
  type TreasuryState,
} from "../../sdk/src";

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
}

/** A position with the slot it was read at. */
type PositionEntry = StakePositionRecord & { slot: number };

/** A record with its slot, built as one literal (a spread would add the slot out of line). */
const entryOf = (record: StakePositionRecord, slot: number): PositionEntry => ({
  address: record.address,
  owner: record.owner,
  bump: record.bump,
  staked: record.staked,
  unstaking: record.unstaking,
  rewardCheckpoint: record.rewardCheckpoint,
  owedRewards: record.owedRewards,
  totalClaimed: record.totalClaimed,
  unstakeTickets: record.unstakeTickets,
  boostWarmupAmount: record.boostWarmupAmount,
  boostWarmupEndsAt: record.boostWarmupEndsAt,
  slot,
});

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

/**
 * Fetches and parses every position's bytes in a worker thread (the answer is tens of megabytes
 * of JSON at 100,000 positions: parsing it on the event loop would hold every request for
 * hundreds of milliseconds). Plain JavaScript, run as is: the worker needs only `fetch`, and the
 * positions are decoded by the SDK on the main thread. It answers the slot, the addresses and
 * one transferred buffer holding each position's bytes at `size` apart.
 */
const POSITIONS_WORKER = `
const { parentPort, workerData } = require("worker_threads");
(async () => {
  const response = await fetch(workerData.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: workerData.body,
  });
  if (!response.ok) throw new Error("getProgramAccounts: HTTP " + response.status);
  const { result, error } = await response.json();
  if (!result) throw new Error("getProgramAccounts: " + (error ? error.message : "no result"));
  const size = workerData.size;
  const bytes = Buffer.alloc(result.value.length * size);
  result.value.forEach(({ account }, i) => bytes.write(account.data[0], i * size, size, "base64"));
  const addresses = result.value.map(({ pubkey }) => pubkey);
  parentPort.postMessage({ slot: result.context.slot, addresses, bytes: bytes.buffer }, [bytes.buffer]);
})().catch((err) => parentPort.postMessage({ error: String((err && err.message) || err) }));
`;

interface PositionsRead {
  slot: number;
  addresses: string[];
  bytes: Buffer;
}

function readPositionsInWorker(
  rpcUrl: string,
  programId: PublicKey,
  started: (worker: Worker) => void,
): Promise<PositionsRead> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(POSITIONS_WORKER, {
      eval: true,
      workerData: {
        url: rpcUrl,
        body: JSON.stringify(stakePositionsRequest(programId)),
        size: STAKE_POSITION_LAYOUT.size,
      },
    });
    started(worker);
    worker.once("message", (message: Partial<PositionsRead> & { error?: string }) => {
      void worker.terminate();
      if (message.error !== undefined || !message.addresses) {
        reject(new Error(`reading every position: ${message.error ?? "no answer"}`));
      } else {
        resolve({
          slot: message.slot ?? 0,
          addresses: message.addresses,
          bytes: Buffer.from(message.bytes as unknown as ArrayBuffer),
        });
      }
    });
    worker.once("error", reject);
    worker.once("exit", () => reject(new Error("reading every position: stopped")));
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
  private balances = new Map<string, bigint>();
  private supply = 0n;
  /** Every position by its owner's address: a lookup derives nothing. */
  private positions = new Map<string, PositionEntry>();
  /** The positions' sums, kept as positions change, to hold against the config's totals. */
  private sums = { staked: 0n, unstaking: 0n, stakers: 0 };
  private accounts = new Map<string, WatchedAccount>();
  private sweep: Iterator<PositionEntry> = this.positions.values();
  private subscriptions: (() => Promise<void>)[] = [];
  private figuresCache?: { version: number; figures: TreasuryFigures };
  private reportCache?: { version: number; report: TreasuryReportParts };
  private readonly extraNonCirculating: NamedAccount[];
  private readonly config: PublicKey;
  private readonly checkEveryMs: number;
  private readonly positionsPerCheck: number;
  private checkTimer?: NodeJS.Timeout;
  private checking?: Promise<void>;
  private fullRead?: Promise<void>;
  /** A full read asked for while one was under way: it starts when that one ends. */
  private nextFullRead?: Promise<void>;
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
  };

  constructor(
    private readonly connection: Connection,
    private readonly program: TreasuryProgram,
    options: SnapshotOptions = {},
  ) {
    this.extraNonCirculating = options.nonCirculating ?? [];
    this.config = treasuryConfigPda(program.programId).address;
    this.checkEveryMs = options.checkEveryMs ?? 1_000;
    this.positionsPerCheck = Math.min(100, Math.max(1, options.positionsPerCheck ?? 100));
  }

  get ready(): boolean {
    return this.state !== undefined && this.upgrade !== undefined;
  }

  /** How many positions the snapshot holds. */
  get positionCount(): number {
    return this.positions.size;
  }

  /**
   * Reads the config, subscribes, then reads everything else (notifications that arrive during
   * the reads are kept when newer), and starts the checks.
   */
  async start(): Promise<void> {
    const configInfo = await this.connection.getAccountInfoAndContext(this.config, "confirmed");
    if (!configInfo.value) throw new Error(`no treasury at ${this.config.toBase58()}`);
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
    const slotId = this.connection.onSlotChange(() => {
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
        if (record) this.applyPosition(record, context.slot);
        else if (keyed.accountInfo.data.length === 0) this.deletePositionAt(address, context.slot);
        // Anything else is the config, watched on its own.
      },
      { commitment: "confirmed" },
    );
    this.subscriptions.push(() => this.connection.removeProgramAccountChangeListener(positionsId));

    await this.reload();
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
    if (this.checkEveryMs > 0) {
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
   * the program's ProgramData, then every position off the event loop.
   */
  async reload(): Promise<void> {
    const positions = this.readAllPositions();
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
    const { context, value } = await this.connection.getMultipleAccountsInfoAndContext(
      addresses,
      "confirmed",
    );
    value.forEach((info, i) => {
      if (this.applyAccount(addresses[i], context.slot, info?.data ?? Buffer.alloc(0))) {
        // The clock moves every slot: only the others count as repairs.
        if (!addresses[i].equals(SYSVAR_CLOCK_PUBKEY)) this.consistency.corrections++;
      }
    });
    // The snapshot was just confirmed against the chain, changed or not: a quiet treasury's
    // figures are as fresh as the last check (`ageMs`), not as old as its last change.
    this.readAt = new Date();
  }

  /** Re-reads the next slice of the rolling sweep over every position. */
  private async checkPositions(): Promise<void> {
    const slice: PositionEntry[] = [];
    while (slice.length < this.positionsPerCheck) {
      const next = this.sweep.next();
      if (next.done) {
        // A Map's iterator visits what was added during it and skips what was deleted.
        this.sweep = this.positions.values();
        this.consistency.sweeps++;
        if (this.positions.size === 0 || slice.length >= this.positions.size) break;
        continue;
      }
      slice.push(next.value);
    }
    if (slice.length === 0) return;
    const { context, value } = await this.connection.getMultipleAccountsInfoAndContext(
      slice.map((entry) => new PublicKey(entry.address)),
      "confirmed",
    );
    value.forEach((info, i) => {
      const { address, owner } = slice[i];
      const record =
        info && info.owner.equals(this.program.programId)
          ? decodeStakePositionRecord(address, info.data)
          : null;
      const changed = record
        ? this.applyPosition(record, context.slot)
        : this.deletePosition(owner, context.slot);
      if (changed) this.consistency.corrections++;
    });
  }

  /**
   * Positions the snapshot never heard of (a missed creation) leave the positions' sums short
   * of the config's totals; a difference that stays the same over several checks (not one the
   * next notification closes) reads every position again.
   */
  private checkTotals(): void {
    const state = this.state;
    if (!state) return;
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
   * Reads every position in a worker thread and merges them in slices of the event loop: a
   * position a notification or a check read at a later slot is kept, one the read does not hold
   * is dropped unless read after it.
   */
  private readAllPositions(): Promise<void> {
    if (this.fullRead) {
      // The read under way may have fetched before whatever asks again (a reconnect: changes
      // made while the link was down): one more read follows it, shared by all who ask meanwhile.
      this.nextFullRead ??= this.fullRead
        .catch(() => undefined)
        .then(() => {
          this.nextFullRead = undefined;
          return this.stopped ? undefined : this.readAllPositions();
        });
      return this.nextFullRead;
    }
    this.fullRead = (async () => {
      try {
        const read = await readPositionsInWorker(
          this.connection.rpcEndpoint,
          this.program.programId,
          (worker) => (this.worker = worker),
        );
        this.worker = undefined;
        const seen = new Set<string>();
        const { size } = STAKE_POSITION_LAYOUT;
        for (let from = 0; from < read.addresses.length; from += MERGE_SLICE) {
          const to = Math.min(read.addresses.length, from + MERGE_SLICE);
          for (let i = from; i < to; i++) {
            const record = decodeStakePositionRecord(read.addresses[i], read.bytes, i * size);
            if (!record) continue;
            seen.add(record.owner);
            this.applyPosition(record, read.slot);
          }
          await nextTurn();
        }
        let visited = 0;
        for (const entry of this.positions.values()) {
          if (!seen.has(entry.owner)) this.deletePosition(entry.owner, read.slot);
          if (++visited % MERGE_SLICE === 0) await nextTurn();
        }
        this.consistency.fullReads++;
      } finally {
        this.fullRead = undefined;
      }
    })();
    return this.fullRead;
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

  /** `owner`'s position as the SDK's views take it, or null: a map lookup, nothing derived. */
  position(owner: PublicKey): StakePositionState | null {
    const entry = this.positions.get(owner.toBase58());
    if (!entry) return null;
    return {
      address: new PublicKey(entry.address),
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
    if (record) this.addEntry(entryOf(record, held?.slot ?? 0));
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

  /** Keeps `record` read at `slot` unless a later read is held; true when it changed anything. */
  private applyPosition(record: StakePositionRecord, slot: number): boolean {
    const held = this.positions.get(record.owner);
    if (held && (held.slot > slot || sameStakePosition(held, record))) {
      if (held.slot < slot) held.slot = slot;
      return false;
    }
    this.changed(slot, () => {
      if (held) this.removeEntry(held);
      this.addEntry(entryOf(record, slot));
    });
    return true;
  }

  /** Drops `owner`'s position unless it was read after `slot`; true when one was dropped. */
  private deletePosition(owner: string, slot: number): boolean {
    const held = this.positions.get(owner);
    if (!held || held.slot > slot) return false;
    this.changed(slot, () => this.removeEntry(held));
    return true;
  }

  /** A notification of an account gone empty: find whose position it was (rare: closures). */
  private deletePositionAt(address: string, slot: number): void {
    for (const entry of this.positions.values()) {
      if (entry.address === address) {
        this.deletePosition(entry.owner, slot);
        return;
      }
    }
  }

  private addEntry(entry: PositionEntry): void {
    this.positions.set(entry.owner, entry);
    this.sums.staked += entry.staked;
    this.sums.unstaking += entry.unstaking;
    if (entry.staked > 0n) this.sums.stakers++;
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
