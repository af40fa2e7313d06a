/**
 * How the dashboard prints the API's figures (shared with its browser tests, so it has no DOM).
 * The rules for people (grouping, decimals, compact values, durations) are the SDK's
 * (`display.ts`), the same the CLI prints with; supply figures are exact, and every amount's
 * exact figure is one tap away.
 */
import {
  amountText,
  type AmountLike,
  bpsText,
  countdownText,
  countText,
  exactAmountNumber,
  formatDuration,
  percentText,
  priceText,
  timeText,
  usdcAmount,
} from "../../sdk/src/display";
import type { TreasuryFigures } from "../../sdk/src/figures";
import type { PolicyReport } from "../../sdk/src/report";
import { ASHAO_DECIMALS, USDC_DECIMALS } from "../../sdk/src/units";
import type { CurrentRewardRate, YieldPrice, YieldWindow } from "../../sdk/src/yield";

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

/** Figures watchers follow to the base unit: written out in full, grouped. */
export const EXACT_FIGURES = new Set(["ashaoBurned", "totalSupply", "circulatingSupply"]);

/** Every digit of an amount, grouped: `50,012,345.123456789 $ASHAO`. */
export const exactText = (amount: AmountLike, unit: string) =>
  `${exactAmountNumber(amount)} ${unit}`;

/** The figures the page shows, by `data-figure` key, exactly as printed. */
export function figureTexts(answer: TreasuryFigures): Record<string, string> {
  const texts: Record<string, string> = {
    buybackCount: countText(answer.buybackCount),
    stakers: countText(answer.stakers),
    slot: String(answer.slot),
  };
  for (const [key, unit] of Object.entries(FIGURE_UNITS)) {
    const value = answer[key as keyof TreasuryFigures] as AmountLike;
    texts[key] = EXACT_FIGURES.has(key) ? exactText(value, unit) : amountText(value, unit);
  }
  return texts;
}

/** A stretch of time as people say it, to two units: `3 min`, `5 h 12 min`, `2 days 4 h`. */
export function spanText(secs: number): string {
  const s = Math.max(0, Math.floor(secs));
  if (s < 60) return "under a minute";
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3_600);
  const minutes = Math.floor((s % 3_600) / 60);
  if (days > 0) return `${days} ${days === 1 ? "day" : "days"}${hours ? ` ${hours} h` : ""}`;
  if (hours > 0) return `${hours} h${minutes ? ` ${minutes} min` : ""}`;
  return `${minutes} min`;
}

/** A yield window as the page prints it: the APR (or why there is none), per $ASHAO, released. */
export function yieldTexts(
  window: YieldWindow,
  days: number,
): { apr: string; perAshao: string; released: string } {
  const young = window.coveredSecs < window.windowSecs;
  const span = young ? `the treasury's first ${spanText(window.coveredSecs)}` : `${days} days`;
  const perAshao = `${priceText(window.perAshao, "USDC")} per $ASHAO staked over ${span}`;
  const released = `${amountText(window.released, "USDC")} released to stakers${young ? " (all of its life so far)" : ""}`;
  if (window.annualPerAshao === null) {
    return {
      apr: `too early: ${spanText(window.coveredSecs)} of data`,
      perAshao: `${perAshao}. The ${days}-day rate shows from ${spanText(window.minCoveredSecs)} of data.`,
      released,
    };
  }
  return {
    apr: window.apr === null ? "no price yet" : `${percentText(window.apr)} APR`,
    perAshao: `${perAshao}; ${amountText(window.annualPerAshao, "USDC")} a year`,
    released,
  };
}

/** What the reward stream releases now (the rate a position earns at). */
export function currentRateText(current: CurrentRewardRate, chainNow: number): string {
  if (current.perAshaoPerDay === null) return "Releasing now: nothing, as nobody is staked.";
  if (current.streamEndsAt === null || current.releasingPerDay.raw === "0") {
    return "Releasing now: nothing; the stream is empty until more revenue arrives.";
  }
  const ends = Date.parse(current.streamEndsAt) / 1000;
  return (
    `Releasing now: ${amountText(current.releasingPerDay, "USDC")} a day to stakers, ` +
    `${priceText(current.perAshaoPerDay, "USDC")} a day per $ASHAO staked; at this rate the ` +
    `stream runs dry ${countdownText(ends, chainNow)} unless more revenue arrives.`
  );
}

