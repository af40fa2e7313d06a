/** How the dashboard prints the API's amounts (shared with its browser test). */
import { type Amount, formatUnits, type TreasuryFigures } from "../../sdk/src/figures";

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
