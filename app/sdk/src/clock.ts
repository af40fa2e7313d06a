/**
 * The chain's time as the program sees it: the Clock sysvar's `unix_timestamp` (after `slot`,
 * `epoch_start_timestamp`, `epoch` and `leader_schedule_epoch`). Block times and the host's
 * clock can differ from it, notably after the local validator's clock is moved.
 */
import { type Connection, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";

const UNIX_TIMESTAMP_OFFSET = 32;

/** `unix_timestamp` from the Clock sysvar's account data. */
export function clockUnixTimestamp(data: Buffer): bigint {
  return data.readBigInt64LE(UNIX_TIMESTAMP_OFFSET);
}

/** The chain's current `unix_timestamp`. */
export async function fetchChainTime(connection: Connection): Promise<bigint> {
  const clock = await connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY, "confirmed");
  if (!clock) throw new Error("the Clock sysvar is missing");
  return clockUnixTimestamp(clock.data);
}
