/**
 * The public treasury figures (`GET /api/treasury`), computed from the treasury's state and the
 * balances of its vaults and the $ASHAO mint: pure, so the API's snapshot, its benchmark's naive
 * handler and any client compute them the same way. Amounts travel as base-unit decimal strings
 * with a UI number beside them.
 */
import type { PublicKey } from "@solana/web3.js";

import type { TreasuryState } from "./accounts";
import { ASHAO_DECIMALS, USDC_DECIMALS } from "./units";

/** An amount on the wire. */
export interface Amount {
  raw: string;
  ui: number;
  decimals: number;
}

/** `amount` base units as a decimal string with `decimals` places, trailing zeros trimmed. */
export function formatUnits(amount: bigint, decimals: number): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const scale = 10n ** BigInt(decimals);
  const whole = abs / scale;
  const fraction = (abs % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

export function amount(raw: bigint, decimals: number): Amount {
  return { raw: raw.toString(), ui: Number(formatUnits(raw, decimals)), decimals };
}

const usdc = (raw: bigint) => amount(raw, USDC_DECIMALS);
const ashao = (raw: bigint) => amount(raw, ASHAO_DECIMALS);

/** A token account or owner excluded from the circulating supply, and why. */
export interface NonCirculatingAccount {
  name: string;
  address: PublicKey;
  /** Its $ASHAO balance in base units. */
  balance: bigint;
}

export interface TreasuryFigureInputs {
  programId: PublicKey;
  state: TreasuryState;
  buybackVaultBalance: bigint;
  rewardsVaultBalance: bigint;
  ashaoSupply: bigint;
  /** The stake vault first; then any other named holdings outside circulation. */
  nonCirculating: NonCirculatingAccount[];
  slot: number;
  readAt: Date;
}

export interface TreasuryFigures {
  programId: string;
  config: string;
  usdcMint: string;
  ashaoMint: string;
  slot: number;
  readAt: string;
  paused: boolean;
  treasuryUsdc: Amount;
  buybackBucket: Amount;
  rewardsOwed: Amount;
  totalRevenue: Amount;
  /** The part of `totalRevenue` settled usage brought (`settle_usage`'s remainders). */
  usageRevenue: Amount;
  /** The rest of `totalRevenue`: deposits and synced plain transfers. */
  directRevenue: Amount;
  /** Usage settled: its gross, what workers were paid of it (boosts included), the boosts. */
  usageGross: Amount;
  paidToWorkers: Amount;
  boostPaid: Amount;
  usageBatches: number;
  workerPayments: number;
  totalToBuyback: Amount;
  totalToStakers: Amount;
  buybackUsdcSpent: Amount;
  ashaoBurned: Amount;
  buybackCount: number;
  lastBuybackAt: string | null;
  rewardsPaid: Amount;
  rewardsReleased: Amount;
  totalStaked: Amount;
  totalUnstaking: Amount;
  stakers: number;
  totalSupply: Amount;
  circulatingSupply: Amount;
  nonCirculating: { name: string; address: string; amount: Amount }[];
}

export function treasuryFigures(input: TreasuryFigureInputs): TreasuryFigures {
  const { state } = input;
  const locked = input.nonCirculating.reduce((sum, a) => sum + a.balance, 0n);
  const circulating = input.ashaoSupply > locked ? input.ashaoSupply - locked : 0n;
  return {
    programId: input.programId.toBase58(),
    config: state.address.toBase58(),
    usdcMint: state.usdcMint.toBase58(),
    ashaoMint: state.ashaoMint.toBase58(),
    slot: input.slot,
    readAt: input.readAt.toISOString(),
    paused: state.paused,
    treasuryUsdc: usdc(input.buybackVaultBalance + input.rewardsVaultBalance),
    buybackBucket: usdc(state.buybackBucket),
    rewardsOwed: usdc(
      state.streamRemaining + state.totalRewardsReleased - state.totalRewardsClaimed,
    ),
    totalRevenue: usdc(state.totalRevenue),
    usageRevenue: usdc(state.totalUsageRevenue),
    directRevenue: usdc(state.totalRevenue - state.totalUsageRevenue),
    usageGross: usdc(state.totalUsageGross),
    paidToWorkers: usdc(state.totalPaidToWorkers),
    boostPaid: usdc(state.totalBoostPaid),
    usageBatches: Number(state.usageBatchCount),
    workerPayments: Number(state.workerPaymentCount),
    totalToBuyback: usdc(state.totalToBuyback),
    totalToStakers: usdc(state.totalToStakers),
    buybackUsdcSpent: usdc(state.totalBuybackUsdcSpent),
    ashaoBurned: ashao(state.totalAshaoBurned),
    buybackCount: Number(state.buybackCount),
    lastBuybackAt:
      state.buybackCount > 0n ? new Date(Number(state.lastBuybackTs) * 1000).toISOString() : null,
    rewardsPaid: usdc(state.totalRewardsClaimed),
    rewardsReleased: usdc(state.totalRewardsReleased),
    totalStaked: ashao(state.totalStaked),
    totalUnstaking: ashao(state.totalUnstaking),
    stakers: state.stakerCount,
    totalSupply: ashao(input.ashaoSupply),
    circulatingSupply: ashao(circulating),
    nonCirculating: input.nonCirculating.map((a) => ({
      name: a.name,
      address: a.address.toBase58(),
      amount: ashao(a.balance),
    })),
  };
}

/** A decimal string (`"12.5"`) as base units, refusing anything that is not a plain amount. */
export function parseUnits(text: string, decimals: number): bigint {
  const match = /^\s*(\d+)(?:\.(\d*))?\s*$/.exec(text);
  if (!match) throw new RangeError(`"${text}" is not an amount`);
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) {
    throw new RangeError(`"${text}" has more than ${decimals} decimal places`);
  }
  return BigInt(match[1]) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
}
