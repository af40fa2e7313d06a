/**
 * The treasury's policy in JSON terms: its parameters, price guard, timelock, pending authority
 * and queued change, as the API serves them and as the deploy script's params file is written.
 * Amounts are base-unit decimal strings, keys base58, Pyth feed ids `0x`-prefixed hex, times
 * both ISO 8601 and unix seconds. One format both ways, so a params file and the API's
 * `policy.params` can be compared field by field.
 */
import { BN } from "@anchor-lang/core";
import { PublicKey } from "@solana/web3.js";

import type { ConfigChangeOutcome, TreasuryState } from "./accounts";
import { TIMELOCK_GRACE_SECS } from "./constants";
import type { TreasuryEventOf } from "./events";
import {
  type ConfigChange,
  configChangeFromAnchor,
  feedIdFromHex,
  type PriceGuard,
  type TreasuryParams,
} from "./params";

export type PriceGuardJson =
  | { kind: "none" }
  | { kind: "pythPull"; feedId: string; maxAgeSecs: number; maxConfidenceBps: number };

export interface TreasuryParamsJson {
  streamPeriodSecs: number;
  unstakeCooldownSecs: number;
  boostTiers: { minStake: string; boostBps: number }[];
  maxBuybackUsdc: string;
  minBuybackIntervalSecs: number;
  maxSlippageBps: number;
  swapProgram: string;
  cranks: string[];
  priceGuard: PriceGuardJson;
  timelockSecs: number;
  billingAuthorities: string[];
}

export type ParamName = keyof TreasuryParamsJson;
export type ParamJsonValue = TreasuryParamsJson[ParamName];
export type ConfigChangeJson = Partial<TreasuryParamsJson>;

/** Every parameter, in the program's order. */
export const PARAM_NAMES: readonly ParamName[] = [
  "streamPeriodSecs",
  "unstakeCooldownSecs",
  "boostTiers",
  "maxBuybackUsdc",
  "minBuybackIntervalSecs",
  "maxSlippageBps",
  "swapProgram",
  "cranks",
  "priceGuard",
  "timelockSecs",
  "billingAuthorities",
];

export function priceGuardToJson(guard: PriceGuard): PriceGuardJson {
  if (guard.kind === "none") return { kind: "none" };
  return {
    kind: "pythPull",
    feedId: `0x${guard.feedId.toString("hex")}`,
    maxAgeSecs: guard.maxAgeSecs,
    maxConfidenceBps: guard.maxConfidenceBps,
  };
}

/** Each field of `change` that is set, in JSON terms. */
export function configChangeToJson(change: ConfigChange): ConfigChangeJson {
  const json: ConfigChangeJson = {};
  const set = <K extends ParamName>(name: K, value: TreasuryParamsJson[K]) => (json[name] = value);
  if (change.streamPeriodSecs !== undefined) set("streamPeriodSecs", change.streamPeriodSecs);
  if (change.unstakeCooldownSecs !== undefined) {
    set("unstakeCooldownSecs", change.unstakeCooldownSecs);
  }
  if (change.boostTiers !== undefined) {
    set(
      "boostTiers",
      change.boostTiers.map((t) => ({ minStake: t.minStake.toString(), boostBps: t.boostBps })),
    );
  }
  if (change.maxBuybackUsdc !== undefined) set("maxBuybackUsdc", change.maxBuybackUsdc.toString());
  if (change.minBuybackIntervalSecs !== undefined) {
    set("minBuybackIntervalSecs", change.minBuybackIntervalSecs);
  }
  if (change.maxSlippageBps !== undefined) set("maxSlippageBps", change.maxSlippageBps);
  if (change.swapProgram !== undefined) set("swapProgram", change.swapProgram.toBase58());
  if (change.cranks !== undefined)
    set(
      "cranks",
      change.cranks.map((c) => c.toBase58()),
    );
  if (change.priceGuard !== undefined) set("priceGuard", priceGuardToJson(change.priceGuard));
  if (change.timelockSecs !== undefined) set("timelockSecs", change.timelockSecs);
  if (change.billingAuthorities !== undefined) {
    set(
      "billingAuthorities",
      change.billingAuthorities.map((b) => b.toBase58()),
    );
  }
  return json;
}

export function paramsToJson(params: TreasuryParams): TreasuryParamsJson {
  return configChangeToJson(params) as TreasuryParamsJson;
}

/** The parameters a treasury runs with now. */
export function treasuryParamsOf(state: TreasuryState): TreasuryParams {
  return {
    streamPeriodSecs: state.streamPeriodSecs,
    unstakeCooldownSecs: state.unstakeCooldownSecs,
    boostTiers: state.boostTiers,
    maxBuybackUsdc: state.maxBuybackUsdc,
    minBuybackIntervalSecs: state.minBuybackIntervalSecs,
    maxSlippageBps: state.maxSlippageBps,
    swapProgram: state.swapProgram,
    cranks: state.cranks,
    priceGuard: state.priceGuard,
    timelockSecs: state.timelockSecs,
    billingAuthorities: state.billingAuthorities,
  };
}

