/**
 * Fetching and decoding the program's accounts into SDK types: amounts and timestamps as
 * `bigint`, small counters and parameters as `number`, unused fixed slots dropped.
 */
import { BN, utils } from "@anchor-lang/core";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { Commitment, type Connection, PublicKey } from "@solana/web3.js";

import { MAX_UNSTAKE_TICKETS } from "./constants";
import { ConfigChange, configChangeFromAnchor, PriceGuard, priceGuardFromAnchor } from "./params";
import { stakePositionPda, treasuryConfigPda } from "./pda";
import IDL_JSON from "./idl/ashao_treasury.json";
import type { TreasuryProgram } from "./program";

/** One worker-boost tier: a stake of at least `minStake` gets `boostBps`. */
export interface BoostTier {
  minStake: bigint;
  boostBps: number;
}

/** What became of a queued change when it left the queue. */
export type ConfigChangeOutcome = "applied" | "cancelled" | "superseded" | "expired";

/** One unstake request: `amount` $ASHAO, withdrawable from `availableAt` (unix seconds). */
export interface UnstakeTicket {
  amount: bigint;
  availableAt: bigint;
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
  /** The wallets that may settle usage. */
  billingAuthorities: PublicKey[];
  /** The change waiting out the timelock, if any, and from when anyone may apply it. */
  queuedChange: { change: ConfigChange; eta: bigint } | null;
  /**
   * The last queued change to leave the queue: how (applied; cancelled by the authority;
   * superseded by an `update_config` that changed a field it sets; expired), its eta and when
   * it left. `null` before any has.
   */
  lastQueuedChange: { outcome: ConfigChangeOutcome; eta: bigint; at: bigint } | null;

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

  /** Usage settled by `settle_usage`: gross = paid to workers + usage revenue. */
  usageBatchCount: bigint;
  workerPaymentCount: bigint;
  totalUsageGross: bigint;
  totalPaidToWorkers: bigint;
  /** The boosts within `totalPaidToWorkers`. */
  totalBoostPaid: bigint;
  /** The part of `totalRevenue` that came from usage (the rest: deposits and syncs). */
  totalUsageRevenue: bigint;
}

/** `StakePosition`, decoded. */
export interface StakePositionState {
  address: PublicKey;
  owner: PublicKey;
  bump: number;
  staked: bigint;
  /** The sum of the tickets' amounts. */
  unstaking: bigint;
  rewardCheckpoint: bigint;
  owedRewards: bigint;
  totalClaimed: bigint;
  /** The unstake requests not yet withdrawn, oldest first, each maturing on its own. */
  unstakeTickets: UnstakeTicket[];
  /** Staked principal not yet counting for the worker boost, until `boostWarmupEndsAt`. */
  boostWarmupAmount: bigint;
  /** When the warming principal starts to count (0 when nothing is warming). */
  boostWarmupEndsAt: bigint;
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

/** The outcome as the IDL's enum decodes (`{ superseded: {} }`), `null` for `None`. */
function outcomeFromAnchor(raw: Record<string, unknown>): ConfigChangeOutcome | null {
  const [name] = Object.keys(raw);
  const outcomes: readonly ConfigChangeOutcome[] = [
    "applied",
    "cancelled",
    "superseded",
    "expired",
  ];
  return outcomes.find((o) => o === name) ?? null;
}

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
    billingAuthorities: raw.billingAuthorities.slice(0, raw.billingAuthorityCount),
    queuedChange: raw.queuedChangeEta.isZero()
      ? null
      : { change: configChangeFromAnchor(raw.queuedChange), eta: big(raw.queuedChangeEta) },
    lastQueuedChange: lastQueuedChangeOf(raw.lastQueuedChange),
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
    usageBatchCount: big(raw.usageBatchCount),
    workerPaymentCount: big(raw.workerPaymentCount),
    totalUsageGross: big(raw.totalUsageGross),
    totalPaidToWorkers: big(raw.totalPaidToWorkers),
    totalBoostPaid: big(raw.totalBoostPaid),
    totalUsageRevenue: big(raw.totalUsageRevenue),
  };
}

function lastQueuedChangeOf(
  raw: RawTreasury["lastQueuedChange"],
): TreasuryState["lastQueuedChange"] {
  const outcome = outcomeFromAnchor(raw.outcome);
  return outcome === null ? null : { outcome, eta: big(raw.eta), at: big(raw.unixTimestamp) };
}

/** The tickets in use (a free slot is all zero), as the program keeps them: oldest first. */
export function activeTickets(
  tickets: readonly { amount: BN | bigint; availableAt: BN | bigint }[],
): UnstakeTicket[] {
  const used: UnstakeTicket[] = [];
  for (const t of tickets) {
    const amount = BigInt(t.amount.toString());
    if (amount === 0n) break;
    used.push({ amount, availableAt: BigInt(t.availableAt.toString()) });
  }
  return used;
}

