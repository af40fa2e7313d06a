/**
 * An initialised treasury on a test validator, through the SDK: mints, authority, stakers, and
 * assertions on the program's named errors.
 */
import {
  ComputeBudgetProgram,
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  TransactionInstruction,
} from "@solana/web3.js";
import { expect } from "chai";

import { advanceClock } from "../../app/localnet/validator";
import {
  fetchChainTime,
  fetchStakePosition,
  parseTreasuryEvents,
  TreasuryEvent,
  TreasuryEventName,
  TreasuryEventOf,
  fetchTreasuryOrThrow,
  initializeIx,
  MIN_BUYBACK_INTERVAL_SECS,
  MIN_STREAM_PERIOD_SECS,
  MIN_TIMELOCK_SECS,
  MIN_UNSTAKE_COOLDOWN_SECS,
  NO_PRICE_GUARD,
  PriceGuard,
  sendAndConfirm,
  StakePositionState,
  toTreasuryError,
  treasuryAccounts,
  TreasuryAccounts,
  treasuryErrorCode,
  TREASURY_ERRORS,
  TreasuryErrorInfo,
  TreasuryParams,
  treasuryProgram,
  TreasuryProgram,
  TreasuryState,
} from "../../app/sdk/src";
import { createAshaoMint, createUsdcMint, fundedTokenAccount, TestMint } from "./tokens";
import type { TestValidator } from "./validator";

/**
 * Parameters at the program's floors where that keeps tests short: a one-hour stream and
 * cooldown, one-minute buyback interval, one-day timelock, no price guard (buybacks off).
 */
export function defaultParams(overrides: Partial<TreasuryParams> = {}): TreasuryParams {
  return {
    streamPeriodSecs: MIN_STREAM_PERIOD_SECS,
    unstakeCooldownSecs: MIN_UNSTAKE_COOLDOWN_SECS,
    boostTiers: [
      { minStake: 1_000_000_000n, boostBps: 500 },
      { minStake: 10_000_000_000n, boostBps: 1_500 },
    ],
    maxBuybackUsdc: 1_000_000_000n,
    minBuybackIntervalSecs: MIN_BUYBACK_INTERVAL_SECS,
    maxSlippageBps: 100,
    swapProgram: PublicKey.default,
    cranks: [],
    priceGuard: NO_PRICE_GUARD,
    timelockSecs: MIN_TIMELOCK_SECS,
    billingAuthorities: [],
    ...overrides,
  };
}

type PythGuard = Extract<PriceGuard, { kind: "pythPull" }>;

/** A valid Pyth guard (buybacks on), for suites that only set or change parameters. */
export function pythGuard(overrides: Partial<Omit<PythGuard, "kind">> = {}): PythGuard {
  return {
    kind: "pythPull",
    feedId: Buffer.alloc(32, 7),
    maxAgeSecs: 60,
    maxConfidenceBps: 100,
    ...overrides,
  };
}

let sends = 0;

/**
 * Sends `instructions` signed by `signers` (the first pays), with a priority fee that differs
 * per send (as wallets set one): the same instructions sent twice within one blockhash are two
 * transactions, not a replay the runtime refuses.
 */
export function send(
  validator: TestValidator,
  instructions: TransactionInstruction[] | TransactionInstruction,
  ...signers: Keypair[]
): Promise<string> {
  const ixs = Array.isArray(instructions) ? instructions : [instructions];
  const fee = ComputeBudgetProgram.setComputeUnitPrice({ microLamports: ++sends });
  return sendAndConfirm(validator.connection, [fee, ...ixs], { keypairs: signers });
}

/** Expects `promise` to fail with the program error `name` (and its IDL code). */
export async function expectTreasuryError(
  promise: Promise<unknown>,
  name: string,
): Promise<TreasuryErrorInfo> {
  let info: TreasuryErrorInfo | undefined;
  try {
    await promise;
  } catch (err) {
    info = toTreasuryError(err);
  }
  expect(info, `expected ${name}, but it succeeded`).to.not.equal(undefined);
  expect(info!.name, info!.message).to.equal(name);
  if ([...TREASURY_ERRORS.values()].some((e) => e.name === name)) {
    expect(info!.code).to.equal(treasuryErrorCode(name));
  }
  return info!;
}

export interface TreasuryFixture {
  validator: TestValidator;
  program: TreasuryProgram;
  authority: Keypair;
  usdc: TestMint;
  ashao: TestMint;
  accounts: TreasuryAccounts;
  state(): Promise<TreasuryState>;
  position(owner: PublicKey): Promise<StakePositionState | null>;
}

