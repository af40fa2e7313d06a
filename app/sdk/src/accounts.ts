/**
 * Fetching and decoding the program's accounts into SDK types: amounts and timestamps as
 * `bigint`, small counters and parameters as `number`, unused fixed slots dropped.
 */
import { BN } from "@anchor-lang/core";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { Commitment, PublicKey } from "@solana/web3.js";

import { ConfigChange, configChangeFromAnchor, PriceGuard, priceGuardFromAnchor } from "./params";
import { stakePositionPda, treasuryConfigPda } from "./pda";
import type { TreasuryProgram } from "./program";

/** One worker-boost tier: a stake of at least `minStake` gets `boostBps`. */
export interface BoostTier {
  minStake: bigint;
  boostBps: number;
}

/** `TreasuryConfig`, decoded. */
export interface TreasuryState {
  address: PublicKey;
  bump: number;
  authority: PublicKey;
  /** `null` when no authority transfer is pending. */
  pendingAuthority: PublicKey | null;
  /** When the pending authority may accept (`null` when none is pending). */
  pendingAuthorityEta: bigint | null;
  usdcMint: PublicKey;
  ashaoMint: PublicKey;
  ashaoTokenProgram: PublicKey;
  buybackVault: PublicKey;
  rewardsVault: PublicKey;
  stakeVault: PublicKey;
  paused: boolean;

  streamPeriodSecs: number;
  unstakeCooldownSecs: number;
  /** The active tiers only, ascending. */
  boostTiers: BoostTier[];
  maxBuybackUsdc: bigint;
  minBuybackIntervalSecs: number;
  maxSlippageBps: number;
  swapProgram: PublicKey;
  /** The active crank operators only. */
  cranks: PublicKey[];
  priceGuard: PriceGuard;
  timelockSecs: number;
  /** The change waiting out the timelock, if any, and from when anyone may apply it. */
  queuedChange: { change: ConfigChange; eta: bigint } | null;

  totalRevenue: bigint;
  totalToBuyback: bigint;
  totalToStakers: bigint;
  buybackBucket: bigint;
  totalBuybackUsdcSpent: bigint;
  totalAshaoBurned: bigint;
  buybackCount: bigint;
  lastBuybackTs: bigint;

  totalStaked: bigint;
  totalUnstaking: bigint;
  stakerCount: number;
  accRewardPerShare: bigint;
  rewardCarry: bigint;
  streamRemaining: bigint;
  streamEndTs: bigint;
  lastUpdateTs: bigint;
  totalRewardsReleased: bigint;
  totalRewardsClaimed: bigint;
}

/** `StakePosition`, decoded. */
export interface StakePositionState {
  address: PublicKey;
  owner: PublicKey;
  bump: number;
  staked: bigint;
  unstaking: bigint;
  unstakeAvailableAt: bigint;
  rewardCheckpoint: bigint;
  owedRewards: bigint;
  totalClaimed: bigint;
}

/**
 * The accounts every instruction builder needs, known without a network round trip once the
 * treasury's mints are known.
 */
export interface TreasuryAccounts {
  programId: PublicKey;
  config: PublicKey;
  usdcMint: PublicKey;
  ashaoMint: PublicKey;
  /** SPL Token or Token-2022, whichever owns the $ASHAO mint. */
  ashaoTokenProgram: PublicKey;
  buybackVault: PublicKey;
  rewardsVault: PublicKey;
  stakeVault: PublicKey;
}

/** The builders' account context, from a fetched treasury. */
export function treasuryAccounts(programId: PublicKey, state: TreasuryState): TreasuryAccounts {
  return {
    programId,
    config: state.address,
    usdcMint: state.usdcMint,
    ashaoMint: state.ashaoMint,
    ashaoTokenProgram: state.ashaoTokenProgram,
    buybackVault: state.buybackVault,
    rewardsVault: state.rewardsVault,
    stakeVault: state.stakeVault,
  };
}

/** USDC is an SPL Token mint (the program refuses others). */
export const USDC_TOKEN_PROGRAM_ID = TOKEN_PROGRAM_ID;

const big = (value: BN): bigint => BigInt(value.toString());

type RawTreasury = Awaited<ReturnType<TreasuryProgram["account"]["treasuryConfig"]["fetch"]>>;
type RawPosition = Awaited<ReturnType<TreasuryProgram["account"]["stakePosition"]["fetch"]>>;

