/** The program's events, parsed from `Program data:` log lines with Anchor's EventParser. */
import { BN, EventParser, type IdlEvents } from "@anchor-lang/core";
import { PublicKey } from "@solana/web3.js";

import type { AshaoTreasury, TreasuryProgram } from "./program";

/** Anchor's decoded values with every BN as bigint (recursively). */
export type Bigintify<T> = T extends BN
  ? bigint
  : T extends PublicKey
    ? T
    : T extends readonly (infer U)[]
      ? Bigintify<U>[]
      : T extends object
        ? { [K in keyof T]: Bigintify<T[K]> }
        : T;

export function bigintify<T>(value: T): Bigintify<T> {
  if (BN.isBN(value)) return BigInt((value as unknown as BN).toString()) as Bigintify<T>;
  if (value instanceof PublicKey || value === null || typeof value !== "object") {
    return value as Bigintify<T>;
  }
  if (Array.isArray(value)) return value.map((v) => bigintify(v)) as Bigintify<T>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = bigintify(v);
  return out as Bigintify<T>;
}

type RawEvents = IdlEvents<AshaoTreasury>;
export type TreasuryEventName = keyof RawEvents & string;

/** One event: its name (camelCase, e.g. `staked`) and data with amounts as bigint. */
export type TreasuryEvent = {
  [K in TreasuryEventName]: { name: K; data: Bigintify<RawEvents[K]> };
}[TreasuryEventName];

export type TreasuryEventOf<K extends TreasuryEventName> = Extract<TreasuryEvent, { name: K }>;

const parsers = new WeakMap<TreasuryProgram, EventParser>();

/**
 * One event parser per program, given a program id whose base58 is computed once: Anchor's
 * parser compares `programId.toString()` with every log line, and that base58 encoding was
 * two thirds of the time taken to parse a transaction's logs (the indexer parses thousands a
 * second).
 */
function parserFor(program: TreasuryProgram): EventParser {
  let parser = parsers.get(program);
  if (!parser) {
    const base58 = program.programId.toBase58();
    const programId = Object.assign(new PublicKey(program.programId), { toString: () => base58 });
    parser = new EventParser(programId, program.coder);
    parsers.set(program, parser);
  }
  return parser;
}

/** Every treasury event in a transaction's logs, in order. */
export function parseTreasuryEvents(
  program: TreasuryProgram,
  logs: readonly string[],
): TreasuryEvent[] {
  const events: TreasuryEvent[] = [];
  for (const event of parserFor(program).parseLogs([...logs])) {
    events.push({ name: event.name, data: bigintify(event.data) } as TreasuryEvent);
  }
  return events;
}

/** The events of one kind in the logs. */
export function findTreasuryEvents<K extends TreasuryEventName>(
  program: TreasuryProgram,
  logs: readonly string[],
  name: K,
): TreasuryEventOf<K>[] {
  return parseTreasuryEvents(program, logs).filter((e): e is TreasuryEventOf<K> => e.name === name);
}

/**
 * Calls `callback` for each treasury event the program emits (websocket `logsSubscribe`).
 * Returns a function that unsubscribes.
 */
export function onTreasuryEvents(
  program: TreasuryProgram,
  callback: (event: TreasuryEvent, signature: string) => void,
): () => Promise<void> {
  const connection = program.provider.connection;
  const id = connection.onLogs(
    program.programId,
    (logs) => {
      if (logs.err) return;
      for (const event of parseTreasuryEvents(program, logs.logs)) callback(event, logs.signature);
    },
    "confirmed",
  );
  return () => connection.removeOnLogsListener(id);
}