/** Fresh mints and an initialised treasury. */
export async function setupTreasury(
  validator: TestValidator,
  params: TreasuryParams = defaultParams(),
  ashaoTokenProgram?: PublicKey,
): Promise<TreasuryFixture> {
  const connection = validator.connection;
  // Only the program's upgrade authority may initialise; it becomes the treasury authority.
  const authority = validator.upgradeAuthority;
  const program = treasuryProgram(connection);
  const usdc = await createUsdcMint(connection, authority);
  const ashao = await createAshaoMint(connection, authority, ashaoTokenProgram);
  await send(
    validator,
    await initializeIx(program, {
      authority: authority.publicKey,
      usdcMint: usdc.mint,
      ashaoMint: ashao.mint,
      ashaoTokenProgram: ashao.tokenProgram,
      params,
    }),
    authority,
  );
  const state = await fetchTreasuryOrThrow(program);
  return {
    validator,
    program,
    authority,
    usdc,
    ashao,
    accounts: treasuryAccounts(program.programId, state),
    state: () => fetchTreasuryOrThrow(program),
    position: (owner) => fetchStakePosition(program, owner),
  };
}

export interface Staker {
  keypair: Keypair;
  ashaoAccount: PublicKey;
  usdcAccount: PublicKey;
}

/** A funded wallet holding `ashao` $ASHAO and `usdc` USDC in its associated accounts. */
export async function newStaker(
  fixture: TreasuryFixture,
  ashao: bigint,
  usdc = 0n,
): Promise<Staker> {
  const { validator, authority } = fixture;
  const keypair = await validator.fundedKeypair(5 * LAMPORTS_PER_SOL);
  return {
    keypair,
    ashaoAccount: await fundedTokenAccount(
      validator.connection,
      authority,
      fixture.ashao,
      keypair.publicKey,
      ashao,
    ),
    usdcAccount: await fundedTokenAccount(
      validator.connection,
      authority,
      fixture.usdc,
      keypair.publicKey,
      usdc,
    ),
  };
}

/** The treasury events a confirmed transaction emitted. */
export async function transactionEvents(
  fixture: TreasuryFixture,
  signature: string,
): Promise<TreasuryEvent[]> {
  const tx = await fixture.validator.connection.getTransaction(signature, {
    commitment: "confirmed",
    maxSupportedTransactionVersion: 0,
  });
  return parseTreasuryEvents(fixture.program, tx?.meta?.logMessages ?? []);
}

/** The one event of kind `name` a transaction emitted. */
export async function transactionEvent<K extends TreasuryEventName>(
  fixture: TreasuryFixture,
  signature: string,
  name: K,
): Promise<TreasuryEventOf<K>["data"]> {
  const events = (await transactionEvents(fixture, signature)).filter(
    (e): e is TreasuryEventOf<K> => e.name === name,
  );
  expect(events, `${name} events`).to.have.length(1);
  // TS cannot narrow a union member's `data` through a generic `K`; the filter above did.
  return events[0].data as unknown as TreasuryEventOf<K>["data"];
}

/** An account's raw bytes (`null` when it does not exist), to show a refusal changed nothing. */
export async function accountData(
  connection: Connection,
  address: PublicKey,
): Promise<Buffer | null> {
  return (await connection.getAccountInfo(address, "confirmed"))?.data ?? null;
}

/**
 * Moves the chain clock forward to `unixTs` (never back) and returns the chain time then. The
 * local clock also runs with the wall clock, so a transaction sent next lands at `unixTs` or a
 * second or so later.
 */
export async function advanceClockTo(connection: Connection, unixTs: bigint): Promise<bigint> {
  const now = await fetchChainTime(connection);
  if (unixTs > now) await advanceClock(connection, Number(unixTs - now));
  return fetchChainTime(connection);
}

/** `attempt` fails with the program error `name`, and the treasury config keeps its exact bytes. */
export async function expectConfigUnchanged(
  fixture: TreasuryFixture,
  attempt: () => Promise<unknown>,
  name: string,
): Promise<TreasuryErrorInfo> {
  const connection = fixture.validator.connection;
  const before = await accountData(connection, fixture.accounts.config);
  const info = await expectTreasuryError(attempt(), name);
  const after = await accountData(connection, fixture.accounts.config);
  expect(after!.equals(before!), "config bytes unchanged").to.equal(true);
  return info;
}
