/**
 * Figures for people, shared by the dashboard and the CLI: amounts grouped, with sensible
 * decimals and compact when large (`21,254.64 $ASHAO`, `1.25M USDC`), prices to four significant
 * digits, durations, countdowns on the chain's clock, addresses shortened. Rounding is done on
 * the exact base units (bigint), never on floats; `exactAmountText` gives the exact figure for
 * hover text, and the API keeps the base units.
 */
import { ASHAO_DECIMALS, USDC_DECIMALS } from "./units";
import { formatUnits } from "./figures";
import type { LastQueuedChangeJson, ParamName, PriceGuardJson, TreasuryParamsJson } from "./policy";

/** An amount in base units with its token's decimals (the API's `Amount`, or a bigint). */
export interface AmountLike {
  raw: string | bigint;
  decimals: number;
}

export interface AmountTextOptions {
  /** Values of a million and more as `1.23M`, `45.6B`, `7.89T` (default true). */
  compact?: boolean;
  /** Decimals kept for values of 1 and more (default 2). */
  decimals?: number;
  /** Significant digits kept for values below 1 (default 3). */
  significant?: number;
}

const GROUP = /\B(?=(\d{3})+(?!\d))/g;
const pow10 = (n: number) => 10n ** BigInt(n);

/**
 * `raw` base units (`decimals` places) rounded half up to `places` decimals, grouped, trailing
 * zeros trimmed.
 */
function decimalText(raw: bigint, decimals: number, places: number): string {
  const negative = raw < 0n;
  const abs = negative ? -raw : raw;
  const keep = Math.min(places, decimals);
  const drop = pow10(decimals - keep);
  const rounded = (abs + drop / 2n) / drop;
  const scale = pow10(keep);
  const whole = (rounded / scale).toString().replace(GROUP, ",");
  const fraction =
    keep > 0 ? (rounded % scale).toString().padStart(keep, "0").replace(/0+$/, "") : "";
  const sign = negative && rounded > 0n ? "-" : "";
  return `${sign}${whole}${fraction ? `.${fraction}` : ""}`;
}

const SUFFIXES: [string, number][] = [
  ["M", 6],
  ["B", 9],
  ["T", 12],
];

/** The number of a value as people read it (no unit). */
export function amountNumberText(amount: AmountLike, options: AmountTextOptions = {}): string {
  const raw = BigInt(amount.raw);
  const { decimals } = amount;
  const abs = raw < 0n ? -raw : raw;
  if (abs === 0n) return "0";
  for (let i = SUFFIXES.length - 1; i >= 0 && (options.compact ?? true); i--) {
    const [suffix, exponent] = SUFFIXES[i];
    const scaled = decimals + exponent;
    if (abs < pow10(scaled)) continue;
    const intDigits = (abs / pow10(scaled)).toString().length;
    const text = decimalText(raw, scaled, Math.max(0, 3 - intDigits));
    // Rounding can carry into the next suffix: 999.6M is 1B.
    if (/^-?1,000$/.test(text) && i + 1 < SUFFIXES.length) {
      return `${raw < 0n ? "-" : ""}1${SUFFIXES[i + 1][0]}`;
    }
    return `${text}${suffix}`;
  }
  if (abs >= pow10(decimals)) {
    const text = decimalText(raw, decimals, options.decimals ?? 2);
    return (options.compact ?? true) && /^-?1,000,000$/.test(text)
      ? text.replace("1,000,000", "1M")
      : text;
  }
  // Below 1: the first significant digit is at fractional place `first`.
  const first = decimals - abs.toString().length + 1;
  return decimalText(raw, decimals, first + (options.significant ?? 3) - 1);
}

/** `21254643261122` base units of $ASHAO → `21,254.64 $ASHAO`; `1.25M USDC` when large. */
export function amountText(amount: AmountLike, unit: string, options?: AmountTextOptions): string {
  return `${amountNumberText(amount, options)} ${unit}`;
}

/** A price (USDC per whole $ASHAO, say) to four significant digits: `0.02013 USDC`. */
export function priceText(amount: AmountLike, unit: string): string {
  return amountText(amount, unit, { compact: true, decimals: 4, significant: 4 });
}

/** Every digit, grouped: `21,254.643261122 $ASHAO`. */
export function exactAmountNumber(amount: AmountLike): string {
  const [whole, fraction] = formatUnits(BigInt(amount.raw), amount.decimals).split(".");
  return `${whole.replace(GROUP, ",")}${fraction ? `.${fraction}` : ""}`;
}