export const usdcText = (raw: string) => amountText(usdcAmount(raw), "USDC");

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/**
 * Whether `text` is a Solana address: the base58 text of exactly 32 bytes (what `PublicKey`
 * takes). Written here rather than taken from the Solana client, which is most of the page's
 * code by size and is loaded only to sign.
 */
export function isSolanaAddress(text: string): boolean {
  if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(text)) return false;
  let value = 0n;
  for (const ch of text) value = value * 58n + BigInt(BASE58.indexOf(ch));
  // Each leading "1" is a zero byte; the rest is the number's big-endian bytes.
  const zeros = /^1*/.exec(text)![0].length;
  const bytes = value === 0n ? 0 : Math.ceil(value.toString(16).length / 2);
  return zeros + bytes === 32;
}

const ashao = (raw: bigint | string): AmountLike => ({ raw, decimals: ASHAO_DECIMALS });

/** Why an address typed in is refused (what the page shows in sight, under the field). */
export function addressErrorText(input: string): string {
  const address = input.trim();
  return address === ""
    ? "Enter a wallet address to view it."
    : `"${input.length > 60 ? `${input.slice(0, 60)}…` : input}" is not a Solana address: ` +
        "an address is 32 to 44 letters and digits (base58, no 0, O, I or l).";
}

/** One key holding the authority (and maybe the upgrade authority), said plainly; else null. */
export function keyWarning(
  p: Pick<PolicyReport, "authority" | "authorityHolder" | "upgradeAuthority">,
): string | null {
  if (p.authorityHolder !== "singleKey") return null;
  const single =
    "The treasury's authority is a single key: an ordinary wallet's key (a point on the " +
    "ed25519 curve), not a multisig vault.";
  if (p.upgradeAuthority === p.authority) {
    return (
      `${single} The same key is the program's upgrade authority, so one key can both queue ` +
      "any change (applied after the timelock) and upgrade the program at once, which no " +
      "timelock covers: the split and every limit on this page hold only as long as that key " +
      "is kept safe."
    );
  }
  return `${single} Whoever holds it can queue any change, applied after the timelock.`;
}

// ------------------------------------------------------------------------------ a position

/** A stake's share of everything staked, to four significant digits. */
export function shareText(staked: bigint, totalStaked: bigint): string {
  if (totalStaked === 0n || staked === 0n) return "0% (nothing staked)";
  const share = Number((staked * 10n ** 12n) / totalStaked) / 1e12;
  // Four significant digits, trailing zeros dropped: 100%, 17.65%, 0.0123%.
  const digits = Math.max(0, Math.min(8, 3 - Math.floor(Math.log10(share * 100))));
  const percent = percentText(share, digits)
    .replace(/(\.\d*?)0+%$/, "$1%")
    .replace(/\.%$/, "%");
  return `${percent} of ${amountText(ashao(totalStaked), "$ASHAO")}`;
}

/** USDC a day a stake earns at the stream's current rate (18 decimals per $ASHAO a day). */
export function earningPerDay(staked: bigint, current: CurrentRewardRate): AmountLike | null {
  if (current.perAshaoPerDay === null) return null;
  const perAshao = BigInt(current.perAshaoPerDay.raw);
  // $ASHAO base units × USDC (18 decimals) per whole $ASHAO → USDC at 18 decimals.
  return { raw: (staked * perAshao) / 10n ** BigInt(ASHAO_DECIMALS), decimals: 18 };
}

/** $ASHAO valued in USDC at `price` (USDC per whole $ASHAO). */
export function valueAt(ashaoRaw: bigint, price: YieldPrice): AmountLike {
  return {
    raw: (ashaoRaw * BigInt(price.usdcPerAshao.raw)) / 10n ** BigInt(ASHAO_DECIMALS),
    decimals: USDC_DECIMALS,
  };
}

export interface BoostTierJson {
  minStake: string;
  boostBps: number;
}

