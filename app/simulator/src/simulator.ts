/**
 * The local economy's simulator: paid usage settled through `settle_usage` by the network's
 * billing authority (most payments: five workers paid their base share and the boost their stake
 * earns, the rest to the treasury), revenue deposited directly (`deposit_revenue`, or a plain
 * transfer accounted by `sync_revenue`) now and then, and a crowd of stakers who stake, request
 * unstakes, withdraw after the cooldown and claim, each through the SDK exactly as a wallet app
 * would. Localnet only: it mints the tokens it needs.
 *
 * The workers stake once, at set-up, at different places on the localnet tiers (1,000 $ASHAO for
 * 5%, 10,000 for 15%): none, below the first tier, the first, exactly the second's minimum and
 * well above it; the clock is then moved past the warm-up (one unstake cooldown), so their
 * boosts apply from the first settlement and show in the dashboard's Workers section.
 *
 * Sized like a real treasury, so the figures the dashboard shows mean what they would on
 * mainnet: revenue arrives at a daily rate on the chain's clock (5,000 USDC a day by default,
 * each payment what has accrued since the last, ±50%; a settlement's gross is twice that, its
 * workers' base shares half of the gross), so moving the clock moves the revenue with it; a dozen stakers hold 10 to 60 million $ASHAO each, so at the local pool's price
 * (0.02 USDC) about 250 million staked earn the stakers' half at a yield in the range staking
 * pages show (10-25% APR); and the buyback half (about 1.7 USDC a minute) stays far inside
 * what the cap and interval can spend (250 USDC a minute), so the bucket never piles up.
 */
