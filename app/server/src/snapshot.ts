/**
 * The treasury in memory, kept fresh by websocket subscriptions: the config, its three vaults,
 * the $ASHAO mint, every stake position, the clock, the program's ProgramData (its upgrade
 * authority) and the price guard's oracle account. Requests read it; none waits on the RPC.
 * After a websocket reconnect (or on `reload()`), everything is read again.
 */
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
  decodeStakePosition,
  decodeTreasury,
  fetchAllStakePositions,
  fetchChainTime,
  fetchProgramUpgradeInfo,
  type NonCirculatingAccount,
  policyReport,
  type PolicyReport,
  type PriceUpdateV2,
  type ProgramUpgradeInfo,
  pythPriceFeedAccount,
  solvencyReport,
  type SolvencyReport,
  type StakePositionState,
  stakePositionPda,
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
}

/** Reads a token account's amount or a mint's supply from raw account data. */
const tokenAmount = (data: Buffer) =>
  AccountLayout.decode(data.subarray(0, AccountLayout.span)).amount;
const mintSupply = (data: Buffer) => MintLayout.decode(data.subarray(0, MintLayout.span)).supply;
const CLOCK_REFRESH_MS = 1_000;

export class TreasurySnapshot {
  state?: TreasuryState;
  /** Highest slot any part of the snapshot was read at. */
  slot = 0;
  readAt = new Date(0);
  /** Bumped on every change, for ETags and caches. */
  version = 0;
  chainTime = 0n;
  private balances = new Map<string, bigint>();
  private supply = 0n;
  private positions = new Map<string, StakePositionState>();
  private subscriptions: (() => Promise<void>)[] = [];
  private figuresCache?: { version: number; figures: TreasuryFigures };
  private reportCache?: { version: number; report: TreasuryReportParts };
  private readonly extraNonCirculating: NamedAccount[];
  /** Who may upgrade the program, from its ProgramData. */
  upgrade?: ProgramUpgradeInfo;
  /** The price guard's oracle account (the push oracle's feed account) and its last update. */
  oracle?: { address: PublicKey; update: PriceUpdateV2 | null };
  private oracleSubscription?: () => Promise<void>;

  constructor(
    private readonly connection: Connection,
    private readonly program: TreasuryProgram,
    options: SnapshotOptions = {},
  ) {
    this.extraNonCirculating = options.nonCirculating ?? [];
  }

  get ready(): boolean {
    return this.state !== undefined;
  }

