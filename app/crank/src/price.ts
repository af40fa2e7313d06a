/**
 * The oracle side of a cycle: the price account the treasury's guard will read, checked as
 * `finish_buyback` will check it (SDK `checkPriceGuard`), refreshed first when it is too old and
 * the crank has a way to refresh it. A price the program would refuse ends the cycle with the
 * program's reason, before anything is quoted or sent.
 */
import { Connection, PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import type { Logger } from "pino";

import {
  checkPriceGuard,
  clockUnixTimestamp,
  type MintDecimals,
  type OraclePrice,
  type PriceGuard,
  pythPriceFeedAccount,
  type TreasuryState,
} from "../../sdk/src";
import { CrankError, oracleFailure, rpc } from "./errors";

/** Puts a fresh price of a feed into its account: Hermes and Pyth's receiver, or localnet's. */
export interface PriceUpdater {
  /** Makes `account` hold a fresh price of feed `feedId`; throws a `CrankError` when it cannot. */
  refresh(feedId: Buffer, account: PublicKey): Promise<void>;
}

/**
 * How much younger than the guard's `maxAgeSecs` a price must be when the crank reads it: the
 * time the transaction may take to land (at most half the guard's window).
 */
export const PRICE_AGE_MARGIN_SECS = 10;

/** A price the guard accepts, where it is, and what the buyback's arithmetic needs beside it. */
export interface OracleReading {
  account: PublicKey;
  price: OraclePrice;
  decimals: MintDecimals;
  nowSecs: bigint;
}

/** The price account `finish_buyback` is given: the configured one, else the feed's (shard 0). */
export function priceAccountFor(
  guard: Extract<PriceGuard, { kind: "pythPull" }>,
  configured?: PublicKey,
): PublicKey {
  return configured ?? pythPriceFeedAccount(guard.feedId);
}

/** A mint's `decimals` (offset 44 in SPL Token and Token-2022 mints alike). */
const mintDecimals = (data: Buffer) => data.readUInt8(44);

async function read(
  connection: Connection,
  state: TreasuryState,
  guard: Extract<PriceGuard, { kind: "pythPull" }>,
  account: PublicKey,
) {
  // One round trip: the price, the mints' decimals and the clock it is judged by.
  const [price, usdc, ashao, clock] = await rpc("price account", () =>
    connection.getMultipleAccountsInfo(
      [account, state.usdcMint, state.ashaoMint, SYSVAR_CLOCK_PUBKEY],
      "confirmed",
    ),
  );
  if (!usdc || !ashao || !clock) throw new Error("the treasury's mints or the clock are missing");
  const nowSecs = clockUnixTimestamp(clock.data);
  const margin = Math.min(PRICE_AGE_MARGIN_SECS, Math.floor(guard.maxAgeSecs / 2));
  return {
    check: checkPriceGuard(guard, price, nowSecs + BigInt(margin)),
    missing: price === null,
    nowSecs,
    decimals: { usdc: mintDecimals(usdc.data), ashao: mintDecimals(ashao.data) },
  };
}

/**
 * Reads the guard's price account and checks it as the program will at landing time; a price
 * too old (or never posted) is refreshed first when `updater` is given. Throws the program's
 * reason as a `CrankError` (`oracle-stale`, `oracle-wrong-feed`, ...).
 */
export async function readOracle(args: {
  connection: Connection;
  state: TreasuryState;
  guard: Extract<PriceGuard, { kind: "pythPull" }>;
  account: PublicKey;
  updater?: PriceUpdater;
  log: Logger;
}): Promise<OracleReading> {
  const { connection, state, guard, account, updater, log } = args;
  let reading = await read(connection, state, guard, account);
  const old = !reading.check.ok && (reading.check.error === "OracleStale" || reading.missing);
  if (old && updater) {
    log.info(
      { priceUpdate: account.toBase58(), feedId: guard.feedId.toString("hex") },
      "price too old for the guard: posting a fresh one",
    );
    await updater.refresh(guard.feedId, account);
    reading = await read(connection, state, guard, account);
  }
  const { check } = reading;
  if (!check.ok) {
    if (check.error === "NoPriceGuard") throw new Error("readOracle needs a configured guard");
    throw new CrankError(
      oracleFailure(check.error),
      `the price guard would refuse the buyback (${check.error}): ${check.message} ` +
        `(price account ${account.toBase58()})`,
    );
  }
  return { account, price: check.price, decimals: reading.decimals, nowSecs: reading.nowSecs };
}
