/**
 * A staker's view: the position's figures at a moment of the chain's clock (what could be
 * claimed, the cooldown, the boost and what the next tier needs) and the history of their
 * actions from the program's events, as the API, the dashboard and the CLI show them.
 */
import type { PublicKey } from "@solana/web3.js";

import type { StakePositionState, TreasuryState, UnstakeTicket } from "./accounts";
import { positionBoost } from "./boost";
import { ASHAO_DECIMALS, MAX_UNSTAKE_TICKETS, USDC_DECIMALS } from "./constants";
import { csvLine, toCsv } from "./csv";
import { parseTreasuryEvents } from "./events";
import { type Amount, amount, formatUnits } from "./figures";
import { stakePositionPda } from "./pda";
import type { TreasuryProgram } from "./program";
import { pendingRewards } from "./rewards";

const iso = (unix: bigint | number) => new Date(Number(unix) * 1000).toISOString();

export interface StakerSummary {
  wallet: string;
  position: string;
  exists: boolean;
  staked: Amount;
  unstaking: Amount;
  /** USDC a claim would pay at `asOfChainTime` (the SDK's exact math). */
  pendingRewards: Amount;
  totalClaimed: Amount;
  /** Each unstake request not yet withdrawn, oldest first, and when it matures. */
  unstakeRequests: UnstakeRequestView[];
  /** Requests the position can still open (one joins the newest when both mature together). */
  unstakeRequestsLeft: number;
  /** $ASHAO a withdrawal would return now: every matured request. */
  withdrawable: Amount;
  withdrawableNow: boolean;
  /** When the next request still cooling down matures (null when none is). */
  nextMaturityAt: string | null;
  nextMaturityAtUnix: number | null;
  /** Nothing staked, unstaking or owed: the position can be closed for its rent. */
  closable: boolean;
  boostBps: number;
  /** Staked $ASHAO still warming up (not counting for the boost yet), and until when. */
  boostWarming: Amount;
  boostWarmupEndsAt: string | null;
  /** The boost once the warm-up ends. */
  boostBpsOnceWarm: number;
  /** The next tier up: its minimum stake (base units) and boost; null at the top. */
  nextTier: { minStake: string; boostBps: number } | null;
  /** $ASHAO still to stake to reach `nextTier`. */
  stakeToNextTier: Amount | null;
  asOfChainTime: number;
}

/** One unstake request as a staker sees it. */
export interface UnstakeRequestView {
  amount: Amount;
  availableAt: string;
  availableAtUnix: number;
  /** Its cooldown has passed: a withdrawal returns it. */
  matured: boolean;
}

/** What a withdrawal at `now` returns: every ticket matured by then, whatever came after it. */
export function maturedUnstake(tickets: readonly UnstakeTicket[], now: bigint): bigint {
  return tickets.filter((t) => t.availableAt <= now).reduce((sum, t) => sum + t.amount, 0n);
}