  /** Loads everything, then subscribes. */
  async start(): Promise<void> {
    await this.reload();
    const config = treasuryConfigPda(this.program.programId).address;
    const state = this.state!;
    const watch = (address: PublicKey, apply: (data: Buffer) => void) => {
      const id = this.connection.onAccountChange(
        address,
        (info: AccountInfo<Buffer>, context: Context) =>
          this.update(context.slot, () => apply(info.data)),
        { commitment: "confirmed" },
      );
      this.subscriptions.push(() => this.connection.removeAccountChangeListener(id));
    };
    watch(config, (data) => {
      this.state = decodeTreasury(this.program, config, data);
      this.clockAt(this.state.lastUpdateTs);
      // A new price guard names another feed: follow its account instead.
      if (this.oracleAddress()?.toBase58() !== this.oracle?.address.toBase58()) {
        void this.followOracle().catch(() => undefined);
      }
    });
    if (this.upgrade?.programData) {
      watch(this.upgrade.programData, (data) => {
        const decoded = decodeProgramData(data);
        if (decoded && this.upgrade) {
          this.upgrade = { ...this.upgrade, upgradeAuthority: decoded.upgradeAuthority };
        }
      });
    }
    await this.followOracle();
    for (const vault of [state.buybackVault, state.rewardsVault, ...this.tokenAccounts()]) {
      watch(vault, (data) => this.balances.set(vault.toBase58(), tokenAmount(data)));
    }
    watch(state.ashaoMint, (data) => (this.supply = mintSupply(data)));
    watch(SYSVAR_CLOCK_PUBKEY, (data) => this.clockAt(clockUnixTimestamp(data)));
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
      (keyed, context) =>
        this.update(context.slot, () => {
          const address = keyed.accountId;
          if (keyed.accountInfo.data.length === 0) {
            this.deletePosition(address);
            return;
          }
          try {
            const position = decodeStakePosition(this.program, address, keyed.accountInfo.data);
            this.positions.set(position.owner.toBase58(), position);
          } catch {
            // Not a position (the config is watched on its own).
          }
        }),
      { commitment: "confirmed" },
    );
    this.subscriptions.push(() => this.connection.removeProgramAccountChangeListener(positionsId));
  }

  async stop(): Promise<void> {
    const subscriptions = this.oracleSubscription
      ? [...this.subscriptions, this.oracleSubscription]
      : this.subscriptions;
    this.subscriptions = [];
    this.oracleSubscription = undefined;
    await Promise.all(subscriptions.map((remove) => remove().catch(() => undefined)));
  }

  /** Reads everything in one consistent round (used at start and after a reconnect). */
  async reload(): Promise<void> {
    const config = treasuryConfigPda(this.program.programId).address;
    const configInfo = await this.connection.getAccountInfoAndContext(config, "confirmed");
    if (!configInfo.value) throw new Error(`no treasury at ${config.toBase58()}`);
    const state = decodeTreasury(this.program, config, configInfo.value.data);
    const accounts = [state.buybackVault, state.rewardsVault, ...this.tokenAccounts(state)];
    const oracle = this.oracleAddress(state);
    const [balances, mint, clock, positions, upgrade, oracleInfo] = await Promise.all([
      this.connection.getMultipleAccountsInfoAndContext(accounts, "confirmed"),
      this.connection.getAccountInfo(state.ashaoMint, "confirmed"),
      this.connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY, "confirmed"),
      fetchAllStakePositions(this.program),
      fetchProgramUpgradeInfo(this.connection, this.program.programId),
      oracle ? this.connection.getAccountInfo(oracle, "confirmed") : Promise.resolve(null),
    ]);
    this.update(Math.max(configInfo.context.slot, balances.context.slot), () => {
      this.state = state;
      this.clockAt(state.lastUpdateTs);
      balances.value.forEach((info, i) =>
        this.balances.set(accounts[i].toBase58(), info ? tokenAmount(info.data) : 0n),
      );
      this.supply = mint ? mintSupply(mint.data) : 0n;
      if (clock) this.clockAt(clockUnixTimestamp(clock.data));
      this.positions = new Map(positions.map((p) => [p.owner.toBase58(), p]));
      this.upgrade = upgrade;
      this.oracle = oracle
        ? {
            address: oracle,
            update: oracleInfo ? (decodePriceUpdateV2(oracleInfo.data) ?? null) : null,
          }
        : undefined;
    });
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
    const id = this.connection.onAccountChange(
      address,
      (info: AccountInfo<Buffer>, context: Context) =>
        this.update(context.slot, () => {
          this.oracle = { address, update: decodePriceUpdateV2(info.data) ?? null };
        }),
      { commitment: "confirmed" },
    );
    this.oracleSubscription = () => this.connection.removeAccountChangeListener(id);
    const info = await this.connection.getAccountInfo(address, "confirmed");
    this.oracle = { address, update: info ? (decodePriceUpdateV2(info.data) ?? null) : null };
  }

  /**
   * Re-reads one owner's position (nodes do not notify a program subscription when an account
   * leaves the program, as a closed position does).
   */
  async refreshPosition(owner: PublicKey): Promise<void> {
    const address = this.positionAddress(owner);
    const { context, value } = await this.connection.getAccountInfoAndContext(address, "confirmed");
    this.update(context.slot, () => {
      if (value && value.owner.equals(this.program.programId)) {
        this.positions.set(
          owner.toBase58(),
          decodeStakePosition(this.program, address, value.data),
        );
      } else {
        this.positions.delete(owner.toBase58());
      }
    });
  }

  position(owner: PublicKey): StakePositionState | null {
    return this.positions.get(owner.toBase58()) ?? null;
  }

  positionAddress(owner: PublicKey): PublicKey {
    return stakePositionPda(owner, this.program.programId).address;
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

  private tokenAccounts(state: TreasuryState | undefined = this.state): PublicKey[] {
    return [
      ...(state ? [state.stakeVault] : []),
      ...this.extraNonCirculating.map((a) => a.address),
    ];
  }

  private deletePosition(address: PublicKey) {
    for (const [owner, position] of this.positions) {
      if (position.address.equals(address)) this.positions.delete(owner);
    }
  }

  private update(slot: number, apply: () => void) {
    apply();
    this.slot = Math.max(this.slot, slot);
    this.readAt = new Date();
    this.version++;
  }
}