/** Converts the Anchor-decoded config (BN fields) into a `TreasuryState`. */
export function toTreasuryState(address: PublicKey, raw: RawTreasury): TreasuryState {
  return {
    address,
    bump: raw.bump,
    authority: raw.authority,
    pendingAuthority: raw.pendingAuthority.equals(PublicKey.default) ? null : raw.pendingAuthority,
    pendingAuthorityEta: raw.pendingAuthority.equals(PublicKey.default)
      ? null
      : big(raw.pendingAuthorityEta),
    usdcMint: raw.usdcMint,
    ashaoMint: raw.ashaoMint,
    ashaoTokenProgram: raw.ashaoTokenProgram,
    buybackVault: raw.buybackVault,
    rewardsVault: raw.rewardsVault,
    stakeVault: raw.stakeVault,
    paused: raw.paused,
    streamPeriodSecs: raw.streamPeriodSecs,
    unstakeCooldownSecs: raw.unstakeCooldownSecs,
    boostTiers: raw.boostTiers
      .slice(0, raw.boostTierCount)
      .map((tier) => ({ minStake: big(tier.minStake), boostBps: tier.boostBps })),
    maxBuybackUsdc: big(raw.maxBuybackUsdc),
    minBuybackIntervalSecs: raw.minBuybackIntervalSecs,
    maxSlippageBps: raw.maxSlippageBps,
    swapProgram: raw.swapProgram,
    cranks: raw.cranks.slice(0, raw.crankCount),
    priceGuard: priceGuardFromAnchor(raw.priceGuard),
    timelockSecs: raw.timelockSecs,
    queuedChange: raw.queuedChangeEta.isZero()
      ? null
      : { change: configChangeFromAnchor(raw.queuedChange), eta: big(raw.queuedChangeEta) },
    totalRevenue: big(raw.totalRevenue),
    totalToBuyback: big(raw.totalToBuyback),
    totalToStakers: big(raw.totalToStakers),
    buybackBucket: big(raw.buybackBucket),
    totalBuybackUsdcSpent: big(raw.totalBuybackUsdcSpent),
    totalAshaoBurned: big(raw.totalAshaoBurned),
    buybackCount: big(raw.buybackCount),
    lastBuybackTs: big(raw.lastBuybackTs),
    totalStaked: big(raw.totalStaked),
    totalUnstaking: big(raw.totalUnstaking),
    stakerCount: raw.stakerCount,
    accRewardPerShare: big(raw.accRewardPerShare),
    rewardCarry: big(raw.rewardCarry),
    streamRemaining: big(raw.streamRemaining),
    streamEndTs: big(raw.streamEndTs),
    lastUpdateTs: big(raw.lastUpdateTs),
    totalRewardsReleased: big(raw.totalRewardsReleased),
    totalRewardsClaimed: big(raw.totalRewardsClaimed),
  };
}

/** Converts an Anchor-decoded position into a `StakePositionState`. */
export function toStakePositionState(address: PublicKey, raw: RawPosition): StakePositionState {
  return {
    address,
    owner: raw.owner,
    bump: raw.bump,
    staked: big(raw.staked),
    unstaking: big(raw.unstaking),
    unstakeAvailableAt: big(raw.unstakeAvailableAt),
    rewardCheckpoint: big(raw.rewardCheckpoint),
    owedRewards: big(raw.owedRewards),
    totalClaimed: big(raw.totalClaimed),
  };
}

/** Decodes raw `TreasuryConfig` account data (e.g. from an account subscription). */
export function decodeTreasury(
  program: TreasuryProgram,
  address: PublicKey,
  data: Buffer,
): TreasuryState {
  return toTreasuryState(address, program.coder.accounts.decode("treasuryConfig", data));
}

/** Decodes raw `StakePosition` account data. */
export function decodeStakePosition(
  program: TreasuryProgram,
  address: PublicKey,
  data: Buffer,
): StakePositionState {
  return toStakePositionState(address, program.coder.accounts.decode("stakePosition", data));
}

/** The treasury, or `null` before `initialize`. */
export async function fetchTreasury(
  program: TreasuryProgram,
  commitment?: Commitment,
): Promise<TreasuryState | null> {
  const address = treasuryConfigPda(program.programId).address;
  const raw = await program.account.treasuryConfig.fetchNullable(address, commitment);
  return raw ? toTreasuryState(address, raw) : null;
}

/** The treasury, or an error naming what is missing. */
export async function fetchTreasuryOrThrow(
  program: TreasuryProgram,
  commitment?: Commitment,
): Promise<TreasuryState> {
  const state = await fetchTreasury(program, commitment);
  if (!state) {
    throw new Error(
      `treasury not initialised: no TreasuryConfig at ${treasuryConfigPda(program.programId).address.toBase58()}`,
    );
  }
  return state;
}

/** `owner`'s position, or `null` when they have none (never staked, or closed). */
export async function fetchStakePosition(
  program: TreasuryProgram,
  owner: PublicKey,
  commitment?: Commitment,
): Promise<StakePositionState | null> {
  const address = stakePositionPda(owner, program.programId).address;
  const raw = await program.account.stakePosition.fetchNullable(address, commitment);
  return raw ? toStakePositionState(address, raw) : null;
}

/** Every position (getProgramAccounts filtered by the account discriminator). */
export async function fetchAllStakePositions(
  program: TreasuryProgram,
): Promise<StakePositionState[]> {
  const all = await program.account.stakePosition.all();
  return all.map(({ publicKey, account }) => toStakePositionState(publicKey, account));
}
