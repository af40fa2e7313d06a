/**
 * How the dashboard prints the API's figures (shared with its browser test). The rules for
 * people (grouping, decimals, compact values, durations) are the SDK's (`display.ts`), the same
 * the CLI prints with.
 */
import { exactAmountNumber } from "../../sdk/src/display";
import type { Amount, TreasuryFigures } from "../../sdk/src/figures";

export {
  countdownText,
  deviationText,
  formatDuration,
  PARAM_LABELS,
  paramText,
  priceGuardText,
  shortAddress,
  timeText,
} from "../../sdk/src/display";

/** `1234.5` USDC → `1,234.5 USDC`, every digit, from the exact base-unit string. */
export function formatAmount(amount: Amount, unit: string): string {
  return `${exactAmountNumber(amount)} ${unit}`;
}

export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
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