/** Converts an Anchor-decoded position into a `StakePositionState`. */
export function toStakePositionState(address: PublicKey, raw: RawPosition): StakePositionState {
  return {
    address,
    owner: raw.owner,
    bump: raw.bump,
    staked: big(raw.staked),
    unstaking: big(raw.unstaking),
    rewardCheckpoint: big(raw.rewardCheckpoint),
    owedRewards: big(raw.owedRewards),
    totalClaimed: big(raw.totalClaimed),
    unstakeTickets: activeTickets(raw.unstakeTickets),
    boostWarmupAmount: big(raw.boostWarmupAmount),
    boostWarmupEndsAt: big(raw.boostWarmupEndsAt),
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
  const { records } = await fetchStakePositionRecords(
    program.provider.connection,
    program.programId,
  );
  return records.map(stakePositionFromRecord);
}

// ------------------------------------------------------------------ positions in bulk

/**
 * A position in the form a cache of every position keeps: keys as base58 strings and amounts as
 * bigints, with no `PublicKey` (each one a BN and its word array) per key. A few hundred bytes
 * of heap where a `StakePositionState` takes over a kilobyte.
 */
export type StakePositionRecord = Omit<StakePositionState, "address" | "owner"> & {
  address: string;
  owner: string;
};

type StakePositionField = Exclude<keyof StakePositionRecord, "address">;

/** No tickets: shared by every record without any (most of them). */
const NO_TICKETS: readonly UnstakeTicket[] = Object.freeze([]);

/** Bytes of the IDL's fixed-size types (the only kinds a `StakePosition` holds). */
function idlTypeSize(type: unknown): number {
  const defined = (type as { defined?: { name: string } }).defined;
  if (defined) {
    const struct = IDL_JSON.types.find((t) => t.name === defined.name);
    if (!struct || struct.type.kind !== "struct") {
      throw new Error(`StakePosition holds ${defined.name}, which is not a struct of the IDL`);
    }
    return (struct.type.fields as { type: unknown }[]).reduce(
      (sum, field) => sum + idlTypeSize(field.type),
      0,
    );
  }
  const primitive: Record<string, number> = {
    bool: 1,
    u8: 1,
    i8: 1,
    u16: 2,
    i16: 2,
    u32: 4,
    i32: 4,
    u64: 8,
    i64: 8,
    u128: 16,
    i128: 16,
    pubkey: 32,
  };
  if (typeof type === "string" && type in primitive) return primitive[type];
  const array = (type as { array?: [unknown, number] }).array;
  if (array) return idlTypeSize(array[0]) * array[1];
  throw new Error(`StakePosition holds a type of no fixed size: ${JSON.stringify(type)}`);
}

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The `StakePosition` account's discriminator, size and field offsets, computed from the IDL
 * (the one description of the layout; the Rust struct generates it).
 */
export const STAKE_POSITION_LAYOUT = (() => {
  // The JSON as generated (the typed IDL renames its accounts and fields to camelCase).
  const account = IDL_JSON.accounts.find((a) => a.name === "StakePosition");
  const type = IDL_JSON.types.find((t) => t.name === "StakePosition");
  if (!account || !type || type.type.kind !== "struct")
    throw new Error("no StakePosition in the IDL");
  const offsets = {} as Record<StakePositionField | "reserved", number>;
  let offset = account.discriminator.length;
  for (const field of type.type.fields as { name: string; type: unknown }[]) {
    offsets[camel(field.name) as StakePositionField | "reserved"] = offset;
    offset += idlTypeSize(field.type);
  }
  return { discriminator: Buffer.from(account.discriminator), size: offset, offsets };
})();

/**
 * The same string in one piece: base58 encoders build theirs a character at a time, which V8
 * keeps as a chain of 44 concatenations (about 1.4 KB where the flat string takes 60 bytes).
 */
const flat = (text: string) => Buffer.from(text, "latin1").toString("latin1");

/**
 * Decodes the `StakePosition` at `offset` of `data` (a notification's bytes, or one slot of a
 * buffer holding many) into a record, allocating only the record, its owner string and the
 * amounts; null when the bytes are not a position (another account or size). `owner`: the
 * owner's address as the bytes hold it, when the caller has encoded it already (the API's
 * positions worker does, off its event loop).
 */
export function decodeStakePositionRecord(
  address: string,
  data: Buffer,
  offset = 0,
  owner?: string,
): StakePositionRecord | null {
  const { discriminator, size, offsets: at } = STAKE_POSITION_LAYOUT;
  if (data.length - offset < size || data.compare(discriminator, 0, 8, offset, offset + 8) !== 0) {
    return null;
  }
  const u64 = (field: StakePositionField) => data.readBigUInt64LE(offset + at[field]);
  // `UnstakeTicket` is { amount: u64, available_at: i64 }; the used ones come first.
  let unstakeTickets = NO_TICKETS as UnstakeTicket[];
  for (let i = 0, slot = offset + at.unstakeTickets; i < MAX_UNSTAKE_TICKETS; i++, slot += 16) {
    const amount = data.readBigUInt64LE(slot);
    if (amount === 0n) break;
    if (unstakeTickets === NO_TICKETS) unstakeTickets = [];
    unstakeTickets.push({ amount, availableAt: data.readBigInt64LE(slot + 8) });
  }
  return {
    address: flat(address),
    owner: flat(
      owner ?? utils.bytes.bs58.encode(data.subarray(offset + at.owner, offset + at.owner + 32)),
    ),
    bump: data[offset + at.bump],
    staked: u64("staked"),
    unstaking: u64("unstaking"),
    rewardCheckpoint:
      u64("rewardCheckpoint") | (data.readBigUInt64LE(offset + at.rewardCheckpoint + 8) << 64n),
    owedRewards: u64("owedRewards"),
    totalClaimed: u64("totalClaimed"),
    unstakeTickets,
    boostWarmupAmount: u64("boostWarmupAmount"),
    boostWarmupEndsAt: data.readBigInt64LE(offset + at.boostWarmupEndsAt),
  };
}

/** Whether two ticket lists are the same, ticket for ticket. */
export function sameTickets(a: readonly UnstakeTicket[], b: readonly UnstakeTicket[]): boolean {
  return (
    a.length === b.length &&
    a.every((t, i) => t.amount === b[i].amount && t.availableAt === b[i].availableAt)
  );
}

/** Whether two records hold the same position, field for field. */
export function sameStakePosition(a: StakePositionRecord, b: StakePositionRecord): boolean {
  return (
    a.address === b.address &&
    a.owner === b.owner &&
    a.bump === b.bump &&
    a.staked === b.staked &&
    a.unstaking === b.unstaking &&
    a.rewardCheckpoint === b.rewardCheckpoint &&
    a.owedRewards === b.owedRewards &&
    a.totalClaimed === b.totalClaimed &&
    sameTickets(a.unstakeTickets, b.unstakeTickets)
  );
}

/** A record as a `StakePositionState` (what the staker math and views take). */
export function stakePositionFromRecord(record: StakePositionRecord): StakePositionState {
  return {
    ...record,
    address: new PublicKey(record.address),
    owner: new PublicKey(record.owner),
  };
}

/**
 * The JSON-RPC request for every position: `getProgramAccounts` filtered by the discriminator
 * and size, base64, with the slot it was read at; with `ownerFirstByte`, only the positions
 * whose owner's address starts with that byte (one of 256 shards, so that no answer holds them
 * all).
 */
export function stakePositionsRequest(programId: PublicKey, ownerFirstByte?: number) {
  const { discriminator, size, offsets } = STAKE_POSITION_LAYOUT;
  const shard =
    ownerFirstByte === undefined
      ? []
      : [
          {
            memcmp: {
              offset: offsets.owner,
              bytes: utils.bytes.bs58.encode(Buffer.from([ownerFirstByte])),
            },
          },
        ];
  return {
    jsonrpc: "2.0" as const,
    id: 1,
    method: "getProgramAccounts" as const,
    params: [
      programId.toBase58(),
      {
        commitment: "confirmed",
        encoding: "base64",
        withContext: true,
        filters: [
          { memcmp: { offset: 0, bytes: utils.bytes.bs58.encode(discriminator) } },
          { dataSize: size },
          ...shard,
        ],
      },
    ] as const,
  };
}

/** The answer to `stakePositionsRequest`. */
export interface StakePositionsResponse {
  result?: {
    context: { slot: number };
    value: { pubkey: string; account: { data: [string, "base64"] } }[];
  };
  error?: { code: number; message: string };
}

/**
 * Every position with the slot it was read at, by one raw JSON-RPC request: web3.js's and
 * Anchor's `getProgramAccounts` validate every account of the answer with superstruct and decode
 * each into objects (seconds of CPU at 100,000 positions); this parses the JSON and reads each
 * position's fields in place.
 */
export async function fetchStakePositionRecords(
  connection: Connection,
  programId: PublicKey,
): Promise<{ slot: number; records: StakePositionRecord[] }> {
  const response = await fetch(connection.rpcEndpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(stakePositionsRequest(programId)),
  });
  if (!response.ok) throw new Error(`getProgramAccounts: HTTP ${response.status}`);
  const { result, error } = (await response.json()) as StakePositionsResponse;
  if (!result) throw new Error(`getProgramAccounts: ${error?.message ?? "no result"}`);
  const records: StakePositionRecord[] = [];
  for (const { pubkey, account } of result.value) {
    const record = decodeStakePositionRecord(pubkey, Buffer.from(account.data[0], "base64"));
    if (record) records.push(record);
  }
  return { slot: result.context.slot, records };
}