import { Wallet } from "@anchor-lang/core";
import { createTransferCheckedInstruction, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import {
  ComputeBudgetProgram,
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  TransactionInstruction,
} from "@solana/web3.js";

import { fundedTokenAccount, type LocalMint } from "../../localnet/tokens";
import { advanceClock } from "../../localnet/validator";
import {
  claimInstructions,
  depositRevenueIx,
  fetchChainTime,
  fetchStakePosition,
  fetchTreasuryOrThrow,
  findTreasuryEvents,
  formatUnits,
  maturedUnstake,
  MAX_UNSTAKE_TICKETS,
  pendingRewards,
  requestUnstakeInstructions,
  sendAndConfirm,
  settleUsage,
  stakeInstructions,
  syncRevenueIx,
  toTreasuryError,
  type TreasuryAccounts,
  type TreasuryProgram,
  USDC_DECIMALS,
  ASHAO_DECIMALS,
  withdrawInstructions,
} from "../../sdk/src";
import { delayUnlessAborted } from "../../util/delay";
import { SeededRandom } from "./random";

export interface SimulatorOptions {
  connection: Connection;
  program: TreasuryProgram;
  accounts: TreasuryAccounts;
  usdc: LocalMint;
  ashao: LocalMint;
  /** Pays fees and rent for the simulated wallets. */
  funder: Keypair;
  /** A billing authority of the treasury: settles the workers' usage (none: deposits only). */
  billing?: Keypair;
  stakers?: number;
  /** Revenue a day of the chain's clock, in USDC base units (default 5,000 USDC). */
  revenuePerDay?: bigint;
  /** Milliseconds between two simulated actions (default 1500). */
  stepMs?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface SimulatorStats {
  steps: number;
  /** Revenue the treasury received: deposits, and what settlements left after paying workers. */
  revenueUsdc: bigint;
  /** Usage settled: what workers were paid (boosts included), and the boosts. */
  paidToWorkers: bigint;
  boostPaid: bigint;
  actions: Record<string, number>;
  refusals: Record<string, number>;
}

interface SimulatedStaker {
  wallet: Wallet;
  ashaoAccount: PublicKey;
}

const USDC = 10n ** BigInt(USDC_DECIMALS);
const ASHAO = 10n ** BigInt(ASHAO_DECIMALS);
const DEFAULT_REVENUE_PER_DAY = 5_000n * USDC;
const DEFAULT_STAKERS = 12;
/** What each simulated staker holds, in whole $ASHAO. */
const HOLDING_MIN = 10_000_000n;
const HOLDING_MAX = 60_000_000n;
/**
 * The workers' stakes in whole $ASHAO (null: no position), against the localnet tiers (1,000
 * for 5%, 10,000 for 15%): none, below the first, the first, the second's edge, above it.
 */
export const WORKER_STAKES: readonly (bigint | null)[] = [null, 500n, 2_000n, 10_000n, 40_000n];
/** Of each settlement's gross, the part that is the workers' base shares (the rest: boosts, revenue). */
const BASE_SHARE_PERCENT = 50n;

export class Simulator {
  readonly stats: SimulatorStats = {
    steps: 0,
    revenueUsdc: 0n,
    paidToWorkers: 0n,
    boostPaid: 0n,
    actions: {},
    refusals: {},
  };
  private readonly random: SeededRandom;
  private readonly log: (line: string) => void;
  private stakers: SimulatedStaker[] = [];
  private workers: PublicKey[] = [];
  /** Revenue payments made: which kind the next is. */
  private payments = 0;
  private revenueSource?: { keypair: Keypair; usdcAccount: PublicKey };
  /** The chain time revenue was last paid up to. */
  private revenuePaidTo = 0n;

  constructor(private readonly options: SimulatorOptions) {
    this.random = new SeededRandom(options.seed ?? 42);
    this.log = options.log ?? (() => undefined);
  }

  /** The simulated stakers' wallets. */
  get stakerWallets(): PublicKey[] {
    return this.stakers.map((s) => s.wallet.publicKey);
  }

  /** The workers paid by usage settled, in `WORKER_STAKES`' order. */
  get workerWallets(): PublicKey[] {
    return [...this.workers];
  }

  /** Creates and funds the revenue source and the stakers. */
  async setUp(): Promise<void> {
    const { connection, funder, usdc, ashao } = this.options;
    const revenue = await this.newWallet();
    this.revenueSource = {
      keypair: revenue,
      usdcAccount: await fundedTokenAccount(
        connection,
        funder,
        usdc,
        revenue.publicKey,
        1_000_000_000n * USDC,
      ),
    };
    if (this.options.billing) await this.setUpWorkers(this.options.billing);
    this.revenuePaidTo = await fetchChainTime(connection);
    const count = this.options.stakers ?? DEFAULT_STAKERS;
    for (let i = 0; i < count; i++) {
      const keypair = await this.newWallet();
      const holding = this.random.amount(HOLDING_MIN, HOLDING_MAX) * ASHAO;
      const ashaoAccount = await fundedTokenAccount(
        connection,
        funder,
        ashao,
        keypair.publicKey,
        holding,
      );
      // Claims land in the staker's USDC account, which must exist.
      await fundedTokenAccount(connection, funder, usdc, keypair.publicKey);
      this.stakers.push({ wallet: new Wallet(keypair), ashaoAccount });
    }
    this.log(`simulator: revenue source and ${count} stakers funded`);
  }

  /**
   * The workers: each with a USDC account, those that stake with their stake, then the clock
   * moved past the warm-up so it counts; the billing authority funded for their usage.
   */
  private async setUpWorkers(billing: Keypair): Promise<void> {
    const { connection, program, accounts, funder, usdc, ashao } = this.options;
    await fundedTokenAccount(connection, funder, usdc, billing.publicKey, 1_000_000_000n * USDC);
    for (const stake of WORKER_STAKES) {
      const keypair = await this.newWallet();
      await fundedTokenAccount(connection, funder, usdc, keypair.publicKey);
      if (stake !== null) {
        const ashaoAccount = await fundedTokenAccount(
          connection,
          funder,
          ashao,
          keypair.publicKey,
          stake * ASHAO,
        );
        const wallet = new Wallet(keypair);
        await this.send(
          { wallet, ashaoAccount },
          await stakeInstructions(program, keypair.publicKey, stake * ASHAO, accounts),
        );
      }
      this.workers.push(keypair.publicKey);
    }
    const treasury = await fetchTreasuryOrThrow(program);
    await advanceClock(connection, Number(treasury.unstakeCooldownSecs));
    this.log(
      `simulator: ${WORKER_STAKES.length} workers staking ` +
        `${WORKER_STAKES.map((s) => (s === null ? "nothing" : `${s}`)).join(", ")} $ASHAO, warmed up`,
    );
  }

  /** Runs one step every `stepMs` until `signal` aborts. Failures are logged, never fatal. */
  async run(signal: AbortSignal): Promise<void> {
    const stepMs = this.options.stepMs ?? 1_500;
    while (!signal.aborted) {
      try {
        await this.step();
      } catch (err) {
        const info = toTreasuryError(err);
        this.stats.refusals[info.name] = (this.stats.refusals[info.name] ?? 0) + 1;
        this.log(`simulator: step failed: ${info.name}: ${info.message}`);
      }
      await delayUnlessAborted(stepMs, signal);
    }
  }

  /** One simulated event: revenue on every third step, otherwise a staker's move. */
  async step(): Promise<void> {
    this.stats.steps++;
    if (this.stats.steps % 3 === 1) await this.payRevenue();
    else await this.stakerMove(this.random.pick(this.stakers));
  }

  /** Pays what has accrued at the daily rate since the last payment (±50%), if anything. */
  private async payRevenue(): Promise<void> {
    const source = this.revenueSource;
    if (!source) throw new Error("simulator: setUp() first");
    const { connection, program, accounts, usdc } = this.options;
    const now = await fetchChainTime(connection);
    const elapsed = now > this.revenuePaidTo ? now - this.revenuePaidTo : 0n;
    const perDay = this.options.revenuePerDay ?? DEFAULT_REVENUE_PER_DAY;
    const amount = (perDay * elapsed * BigInt(this.random.int(50, 150))) / (86_400n * 100n);
    if (amount === 0n) return;
    this.revenuePaidTo = now;
    // Most payments are usage settled for the workers; every fifth a plain transfer synced,
    // and one in five a direct deposit (without a billing authority, deposits only).
    const kind = ++this.payments % 5;
    if (this.options.billing && kind !== 0 && kind !== 2) {
      await this.settleUsage(this.options.billing, amount);
      return;
    }
    if (kind === 0) {
      // A settlement that pays by plain transfer; anyone may account it with sync_revenue.
      await sendAndConfirm(
        connection,
        [
          createTransferCheckedInstruction(
            source.usdcAccount,
            usdc.mint,
            accounts.buybackVault,
            source.keypair.publicKey,
            amount,
            USDC_DECIMALS,
            [],
            TOKEN_PROGRAM_ID,
          ),
          await syncRevenueIx(program, accounts, { payer: source.keypair.publicKey }),
        ],
        { keypairs: [source.keypair] },
      );
      this.count("transfer+sync_revenue");
    } else {
      const ix = await depositRevenueIx(program, accounts, {
        payer: source.keypair.publicKey,
        source: source.usdcAccount,
        amount,
      });
      await sendAndConfirm(connection, [ix], { keypairs: [source.keypair] });
      this.count("deposit_revenue");
    }
    this.stats.revenueUsdc += amount;
    this.log(`simulator: revenue ${formatUnits(amount, USDC_DECIMALS)} USDC`);
  }

  /**
   * One batch of usage: gross twice `amount`, half of it the workers' base shares (in random
   * parts), each paid its boost on top by the program; the treasury's revenue is what is left.
   */
  private async settleUsage(billing: Keypair, amount: bigint): Promise<void> {
    const { connection, program } = this.options;
    const gross = (amount * 100n) / BASE_SHARE_PERCENT;
    const weights = this.workers.map(() => BigInt(this.random.int(1, 10)));
    const total = weights.reduce((sum, w) => sum + w, 0n);
    const bases = weights.map((w) => (amount * w) / total);
    const { signature } = await settleUsage(program, new Wallet(billing), {
      gross,
      workers: this.workers.map((worker, i) => ({ worker, base: bases[i] })),
    });
    const tx = await connection.getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    const [settled] = findTreasuryEvents(program, tx?.meta?.logMessages ?? [], "usageSettled");
    if (!settled) throw new Error(`settlement ${signature}: its UsageSettled event was not found`);
    this.count("settle_usage");
    this.stats.revenueUsdc += settled.data.revenue;
    this.stats.paidToWorkers += settled.data.paidToWorkers;
    this.stats.boostPaid += settled.data.boostPaid;
    this.log(
      `simulator: usage of ${formatUnits(gross, USDC_DECIMALS)} USDC settled: workers ` +
        `${formatUnits(settled.data.paidToWorkers, USDC_DECIMALS)} USDC (boosts ` +
        `${formatUnits(settled.data.boostPaid, USDC_DECIMALS)}), treasury ` +
        `${formatUnits(settled.data.revenue, USDC_DECIMALS)}`,
    );
  }

  private async stakerMove(staker: SimulatedStaker): Promise<void> {
    const { connection, program } = this.options;
    const owner = staker.wallet.publicKey;
    const [position, treasury, now, balance] = await Promise.all([
      fetchStakePosition(program, owner),
      fetchTreasuryOrThrow(program),
      fetchChainTime(connection),
      connection.getTokenAccountBalance(staker.ashaoAccount, "confirmed"),
    ]);
    const held = BigInt(balance.value.amount);
    const who = owner.toBase58().slice(0, 6);

    const matured = position ? maturedUnstake(position.unstakeTickets, now) : 0n;
    if (matured > 0n) {
      await this.send(staker, await withdrawInstructions(program, owner, this.options.accounts));
      this.count("withdraw");
      this.log(`simulator: ${who} withdrew ${formatUnits(matured, ASHAO_DECIMALS)}`);
      return;
    }
    const pending = position ? pendingRewards(treasury, position, now) : 0n;
    const roll = this.random.next();
    if (position && pending > 0n && roll < 0.3) {
      await this.send(staker, await claimInstructions(program, owner, this.options.accounts));
      this.count("claim");
      this.log(`simulator: ${who} claimed ${formatUnits(pending, USDC_DECIMALS)} USDC`);
    } else if (
      position &&
      position.staked > 0n &&
      position.unstakeTickets.length < MAX_UNSTAKE_TICKETS &&
      roll < 0.45
    ) {
      const amount = position.staked / BigInt(this.random.int(2, 4));
      if (amount === 0n) return;
      await this.send(staker, await requestUnstakeInstructions(program, owner, amount));
      this.count("request_unstake");
      this.log(`simulator: ${who} requested unstake of ${formatUnits(amount, ASHAO_DECIMALS)}`);
    } else if (held > 0n) {
      const amount = held / BigInt(this.random.int(1, 3));
      if (amount === 0n) return;
      await this.send(
        staker,
        await stakeInstructions(program, owner, amount, this.options.accounts),
      );
      this.count("stake");
      this.log(`simulator: ${who} staked ${formatUnits(amount, ASHAO_DECIMALS)} $ASHAO`);
    }
  }

  /**
   * Signs with the staker's wallet and sends, with a priority fee that differs per step (as
   * wallet apps set one), so two equal moves in one slot are two transactions, not a replay.
   */
  private async send(staker: SimulatedStaker, instructions: TransactionInstruction[]) {
    const fee = ComputeBudgetProgram.setComputeUnitPrice({ microLamports: this.stats.steps });
    await sendAndConfirm(this.options.connection, [fee, ...instructions], {
      wallet: staker.wallet,
    });
  }

  private async newWallet(): Promise<Keypair> {
    const { connection } = this.options;
    const keypair = Keypair.generate();
    const signature = await connection.requestAirdrop(keypair.publicKey, 10 * LAMPORTS_PER_SOL);
    const latest = await connection.getLatestBlockhash("confirmed");
    await connection.confirmTransaction({ signature, ...latest }, "confirmed");
    return keypair;
  }

  private count(action: string): void {
    this.stats.actions[action] = (this.stats.actions[action] ?? 0) + 1;
  }
}