/** What the worker boost is, for a wallet at `boostBps` under `tiers`. */
export function boostText(boostBps: number, tiers: readonly BoostTierJson[]): string {
  if (tiers.length === 0) return "none: the treasury has no boost tiers";
  if (boostBps === 0) {
    return (
      `none yet: a worker staking ${amountText(ashao(tiers[0].minStake), "$ASHAO")} or more is ` +
      `paid +${bpsText(tiers[0].boostBps)} on each settled action, out of the protocol's share`
    );
  }
  const tier = [...tiers].reverse().find((t) => t.boostBps === boostBps);
  const pay = 100 + boostBps / 100;
  return (
    `+${bpsText(boostBps)} on this wallet's worker earnings` +
    (tier ? ` (the tier from ${amountText(ashao(tier.minStake), "$ASHAO")} staked)` : "") +
    `: work that pays 100 USDC pays ${Number(pay.toFixed(2))}, the extra out of the protocol's share`
  );
}

/** The next tier: its boost in all (not on top of today's), and the stake it takes. */
export function nextTierText(
  boostBps: number,
  nextTier: BoostTierJson | null,
  stakeToNextTier: AmountLike | null,
  tierCount: number,
): string {
  if (!nextTier || !stakeToNextTier) return tierCount === 0 ? "no tiers" : "the top tier";
  const more = nextTier.boostBps - boostBps;
  return (
    `+${bpsText(nextTier.boostBps)} in all` +
    (boostBps > 0 ? ` (${bpsText(more).replace("%", "")} points more than now)` : "") +
    ` once ${amountText(ashao(nextTier.minStake), "$ASHAO")} is staked: ` +
    `${amountText(stakeToNextTier, "$ASHAO")} more`
  );
}

/** A worker's boost now, and why: the tier its counted stake reaches (or how far below it is). */
export function workerTierText(
  boostBps: number,
  tier: BoostTierJson | null,
  countedStake: AmountLike,
  tiers: readonly BoostTierJson[],
): string {
  if (tiers.length === 0) return "none: the treasury has no boost tiers";
  const counted = amountText(countedStake, "$ASHAO");
  if (!tier) {
    return (
      `none: ${counted} counts, below the first tier ` +
      `(${amountText(ashao(tiers[0].minStake), "$ASHAO")} for +${bpsText(tiers[0].boostBps)})`
    );
  }
  return (
    `+${bpsText(boostBps)} on each settled base share: ${counted} counts, ` +
    `the tier from ${amountText(ashao(tier.minStake), "$ASHAO")}`
  );
}

/** Staked principal still warming up: when it counts and the boost it brings then. */
export function warmingText(
  warming: AmountLike,
  warmupEndsAt: string | null,
  boostBps: number,
  boostBpsOnceWarm: number,
): string {
  if (warmupEndsAt === null || BigInt(warming.raw) === 0n) return "none";
  return (
    `${amountText(warming, "$ASHAO")}, counting from ${timeText(warmupEndsAt)}` +
    (boostBpsOnceWarm !== boostBps ? `: then +${bpsText(boostBpsOnceWarm)}` : "")
  );
}

// ------------------------------------------------------------------------- unstake requests

/** An unstake request waiting: its amount (base units) and when it matures (unix seconds). */
export interface WaitingRequest {
  amount: bigint;
  availableAtUnix: number;
}

const unixTimeText = (unix: number) => timeText(new Date(Math.ceil(unix) * 1000).toISOString());
const requestsText = (n: number) => `${n} request${n === 1 ? "" : "s"}`;

/** When a request matured or matures, on the chain's clock. */
export function maturityText(availableAtUnix: number, chainNow: number): string {
  return chainNow >= availableAtUnix
    ? "withdrawable now"
    : `withdrawable ${countdownText(availableAtUnix, chainNow)} (${unixTimeText(availableAtUnix)})`;
}

/**
 * The room a position has for more unstake requests (`used` held, `left` free): a request holds
 * its place until it is withdrawn, matured or not.
 */
export function requestSlotsText(used: number, left: number): string {
  const most = `at most ${used + left} at once, each until it is withdrawn`;
  return left === 0
    ? `no room for another request (${most}): withdraw the matured ones first`
    : `room for ${left} more ${left === 1 ? "request" : "requests"} (${most})`;
}