export function stakerSummary(
  programId: PublicKey,
  state: TreasuryState,
  owner: PublicKey,
  position: StakePositionState | null,
  now: bigint,
): StakerSummary {
  const boost = positionBoost(state, position, now);
  const pending = position ? pendingRewards(state, position, now) : 0n;
  const unstaking = position?.unstaking ?? 0n;
  const tickets = position?.unstakeTickets ?? [];
  const withdrawable = maturedUnstake(tickets, now);
  const cooling = tickets.filter((t) => t.availableAt > now).map((t) => t.availableAt);
  const next = cooling.length > 0 ? cooling.reduce((a, b) => (b < a ? b : a)) : null;
  return {
    wallet: owner.toBase58(),
    // A held position knows its address; deriving it (a search for the bump) costs a
    // millisecond, most of a lookup's time.
    position: (position?.address ?? stakePositionPda(owner, programId).address).toBase58(),
    exists: position !== null,
    staked: amount(position?.staked ?? 0n, ASHAO_DECIMALS),
    unstaking: amount(unstaking, ASHAO_DECIMALS),
    pendingRewards: amount(pending, USDC_DECIMALS),
    totalClaimed: amount(position?.totalClaimed ?? 0n, USDC_DECIMALS),
    unstakeRequests: tickets.map((t) => ({
      amount: amount(t.amount, ASHAO_DECIMALS),
      availableAt: iso(t.availableAt),
      availableAtUnix: Number(t.availableAt),
      matured: t.availableAt <= now,
    })),
    unstakeRequestsLeft: MAX_UNSTAKE_TICKETS - tickets.length,
    withdrawable: amount(withdrawable, ASHAO_DECIMALS),
    withdrawableNow: withdrawable > 0n,
    nextMaturityAt: next === null ? null : iso(next),
    nextMaturityAtUnix: next === null ? null : Number(next),
    closable: position !== null && position.staked === 0n && unstaking === 0n && pending === 0n,
    boostBps: boost.boostBps,
    boostWarming: amount(boost.warming, ASHAO_DECIMALS),
    boostWarmupEndsAt: boost.warmupEndsAt === null ? null : iso(boost.warmupEndsAt),
    boostBpsOnceWarm: boost.boostBpsOnceWarm,
    nextTier: boost.nextTier
      ? { minStake: boost.nextTier.minStake.toString(), boostBps: boost.nextTier.boostBps }
      : null,
    stakeToNextTier:
      boost.stakeToNextTier === null ? null : amount(boost.stakeToNextTier, ASHAO_DECIMALS),
    asOfChainTime: Number(now),
  };
}

// ---------------------------------------------------------------------------------- history

/** The events of a staker's own actions, by the name the history gives them. */
export const STAKER_ACTIONS = {
  staked: "stake",
  unstakeRequested: "unstakeRequest",
  withdrawn: "withdrawal",
  rewardsClaimed: "claim",
  positionClosed: "close",
} as const;

export type StakerEventName = keyof typeof STAKER_ACTIONS;
export type StakerAction = (typeof STAKER_ACTIONS)[StakerEventName];
export const STAKER_EVENT_NAMES = Object.keys(STAKER_ACTIONS) as StakerEventName[];

export interface StakerHistoryEntry {
  signature: string;
  slot: number;
  /** The chain's time of the action. */
  at: string;
  action: StakerAction;
  /** $ASHAO for stakes, unstake requests and withdrawals, USDC for claims; null for a close. */
  amount: Amount | null;
  token: "$ASHAO" | "USDC" | null;
  /** The position's stake and unstaking principal after the action (null when not carried). */
  positionStaked: Amount | null;
  positionUnstaking: Amount | null;
  /** For an unstake request: when it may be withdrawn. */
  availableAt: string | null;
  /**
   * For an unstake request or a withdrawal: the position's requests still waiting after it,
   * oldest first, each with when it matures (null for the other actions).
   */
  unstakeRequests: { amount: Amount; availableAt: string }[] | null;
}

/** An event as the indexer stores it (strings) or as the SDK parses it (bigints, keys). */
export interface StakerEventInput {
  signature: string;
  slot: number;
  /** Chain time, unix seconds. */
  ts: number;
  name: string;
  data: Record<string, unknown>;
}

export const isStakerEvent = (name: string): name is StakerEventName => name in STAKER_ACTIONS;

const big = (value: unknown) => BigInt(String(value));
const optional = (value: unknown, decimals: number) =>
  value === undefined || value === null ? null : amount(big(value), decimals);

/** The tickets an event carries: decoded (bigints) or as the indexer stores them (JSON text). */
function ticketsOf(value: unknown): { amount: Amount; availableAt: string }[] | null {
  if (value === undefined || value === null) return null;
  const list = (typeof value === "string" ? JSON.parse(value) : value) as {
    amount: unknown;
    availableAt: unknown;
  }[];
  return list.map((t) => ({
    amount: amount(big(t.amount), ASHAO_DECIMALS),
    availableAt: iso(big(t.availableAt)),
  }));
}

