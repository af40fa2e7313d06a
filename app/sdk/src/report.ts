/**
 * What a treasury watcher checks beside the figures, computed the same way by the API and the
 * CLI: the supply (burned to date against the supply before any buyback, circulating and what
 * is excluded, each with its address), solvency (each vault against what it owes, the program's
 * invariant written out with the addresses) and the policy (the fixed split, the program and its
 * upgrade authority, the parameters and what is pending). `fetchTreasuryReport` reads it all
 * from the chain in one round.
 */
import { getMint } from "@solana/spl-token";
import { PublicKey } from "@solana/web3.js";

import { fetchTreasuryOrThrow, type TreasuryState } from "./accounts";
import { fetchChainTime } from "./clock";
import { ASHAO_DECIMALS, BPS_DENOMINATOR, USDC_DECIMALS } from "./constants";
import { exactAmountNumber } from "./display";
import {
  type Amount,
  amount,
  type NonCirculatingAccount,
  treasuryFigures,
  type TreasuryFigures,
} from "./figures";
import { fetchProgramUpgradeInfo, type ProgramUpgradeInfo } from "./program-data";
import { treasuryPolicy, type TreasuryPolicy } from "./policy";
import type { TreasuryProgram } from "./program";

const usdc = (raw: bigint) => amount(raw, USDC_DECIMALS);
const ashao = (raw: bigint) => amount(raw, ASHAO_DECIMALS);

// ---------------------------------------------------------------------------------- supply

export interface SupplyReport {
  mint: string;
  total: Amount;
  /**
   * The supply before any buyback: today's supply plus everything buybacks burned (the program
   * never mints, so this is what the mint held when buybacks began, less any burn outside them).
   */
  initial: Amount;
  /** $ASHAO the buybacks burned to date. */
  burned: Amount;
  /** `burned` as a percentage of `initial`, to 4 decimals. */
  burnedPercent: number;
  circulating: Amount;
  /** Holdings left out of `circulating`, each with its address. */
  excluded: { name: string; address: string; amount: Amount }[];
}

/** Hundredths of a basis point: a share to 4 decimals of a percent. */
const SHARE_SCALE = 1_000_000n;

export function supplyReport(figures: TreasuryFigures): SupplyReport {
  const total = BigInt(figures.totalSupply.raw);
  const burned = BigInt(figures.ashaoBurned.raw);
  const initial = total + burned;
  const share = initial === 0n ? 0n : (burned * SHARE_SCALE + initial / 2n) / initial;
  return {
    mint: figures.ashaoMint,
    total: figures.totalSupply,
    initial: ashao(initial),
    burned: figures.ashaoBurned,
    burnedPercent: Number(share) / 10_000,
    circulating: figures.circulatingSupply,
    excluded: figures.nonCirculating,
  };
}

// -------------------------------------------------------------------------------- solvency

export interface VaultSolvency {
  vault: string;
  /** The vault's USDC balance. */
  holds: Amount;
  /** What the treasury's books say it must hold. */
  owes: Amount;
  /** `holds − owes`: USDC sent by plain transfer and not yet synced (`sync_revenue`), if any. */
  surplus: Amount;
  solvent: boolean;
}

export interface SolvencyReport {
  solvent: boolean;
  /** The buyback vault against the unspent buyback bucket. */
  buyback: VaultSolvency;
  /** The rewards vault against what stakers are owed: still streaming plus released, unclaimed. */
  rewards: VaultSolvency & { streaming: Amount; releasedUnclaimed: Amount };
  /** The program's accounting identities, each true after every instruction. */
  identities: { name: string; holds: boolean; text: string }[];
  /** The whole check in one line, with the addresses to verify it against. */
  line: string;
}

const exactUsdc = (raw: bigint) => `${exactAmountNumber(usdc(raw))} USDC`;

function vault(address: PublicKey, holds: bigint, owes: bigint): VaultSolvency {
  return {
    vault: address.toBase58(),
    holds: usdc(holds),
    owes: usdc(owes),
    surplus: usdc(holds > owes ? holds - owes : 0n),
    solvent: holds >= owes,
  };
}

/**
 * The vaults against what they owe, as the program's `invariant()` and `sync_revenue` hold them:
 * buyback vault ≥ bucket; rewards vault ≥ stream remaining + (released − claimed).
 */
