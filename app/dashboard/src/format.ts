/**
 * How the dashboard prints the API's figures (shared with its browser test). The rules for
 * people (grouping, decimals, compact values, durations) are the SDK's (`display.ts`), the same
 * the CLI prints with; the exact figure goes in each amount's hover text.
 */
import {
  amountText,
  countText,
  formatDuration,
  percentText,
  priceText,
  usdcAmount,
} from "../../sdk/src/display";
import type { TreasuryFigures } from "../../sdk/src/figures";
import type { YieldWindow } from "../../sdk/src/yield";

export {
  amountText,
  bpsText,
  countdownText,
  deviationText,
  exactAmountText,
  formatDuration,
  lastQueuedChangeText,
  PARAM_LABELS,
  paramText,
  priceGuardText,
  priceText,
  shortAddress,
  timeText,
} from "../../sdk/src/display";

/** The units of the figures the page shows. */
export const FIGURE_UNITS: Record<string, "USDC" | "$ASHAO"> = {
  treasuryUsdc: "USDC",
  buybackBucket: "USDC",
  rewardsOwed: "USDC",
  totalRevenue: "USDC",
  buybackUsdcSpent: "USDC",
  ashaoBurned: "$ASHAO",
  rewardsPaid: "USDC",
  totalStaked: "$ASHAO",
  totalSupply: "$ASHAO",
  circulatingSupply: "$ASHAO",
};

/** The figures the page shows, by `data-figure` key, exactly as printed. */
export function figureTexts(answer: TreasuryFigures): Record<string, string> {
  const texts: Record<string, string> = {
    buybackCount: countText(answer.buybackCount),
    stakers: countText(answer.stakers),
    slot: String(answer.slot),
  };
  for (const [key, unit] of Object.entries(FIGURE_UNITS)) {
    texts[key] = amountText(
      answer[key as keyof TreasuryFigures] as { raw: string; decimals: number },
      unit,
    );
  }
  return texts;
}

/** A yield window as the page prints it: the APR, the USDC per $ASHAO, what was released. */
export function yieldTexts(
  window: YieldWindow,
  days: number,
): { apr: string; perAshao: string; released: string } {
  const covered = window.coveredSecs < window.windowSecs;
  // A young treasury is measured over its life, to the minute.
  const life = formatDuration(Math.max(60, Math.round(window.coveredSecs / 60) * 60));
  const span = covered ? `the treasury's first ${life}` : `${days} d`;
  return {
    apr: window.apr === null ? "no price yet" : `${percentText(window.apr)} APR`,
    perAshao: `${priceText(window.perAshao, "USDC")} per $ASHAO staked over ${span}; ${amountText(window.annualPerAshao, "USDC")} a year`,
    released: `${amountText(window.released, "USDC")} released to stakers${covered ? " (all of its life so far)" : ""}`,
  };
}

export const usdcText = (raw: string) => amountText(usdcAmount(raw), "USDC");