/** What is waiting: all of it, what is withdrawable now, when the next one matures. */
function waitingText(requests: readonly WaitingRequest[], chainNow: number): string {
  const sum = (rs: readonly WaitingRequest[]) => rs.reduce((total, r) => total + r.amount, 0n);
  const matured = sum(requests.filter((r) => r.availableAtUnix <= chainNow));
  const cooling = requests
    .filter((r) => r.availableAtUnix > chainNow)
    .map((r) => r.availableAtUnix);
  const parts = [
    ...(matured > 0n ? [`${amountText(ashao(matured), "$ASHAO")} withdrawable now`] : []),
    ...(cooling.length > 0 ? [`the next ${maturityText(Math.min(...cooling), chainNow)}`] : []),
  ];
  return (
    `${amountText(ashao(sum(requests)), "$ASHAO")} already unstaking in ` +
    `${requestsText(requests.length)} keeps its dates (${parts.join("; ")})`
  );
}

/**
 * What a new unstake request does, said before it is signed. Each request is its own ticket
 * with its own cooldown: the new one matures a cooldown from now, the earlier ones keep their
 * dates (a withdrawal takes every matured one), and it takes one of the position's places.
 */
export function unstakeWarningText(input: {
  amount: bigint;
  /** The requests already waiting, oldest first. */
  requests: readonly WaitingRequest[];
  /** Places left for requests, before this one. */
  requestsLeft: number;
  cooldownSecs: number;
  chainNow: number;
}): string {
  const { amount, requests, requestsLeft, cooldownSecs, chainNow } = input;
  const asked = amountText(ashao(amount), "$ASHAO");
  const adds =
    `This request adds ${asked}, withdrawable after the ${formatDuration(cooldownSecs)} ` +
    `cooldown, from ${unixTimeText(chainNow + cooldownSecs)}`;
  const earlier = requests.length === 0 ? "" : `; the ${waitingText(requests, chainNow)}`;
  const after = requestsLeft - 1;
  const room =
    after === 0
      ? "After it, no other request can be made until a matured one is withdrawn."
      : `After it, room for ${after} more ${after === 1 ? "request" : "requests"}.`;
  return (
    `${adds}${earlier}. ${asked} stops earning rewards and counting for the worker boost now. ` +
    room
  );
}

/** Why a new request is refused when every place is taken, and what frees one. */
export function ticketsFullText(requests: readonly WaitingRequest[], chainNow: number): string {
  const matured = requests.some((r) => r.availableAtUnix <= chainNow);
  const next = Math.min(...requests.map((r) => r.availableAtUnix));
  return (
    `all ${requestsText(requests.length)} this position may hold are waiting: ` +
    (matured
      ? "withdraw the matured ones to make room"
      : `the first is ${maturityText(next, chainNow)}; withdraw it then to make room`)
  );
}

// ------------------------------------------------------------------------------ chart times

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/**
 * A time axis's labels in UTC on a 24-hour clock, with dates no reader can take the wrong way
 * round (`7 Dec`): the hour within a day, the date where the day changes (and at the first
 * label); dates alone for steps of a day or more, with the year where it changes.
 */
export function timeAxisLabels(unixSecs: readonly number[], stepSecs: number): string[] {
  let previous: Date | undefined;
  return unixSecs.map((secs) => {
    const d = new Date(secs * 1000);
    const date = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
    const newDay =
      !previous || previous.toISOString().slice(0, 10) !== d.toISOString().slice(0, 10);
    const newYear = !previous || previous.getUTCFullYear() !== d.getUTCFullYear();
    previous = d;
    if (stepSecs < 86_400) {
      const seconds = stepSecs < 60 ? `:${pad(d.getUTCSeconds())}` : "";
      const clock = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${seconds}`;
      return newDay ? `${clock}\n${date}` : clock;
    }
    return newYear ? `${date}\n${d.getUTCFullYear()}` : date;
  });
}

/** The time a history bucket covers: `2026-12-07 14:00–15:00 UTC` (its end at most `to`). */
export function bucketText(startIso: string, intervalSecs: number, toIso: string): string {
  const start = Date.parse(startIso);
  const end = new Date(Math.min(start + intervalSecs * 1000, Date.parse(toIso))).toISOString();
  const from = timeText(startIso).replace(" UTC", "");
  const sameDay = end.slice(0, 10) === startIso.slice(0, 10);
  const until = sameDay ? end.slice(11, 16) : timeText(end).replace(" UTC", "");
  return sameDay ? `${from}–${until} UTC` : `${from} – ${until} UTC`;
}
