/**
 * Any error a send can raise → `{ code, name, message }`: the program's own errors by the IDL,
 * Anchor's framework errors by `LangErrorCode`, other programs' custom errors by their number.
 */
import { AnchorError, LangErrorCode, LangErrorMessage, ProgramError } from "@anchor-lang/core";

import IDL from "./idl/ashao_treasury.json";

export interface TreasuryErrorInfo {
  /** The numeric code (6000+ for the program's errors, <6000 Anchor's); null when none. */
  code: number | null;
  /** `SameMint`, `ConstraintSeeds`, … or the error's class name when it has no code. */
  name: string;
  message: string;
  /** Transaction logs, when the error carried them. */
  logs?: string[];
}

/** The program's errors by code, from the committed IDL. */
export const TREASURY_ERRORS: ReadonlyMap<number, { name: string; msg: string }> = new Map(
  IDL.errors.map((e) => [e.code, { name: e.name, msg: e.msg }]),
);

/** The program's error code for a name (e.g. `"SameMint"` → 6011). */
export function treasuryErrorCode(name: string): number {
  for (const [code, e] of TREASURY_ERRORS) if (e.name === name) return code;
  throw new Error(`unknown treasury error ${name}`);
}

const langNames = new Map<number, string>(
  Object.entries(LangErrorCode).map(([name, code]) => [code as number, name]),
);

function describeCode(code: number): { name: string; message: string } {
  const own = TREASURY_ERRORS.get(code);
  if (own) return { name: own.name, message: own.msg };
  const lang = langNames.get(code);
  if (lang) return { name: lang, message: LangErrorMessage.get(code) ?? lang };
  return { name: `Custom(${code})`, message: `custom program error: 0x${code.toString(16)}` };
}

function logsOf(err: unknown): string[] | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { logs?: unknown; transactionLogs?: unknown };
  const logs = e.logs ?? e.transactionLogs;
  return Array.isArray(logs) && logs.every((l) => typeof l === "string") ? logs : undefined;
}

export function toTreasuryError(err: unknown): TreasuryErrorInfo {
  const logs = logsOf(err);
  if (err instanceof AnchorError) {
    return {
      code: err.error.errorCode.number,
      name: err.error.errorCode.code,
      message: err.error.errorMessage,
      logs: err.logs,
    };
  }
  if (err instanceof ProgramError) {
    return { code: err.code, ...describeCode(err.code), logs: err.logs ?? logs };
  }
  if (logs) {
    const anchor = AnchorError.parse(logs);
    if (anchor) return toTreasuryError(anchor);
    // `init` of an account that exists: the System Program's AccountAlreadyInUse (custom 0).
    if (logs.some((l) => /already in use/.test(l))) {
      const line = logs.find((l) => /already in use/.test(l)) ?? "";
      return { code: 0, name: "AccountAlreadyInUse", message: line.replace(/^.*?: /, ""), logs };
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  const custom = /custom program error: 0x([0-9a-f]+)/i.exec(message);
  if (custom) {
    const code = parseInt(custom[1], 16);
    return { code, ...describeCode(code), logs };
  }
  const json = /"Custom":\s*(\d+)/.exec(message);
  if (json) {
    const code = Number(json[1]);
    return { code, ...describeCode(code), logs };
  }
  return { code: null, name: err instanceof Error ? err.name : "Error", message, logs };
}