type EventConfigChange = TreasuryEventOf<"configChangeQueued">["data"]["change"];

/** A `ConfigChange` as the program's events carry it (amounts already `bigint`). */
export function configChangeFromEvent(raw: EventConfigChange): ConfigChange {
  return configChangeFromAnchor({
    ...raw,
    maxBuybackUsdc: raw.maxBuybackUsdc === null ? null : new BN(raw.maxBuybackUsdc.toString()),
    boostTiers:
      raw.boostTiers?.map((t) => ({
        minStake: new BN(t.minStake.toString()),
        boostBps: t.boostBps,
      })) ?? null,
  });
}

// ----------------------------------------------------------------------- reading JSON back

/** A params file (or API answer) that is not in the format above; names the field. */
export class ParamsFormatError extends Error {
  constructor(field: string, expected: string, got: unknown) {
    super(`${field} must be ${expected} (got ${JSON.stringify(got) ?? String(got)})`);
    this.name = "ParamsFormatError";
  }
}

const U32_MAX = 2 ** 32 - 1;

function integer(field: string, raw: unknown, max: number): number {
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 0 || raw > max) {
    throw new ParamsFormatError(field, `an integer from 0 to ${max}`, raw);
  }
  return raw;
}

function baseUnits(field: string, raw: unknown): bigint {
  if (typeof raw !== "string" || !/^\d{1,20}$/.test(raw)) {
    throw new ParamsFormatError(field, "a decimal string of base units", raw);
  }
  return BigInt(raw);
}

function address(field: string, raw: unknown): PublicKey {
  try {
    if (typeof raw !== "string" || !/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(raw)) throw new Error();
    return new PublicKey(raw);
  } catch {
    throw new ParamsFormatError(field, "a base58 address", raw);
  }
}

function object(field: string, raw: unknown, keys: readonly string[]): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ParamsFormatError(field, "an object", raw);
  }
  const unknownKey = Object.keys(raw).find((k) => !keys.includes(k));
  if (unknownKey !== undefined) {
    throw new ParamsFormatError(`${field}.${unknownKey}`, `absent (known: ${keys.join(", ")})`, 0);
  }
  return raw as Record<string, unknown>;
}

function array(field: string, raw: unknown): unknown[] {
  if (!Array.isArray(raw)) throw new ParamsFormatError(field, "an array", raw);
  return raw;
}

export function priceGuardFromJson(raw: unknown, field = "priceGuard"): PriceGuard {
  const kind = (raw as { kind?: unknown } | null)?.kind;
  if (kind === "none") {
    object(field, raw, ["kind"]);
    return { kind: "none" };
  }
  if (kind !== "pythPull") {
    throw new ParamsFormatError(`${field}.kind`, `"none" or "pythPull"`, kind);
  }
  const g = object(field, raw, ["kind", "feedId", "maxAgeSecs", "maxConfidenceBps"]);
  let feedId: Buffer;
  try {
    if (typeof g.feedId !== "string" || !/^(0x)?[0-9a-fA-F]{64}$/.test(g.feedId)) throw new Error();
    feedId = feedIdFromHex(g.feedId);
  } catch {
    throw new ParamsFormatError(
      `${field}.feedId`,
      "32 bytes of hex (64 digits, 0x optional)",
      g.feedId,
    );
  }
  return {
    kind: "pythPull",
    feedId,
    maxAgeSecs: integer(`${field}.maxAgeSecs`, g.maxAgeSecs, U32_MAX),
    maxConfidenceBps: integer(`${field}.maxConfidenceBps`, g.maxConfidenceBps, 0xffff),
  };
}

/**
 * Every parameter from its JSON form, refusing a missing or unknown key and any value of the
 * wrong shape (bounds are the program's to check: it names each refusal).
 */
export function paramsFromJson(raw: unknown): TreasuryParams {
  const p = object("params", raw, PARAM_NAMES);
  const missing = PARAM_NAMES.find((name) => !(name in p));
  if (missing !== undefined) throw new ParamsFormatError(missing, "present", undefined);
  return {
    streamPeriodSecs: integer("streamPeriodSecs", p.streamPeriodSecs, U32_MAX),
    unstakeCooldownSecs: integer("unstakeCooldownSecs", p.unstakeCooldownSecs, U32_MAX),
    boostTiers: array("boostTiers", p.boostTiers).map((tier, i) => {
      const t = object(`boostTiers[${i}]`, tier, ["minStake", "boostBps"]);
      return {
        minStake: baseUnits(`boostTiers[${i}].minStake`, t.minStake),
        boostBps: integer(`boostTiers[${i}].boostBps`, t.boostBps, 0xffff),
      };
    }),
    maxBuybackUsdc: baseUnits("maxBuybackUsdc", p.maxBuybackUsdc),
    minBuybackIntervalSecs: integer("minBuybackIntervalSecs", p.minBuybackIntervalSecs, U32_MAX),
    maxSlippageBps: integer("maxSlippageBps", p.maxSlippageBps, 0xffff),
    swapProgram: address("swapProgram", p.swapProgram),
    cranks: array("cranks", p.cranks).map((c, i) => address(`cranks[${i}]`, c)),
    priceGuard: priceGuardFromJson(p.priceGuard),
    timelockSecs: integer("timelockSecs", p.timelockSecs, U32_MAX),
    billingAuthorities: array("billingAuthorities", p.billingAuthorities).map((b, i) =>
      address(`billingAuthorities[${i}]`, b),
    ),
  };
}

