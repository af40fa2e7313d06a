/** How the dashboard prints the API's amounts (shared with its browser test). */
import { ASHAO_DECIMALS, USDC_DECIMALS } from "../../sdk/src/constants";
import { type Amount, formatUnits, type TreasuryFigures } from "../../sdk/src/figures";
import type { ParamName, PriceGuardJson, TreasuryParamsJson } from "../../sdk/src/policy";

const GROUPED = new Intl.NumberFormat("en-US", { maximumFractionDigits: 6 });

/** `1234.5` USDC → `1,234.5 USDC`, from the exact base-unit string (no float rounding). */
export function formatAmount(amount: Amount, unit: string): string {
  const [whole, fraction] = formatUnits(BigInt(amount.raw), amount.decimals).split(".");
  return `${GROUPED.format(BigInt(whole))}${fraction ? `.${fraction}` : ""} ${unit}`;
}

export function formatCount(value: number): string {
  return GROUPED.format(value);
}

/** The figures the page shows, by `data-figure` key, exactly as printed. */
export function figureTexts(answer: TreasuryFigures): Record<string, string> {
  return {
    treasuryUsdc: formatAmount(answer.treasuryUsdc, "USDC"),
    buybackBucket: formatAmount(answer.buybackBucket, "USDC"),
    rewardsOwed: formatAmount(answer.rewardsOwed, "USDC"),
    totalRevenue: formatAmount(answer.totalRevenue, "USDC"),
    buybackUsdcSpent: formatAmount(answer.buybackUsdcSpent, "USDC"),
    ashaoBurned: formatAmount(answer.ashaoBurned, "$ASHAO"),
    buybackCount: formatCount(answer.buybackCount),
    rewardsPaid: formatAmount(answer.rewardsPaid, "USDC"),
    totalStaked: formatAmount(answer.totalStaked, "$ASHAO"),
    stakers: formatCount(answer.stakers),
    totalSupply: formatAmount(answer.totalSupply, "$ASHAO"),
    circulatingSupply: formatAmount(answer.circulatingSupply, "$ASHAO"),
    slot: String(answer.slot),
  };
}

const UNITS: [string, number][] = [
  ["d", 86_400],
  ["h", 3_600],
  ["m", 60],
  ["s", 1],
];

/** `90061` → `1 d 1 h 1 m 1 s`; whole units only (`3600` → `1 h`). */
export function formatDuration(secs: number): string {
  let rest = Math.max(0, Math.floor(secs));
  if (rest === 0) return "0 s";
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count} ${unit}`);
  }
  return parts.join(" ");
}

/** `JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4` → `JUP6…TaV4` (the page shows the full key on hover). */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 4)}…${address.slice(-4)}` : address;
}

const DEFAULT_KEY = "11111111111111111111111111111111";
const percent = (bps: number) => `${GROUPED.format(bps / 100)}%`;
const usdc = (raw: string) => formatAmount({ raw, ui: 0, decimals: USDC_DECIMALS }, "USDC");
const ashao = (raw: string) => formatAmount({ raw, ui: 0, decimals: ASHAO_DECIMALS }, "$ASHAO");

export function priceGuardText(guard: PriceGuardJson): string {
  if (guard.kind === "none") return "none: buybacks are off";
  return (
    `Pyth ${guard.feedId.slice(0, 10)}…${guard.feedId.slice(-6)}, at most ${formatDuration(guard.maxAgeSecs)} old, ` +
    `confidence within ${percent(guard.maxConfidenceBps)}`
  );
}

/** One parameter's value as the page prints it. */
export function paramText<K extends ParamName>(field: K, value: TreasuryParamsJson[K]): string {
  switch (field) {
    case "streamPeriodSecs":
    case "unstakeCooldownSecs":
    case "minBuybackIntervalSecs":
    case "timelockSecs":
      return formatDuration(value as number);
    case "maxSlippageBps":
      return percent(value as number);
    case "maxBuybackUsdc":
      return usdc(value as string);
    case "boostTiers": {
      const tiers = value as TreasuryParamsJson["boostTiers"];
      if (tiers.length === 0) return "none";
      return tiers.map((t) => `${ashao(t.minStake)}: +${percent(t.boostBps)}`).join(", ");
    }
    case "swapProgram":
      return value === DEFAULT_KEY ? "none" : shortAddress(value as string);
    case "cranks": {
      const cranks = value as string[];
      return cranks.length === 0 ? "none" : cranks.map(shortAddress).join(", ");
    }
    case "priceGuard":
      return priceGuardText(value as PriceGuardJson);
    default:
      return String(value);
  }
}

export const PARAM_LABELS: Record<ParamName, string> = {
  streamPeriodSecs: "Reward stream period",
  unstakeCooldownSecs: "Unstake cooldown",
  boostTiers: "Boost tiers",
  maxBuybackUsdc: "Largest buyback",
  minBuybackIntervalSecs: "Time between buybacks",
  maxSlippageBps: "Slippage below the oracle",
  swapProgram: "Swap program",
  cranks: "Cranks",
  priceGuard: "Price guard",
  timelockSecs: "Timelock",
};

/** Until `targetUnix` on the chain's clock: `in 1 d 2 h 3 m 4 s`, or `now` once reached. */
export function countdownText(targetUnix: number, chainNowUnix: number): string {
  const left = Math.ceil(targetUnix - chainNowUnix);
  return left > 0 ? `in ${formatDuration(left)}` : "now";
}

/** A chain time as the page prints it, in UTC (`2026-11-30 05:40 UTC`). */
export function timeText(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** How far a buyback's price was from the oracle's: `+12.5 bps`, `−3 bps`. */
export function deviationText(bps: number | null): string {
  if (bps === null) return "—";
  const sign = bps > 0 ? "+" : bps < 0 ? "−" : "";
  return `${sign}${GROUPED.format(Math.abs(bps))} bps`;
}