export function stakerHistoryEntry(event: StakerEventInput): StakerHistoryEntry {
  if (!isStakerEvent(event.name)) throw new RangeError(`${event.name} is not a staker's action`);
  const action = STAKER_ACTIONS[event.name];
  const { data } = event;
  const token = action === "close" ? null : action === "claim" ? "USDC" : "$ASHAO";
  return {
    signature: event.signature,
    slot: event.slot,
    at: iso(event.ts),
    action,
    amount:
      token === null
        ? null
        : amount(big(data.amount), token === "USDC" ? USDC_DECIMALS : ASHAO_DECIMALS),
    token,
    positionStaked: optional(data.positionStaked, ASHAO_DECIMALS),
    positionUnstaking: optional(data.positionUnstaking, ASHAO_DECIMALS),
    availableAt: data.availableAt === undefined ? null : iso(big(data.availableAt)),
    unstakeRequests: ticketsOf(data.positionTickets),
  };
}

export const STAKER_HISTORY_CSV_HEADER = [
  "time_utc",
  "action",
  "amount",
  "token",
  "amount_base_units",
  "position_staked_ashao",
  "position_unstaking_ashao",
  "withdrawable_from_utc",
  "unstake_requests_after",
  "slot",
  "signature",
] as const;

const exactAmount = (a: Amount | null) => (a ? formatUnits(BigInt(a.raw), a.decimals) : "");

/** An entry's CSV cells, in `STAKER_HISTORY_CSV_HEADER`'s order. */
const csvCells = (e: StakerHistoryEntry) => [
  e.at,
  e.action,
  exactAmount(e.amount),
  e.token,
  e.amount?.raw,
  exactAmount(e.positionStaked),
  exactAmount(e.positionUnstaking),
  e.availableAt,
  // Each waiting request as `amount@maturity`, separated by spaces.
  e.unstakeRequests
    ?.map((r) => `${formatUnits(BigInt(r.amount.raw), r.amount.decimals)}@${r.availableAt}`)
    .join(" "),
  e.slot,
  e.signature,
];

/** The history as CSV: exact decimal amounts (no rounding) beside their base units. */
export function stakerHistoryCsv(entries: readonly StakerHistoryEntry[]): string {
  return toCsv(STAKER_HISTORY_CSV_HEADER, entries.map(csvCells));
}

/**
 * Entries as CSV lines without the header: the same lines `stakerHistoryCsv` writes after its
 * header, for writing a long history a page at a time.
 */
export function stakerHistoryCsvLines(entries: readonly StakerHistoryEntry[]): string {
  return entries.map((e) => csvLine(csvCells(e))).join("");
}

export interface StakerHistoryPage {
  entries: StakerHistoryEntry[];
  /** Pass as `before` for the next (older) page; null when this page reached the beginning. */
  nextBefore: string | null;
}

/**
 * A staker's history read from the chain, newest first: the transactions that touched their
 * position account (`getSignaturesForAddress`, `limit` transactions before the signature
 * `before`) and the events of theirs in them. For clients without the API's index (the CLI).
 */
export async function fetchStakerHistory(
  program: TreasuryProgram,
  owner: PublicKey,
  options: { limit?: number; before?: string } = {},
): Promise<StakerHistoryPage> {
  const { connection } = program.provider;
  const limit = options.limit ?? 50;
  const position = stakePositionPda(owner, program.programId).address;
  const signatures = await connection.getSignaturesForAddress(
    position,
    { limit, before: options.before },
    "confirmed",
  );
  const succeeded = signatures.filter((s) => s.err === null);
  const transactions = await connection.getTransactions(
    succeeded.map((s) => s.signature),
    { commitment: "confirmed", maxSupportedTransactionVersion: 0 },
  );
  const entries: StakerHistoryEntry[] = [];
  transactions.forEach((tx, i) => {
    if (!tx) throw new Error(`transaction ${succeeded[i].signature} not found`);
    const events = parseTreasuryEvents(program, tx.meta?.logMessages ?? [])
      .filter((e) => isStakerEvent(e.name) && (e.data as { owner: PublicKey }).owner.equals(owner))
      .map((e) =>
        stakerHistoryEntry({
          signature: succeeded[i].signature,
          slot: tx.slot,
          ts: Number((e.data as { unixTimestamp: bigint }).unixTimestamp),
          name: e.name,
          data: e.data as unknown as Record<string, unknown>,
        }),
      );
    // Newest first, also within one transaction.
    entries.push(...events.reverse());
  });
  return {
    entries,
    nextBefore: signatures.length === limit ? signatures[signatures.length - 1].signature : null,
  };
}