/** The exact figure and its base units, for hover text: `21,254.643261122 $ASHAO (21254643261122 base units)`. */
export function exactAmountText(amount: AmountLike, unit: string): string {
  return `${exactAmountNumber(amount)} ${unit} (${BigInt(amount.raw).toString()} base units)`;
}

export const usdcAmount = (raw: bigint | string): AmountLike => ({ raw, decimals: USDC_DECIMALS });
export const ashaoAmount = (raw: bigint | string): AmountLike => ({
  raw,
  decimals: ASHAO_DECIMALS,
});

/** A count grouped: `12,345`. */
export function countText(value: number): string {
  return Math.round(value).toString().replace(GROUP, ",");
}

/** A fraction as a percentage, grouped: `0.1234` → `12.34%` (`digits` decimals kept). */
export function percentText(fraction: number, digits = 2): string {
  if (!Number.isFinite(fraction)) return "—";
  const [whole, decimals] = (fraction * 100).toFixed(digits).split(".");
  return `${whole.replace(GROUP, ",")}${decimals ? `.${decimals}` : ""}%`;
}

/** Basis points as a percentage, trimmed: `150` → `1.5%`. */
export function bpsText(bps: number): string {
  return `${Number((bps / 100).toFixed(2))}%`;
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

/** Until `targetUnix` on the chain's clock: `in 1 d 2 h 3 m 4 s`, or `now` once reached. */
export function countdownText(targetUnix: number, chainNowUnix: number): string {
  const left = Math.ceil(targetUnix - chainNowUnix);
  return left > 0 ? `in ${formatDuration(left)}` : "now";
}

/** A chain time as people read it, in UTC (`2026-11-30 05:40 UTC`). */
export function timeText(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** `JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4` → `JUP6…TaV4` (show the full key beside it or on hover). */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 4)}…${address.slice(-4)}` : address;
}

/** How far a buyback's price was from the oracle's: `+12.5 bps`, `−3 bps`. */
export function deviationText(bps: number | null): string {
  if (bps === null) return "—";
  const sign = bps > 0 ? "+" : bps < 0 ? "−" : "";
  return `${sign}${Number(Math.abs(bps).toFixed(2))} bps`;
}

const DEFAULT_KEY = "11111111111111111111111111111111";

export function priceGuardText(guard: PriceGuardJson): string {
  if (guard.kind === "none") return "none: buybacks are off";
  return (
    `Pyth ${guard.feedId.slice(0, 10)}…${guard.feedId.slice(-6)}, at most ${formatDuration(guard.maxAgeSecs)} old, ` +
    `confidence within ${bpsText(guard.maxConfidenceBps)}`
  );
}

/** Exact amounts in parameters: an operator reads the cap to the unit. */
const exactUsdc = (raw: string) => `${exactAmountNumber(usdcAmount(raw))} USDC`;
const exactAshao = (raw: string) => `${exactAmountNumber(ashaoAmount(raw))} $ASHAO`;

/** One parameter's value as people read it. */
export function paramText<K extends ParamName>(field: K, value: TreasuryParamsJson[K]): string {
  switch (field) {
    case "streamPeriodSecs":
    case "unstakeCooldownSecs":
    case "minBuybackIntervalSecs":
    case "timelockSecs":
      return formatDuration(value as number);
    case "maxSlippageBps":
      return bpsText(value as number);
    case "maxBuybackUsdc":
      return exactUsdc(value as string);
    case "boostTiers": {
      const tiers = value as TreasuryParamsJson["boostTiers"];
      if (tiers.length === 0) return "none";
      return tiers.map((t) => `${exactAshao(t.minStake)}: +${bpsText(t.boostBps)}`).join(", ");
    }
    case "swapProgram":
      return value === DEFAULT_KEY ? "none" : shortAddress(value as string);
    case "cranks":
    case "billingAuthorities": {
      const keys = value as string[];
      return keys.length === 0 ? "none" : keys.map(shortAddress).join(", ");
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
  billingAuthorities: "Billing authorities",
};

/** What became of the last queued change, in a sentence (CLI `status`, the dashboard's policy). */
export function lastQueuedChangeText(last: LastQueuedChangeJson): string {
  const eta = `eta ${timeText(last.eta.at)}`;
  const at = timeText(last.at.at);
  switch (last.outcome) {
    case "applied":
      return `applied ${at} (${eta})`;
    case "cancelled":
      return `cancelled by the authority ${at} (${eta})`;
    case "superseded":
      return `superseded ${at} (${eta}): update_config changed a parameter it set, so it was dropped rather than undo that change`;
    case "expired":
      return `expired: not applied within 14 days of its ${eta}; cleared ${at}`;
  }
}
