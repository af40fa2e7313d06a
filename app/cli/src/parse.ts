/** Command-line values read strictly: each refusal is one `UsageError` line naming the flag. */
import { PublicKey } from "@solana/web3.js";

import { parseUnits } from "../../sdk/src/figures";
import { UsageError } from "./errors";

const U64_MAX = (1n << 64n) - 1n;

export function parseAddress(what: string, text: string | undefined): PublicKey {
  if (text === undefined) throw new UsageError(`${what} is required`);
  try {
    if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(text)) throw new Error();
    return new PublicKey(text);
  } catch {
    throw new UsageError(`${what} must be a base58 address (got ${text})`);
  }
}

/** The largest amount a token account can hold, in `decimals` places (`u64::MAX` base units). */
function maxAmountText(decimals: number): string {
  const raw = U64_MAX.toString().padStart(decimals + 1, "0");
  return decimals === 0 ? raw : `${raw.slice(0, -decimals)}.${raw.slice(-decimals)}`;
}

/** A positive amount of a token with `decimals` places (`12.5`), at most `u64::MAX` base units. */
export function parseAmount(
  what: string,
  text: string | undefined,
  decimals: number,
  unit: string,
): bigint {
  if (text === undefined) throw new UsageError(`${what} is required`);
  let value: bigint;
  try {
    value = parseUnits(text, decimals);
  } catch {
    throw new UsageError(
      `${what} must be a positive amount of ${unit} with at most ${decimals} decimals (got ${text})`,
    );
  }
  if (value === 0n) throw new UsageError(`${what} must be above zero`);
  if (value > U64_MAX) {
    throw new UsageError(
      `${what} is above the most a token account can hold (${maxAmountText(decimals)} ${unit}) (got ${text})`,
    );
  }
  return value;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** Seconds, as `90`, `90s`, `15m`, `2h` or `1d`. */
export function parseDuration(what: string, text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  const secs = match ? Number(match[1]) * DURATION_UNITS[match[2] || "s"] : NaN;
  if (!Number.isSafeInteger(secs) || secs > 0xffff_ffff) {
    throw new UsageError(
      `${what} must be a duration such as 3600, 90s, 15m, 2h or 1d (got ${text})`,
    );
  }
  return secs;
}

export function parseInteger(what: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${what} must be a whole number from ${min} to ${max} (got ${text})`);
  }
  return value;
}