export function solvencyReport(
  state: TreasuryState,
  buybackVaultBalance: bigint,
  rewardsVaultBalance: bigint,
): SolvencyReport {
  const releasedUnclaimed = state.totalRewardsReleased - state.totalRewardsClaimed;
  const rewardsOwed = state.streamRemaining + releasedUnclaimed;
  const buyback = vault(state.buybackVault, buybackVaultBalance, state.buybackBucket);
  const rewards = {
    ...vault(state.rewardsVault, rewardsVaultBalance, rewardsOwed),
    streaming: usdc(state.streamRemaining),
    releasedUnclaimed: usdc(releasedUnclaimed),
  };
  const identity = (name: string, left: bigint, right: bigint, text: string) => ({
    name,
    holds: left === right,
    text,
  });
  const identities = [
    identity(
      "split",
      state.totalRevenue,
      state.totalToBuyback + state.totalToStakers,
      `revenue ${exactUsdc(state.totalRevenue)} = to buyback ${exactUsdc(state.totalToBuyback)} + to stakers ${exactUsdc(state.totalToStakers)}`,
    ),
    identity(
      "buybackBooks",
      state.totalToBuyback,
      state.buybackBucket + state.totalBuybackUsdcSpent,
      `to buyback ${exactUsdc(state.totalToBuyback)} = bucket ${exactUsdc(state.buybackBucket)} + spent ${exactUsdc(state.totalBuybackUsdcSpent)}`,
    ),
    identity(
      "rewardBooks",
      state.totalToStakers,
      state.totalRewardsReleased + state.streamRemaining,
      `to stakers ${exactUsdc(state.totalToStakers)} = released ${exactUsdc(state.totalRewardsReleased)} + streaming ${exactUsdc(state.streamRemaining)}`,
    ),
  ];
  const sign = (ok: boolean) => (ok ? "≥" : "<");
  const line =
    `buyback vault ${buyback.vault} holds ${exactUsdc(buybackVaultBalance)} ${sign(buyback.solvent)} ` +
    `bucket ${exactUsdc(state.buybackBucket)}; rewards vault ${rewards.vault} holds ` +
    `${exactUsdc(rewardsVaultBalance)} ${sign(rewards.solvent)} owed ${exactUsdc(rewardsOwed)} ` +
    `(streaming ${exactUsdc(state.streamRemaining)} + released unclaimed ${exactUsdc(releasedUnclaimed)})`;
  return {
    solvent: buyback.solvent && rewards.solvent && identities.every((i) => i.holds),
    buyback,
    rewards,
    identities,
    line,
  };
}

// ---------------------------------------------------------------------------------- policy

/**
 * What an authority is: a single key (a point on the ed25519 curve: an ordinary wallet's key,
 * one person's to sign with) or a program's address (off the curve: a multisig vault, a PDA).
 */
export type KeyHolder = "singleKey" | "programAddress";

export const keyHolder = (key: PublicKey): KeyHolder =>
  PublicKey.isOnCurve(key.toBytes()) ? "singleKey" : "programAddress";

export interface PolicyReport extends TreasuryPolicy {
  /** Whether the authority is one key or a program's address (a multisig vault). */
  authorityHolder: KeyHolder;
  programId: string;
  /** The program's ProgramData (null when its loader has none). */
  programData: string | null;
  /** Who may replace the program's code: null when nobody can (immutable). */
  upgradeAuthority: string | null;
  upgradeAuthorityHolder: KeyHolder | null;
  paused: boolean;
  /** The revenue split, fixed in the program: no instruction or parameter changes it. */
  split: { buybackBps: number; stakersBps: number; oddUnitTo: "buyback"; fixedInProgram: true };
}

export function policyReport(state: TreasuryState, upgrade: ProgramUpgradeInfo): PolicyReport {
  return {
    ...treasuryPolicy(state),
    authorityHolder: keyHolder(state.authority),
    programId: upgrade.programId.toBase58(),
    programData: upgrade.programData?.toBase58() ?? null,
    upgradeAuthority: upgrade.upgradeAuthority?.toBase58() ?? null,
    upgradeAuthorityHolder: upgrade.upgradeAuthority ? keyHolder(upgrade.upgradeAuthority) : null,
    paused: state.paused,
    split: {
      buybackBps: BPS_DENOMINATOR / 2,
      stakersBps: BPS_DENOMINATOR / 2,
      oddUnitTo: "buyback",
      fixedInProgram: true,
    },
  };
}

// ---------------------------------------------------------------------------- one read

export interface TreasuryReport {
  state: TreasuryState;
  chainTime: bigint;
  figures: TreasuryFigures;
  supply: SupplyReport;
  solvency: SolvencyReport;
  policy: PolicyReport;
}

/** Reads the treasury, its vaults, the $ASHAO mint, the clock and the ProgramData from the chain. */
export async function fetchTreasuryReport(
  program: TreasuryProgram,
  options: { nonCirculating?: { name: string; address: PublicKey }[] } = {},
): Promise<TreasuryReport> {
  const { connection } = program.provider;
  const state = await fetchTreasuryOrThrow(program, "confirmed");
  const held = [
    { name: "stake vault (staked and unstaking)", address: state.stakeVault },
    ...(options.nonCirculating ?? []),
  ];
  const [balances, mint, chainTime, upgrade] = await Promise.all([
    connection.getMultipleAccountsInfoAndContext(
      [state.buybackVault, state.rewardsVault, ...held.map((a) => a.address)],
      "confirmed",
    ),
    getMint(connection, state.ashaoMint, "confirmed", state.ashaoTokenProgram),
    fetchChainTime(connection),
    fetchProgramUpgradeInfo(connection, program.programId),
  ]);
  const balance = (i: number) => {
    const data = balances.value[i]?.data;
    // A token account's amount sits after its mint and owner.
    return data && data.length >= 72 ? data.readBigUInt64LE(64) : 0n;
  };
  const nonCirculating: NonCirculatingAccount[] = held.map((a, i) => ({
    ...a,
    balance: balance(i + 2),
  }));
  const figures = treasuryFigures({
    programId: program.programId,
    state,
    buybackVaultBalance: balance(0),
    rewardsVaultBalance: balance(1),
    ashaoSupply: mint.supply,
    nonCirculating,
    slot: balances.context.slot,
    readAt: new Date(),
  });
  return {
    state,
    chainTime,
    figures,
    supply: supplyReport(figures),
    solvency: solvencyReport(state, balance(0), balance(1)),
    policy: policyReport(state, upgrade),
  };
}