// ------------------------------------------------------------------------------ comparing

export interface ParamDifference {
  field: ParamName;
  /** The value in `current`. */
  current: ParamJsonValue;
  /** The value in the other set (the change, the params file). */
  other: ParamJsonValue;
}

/** Cranks and billing authorities are sets: their order carries no meaning. */
const comparable = (name: ParamName, value: ParamJsonValue) =>
  JSON.stringify(
    name === "cranks" || name === "billingAuthorities" ? [...(value as string[])].sort() : value,
  );

/** The fields `other` names whose value differs from `current`'s. */
export function paramDifferences(current: TreasuryParams, other: ConfigChange): ParamDifference[] {
  const a = paramsToJson(current);
  const b = configChangeToJson(other);
  return PARAM_NAMES.filter(
    (name) => b[name] !== undefined && comparable(name, a[name]) !== comparable(name, b[name]!),
  ).map((name) => ({ field: name, current: a[name], other: b[name]! }));
}

// -------------------------------------------------------------------------------- policy

/** A moment on the chain's clock, both ways. */
export interface ChainTimeJson {
  at: string;
  unix: number;
}

const chainTime = (unix: bigint): ChainTimeJson => ({
  at: new Date(Number(unix) * 1000).toISOString(),
  unix: Number(unix),
});

export interface QueuedChangeJson {
  /** Each field the change sets: its value now and the value it will take. */
  changes: { field: ParamName; current: ParamJsonValue; queued: ParamJsonValue }[];
  /** From when anyone may apply it. */
  eta: ChainTimeJson;
  /**
   * The last moment it may be applied (eta + 14 days); after it the next queued change
   * replaces it, or a cancel clears it.
   */
  expiresAt: ChainTimeJson;
}

/** What became of the last queued change to leave the queue, and when. */
export interface LastQueuedChangeJson {
  /**
   * `applied` after its eta; `cancelled` by the authority; `superseded`: an `update_config`
   * changed a field it sets, so it was dropped rather than undo that change later; `expired`:
   * not applied within 14 days of its eta.
   */
  outcome: ConfigChangeOutcome;
  eta: ChainTimeJson;
  at: ChainTimeJson;
}

/** Who may change what, and what is waiting out the timelock. */
export interface TreasuryPolicy {
  authority: string;
  /**
   * An authority transfer in progress: who, from when they may accept, and the last moment they
   * may (after it the proposal has expired: the authority must propose again).
   */
  pendingAuthority: {
    address: string;
    acceptAfter: ChainTimeJson;
    expiresAt: ChainTimeJson;
  } | null;
  timelockSecs: number;
  priceGuard: PriceGuardJson;
  params: TreasuryParamsJson;
  queuedChange: QueuedChangeJson | null;
  lastQueuedChange: LastQueuedChangeJson | null;
}

/**
 * Where a timelocked action stands at `nowUnix` (chain time): `waiting` before its eta,
 * `ready` from its eta through its last moment, `expired` after it.
 */
export type TimelockStatus = "waiting" | "ready" | "expired";

export function timelockStatus(
  window: { eta: ChainTimeJson; expiresAt: ChainTimeJson },
  nowUnix: number,
): TimelockStatus {
  if (nowUnix < window.eta.unix) return "waiting";
  return nowUnix <= window.expiresAt.unix ? "ready" : "expired";
}

export function treasuryPolicy(state: TreasuryState): TreasuryPolicy {
  const params = paramsToJson(treasuryParamsOf(state));
  const queued = state.queuedChange;
  let queuedChange: QueuedChangeJson | null = null;
  if (queued) {
    const change = configChangeToJson(queued.change);
    queuedChange = {
      changes: PARAM_NAMES.filter((name) => change[name] !== undefined).map((name) => ({
        field: name,
        current: params[name],
        queued: change[name]!,
      })),
      eta: chainTime(queued.eta),
      expiresAt: chainTime(queued.eta + BigInt(TIMELOCK_GRACE_SECS)),
    };
  }
  const last = state.lastQueuedChange;
  return {
    authority: state.authority.toBase58(),
    pendingAuthority:
      state.pendingAuthority && state.pendingAuthorityEta !== null
        ? {
            address: state.pendingAuthority.toBase58(),
            acceptAfter: chainTime(state.pendingAuthorityEta),
            expiresAt: chainTime(state.pendingAuthorityEta + BigInt(TIMELOCK_GRACE_SECS)),
          }
        : null,
    timelockSecs: state.timelockSecs,
    priceGuard: params.priceGuard,
    params,
    queuedChange,
    lastQueuedChange: last
      ? { outcome: last.outcome, eta: chainTime(last.eta), at: chainTime(last.at) }
      : null,
  };
}
