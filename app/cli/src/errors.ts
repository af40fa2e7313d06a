/**
 * How a command fails: one line on stderr, `error: <Name>: <reason>` (`{"error", "message"}` on
 * stdout too with `--output json`), and the exit code of the shared table (app/util/exit-codes).
 */
import { EXIT, type ExitCode } from "../../util/exit-codes";
import { KeypairFileError } from "../../util/keypair-file";
import { SettingError } from "../../util/solana-config";
import { rpcTransportFailure } from "../../sdk/src/rpc";

/** Bad flags or arguments: the command did nothing. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A refusal, with the program's error name where there is one (`TimelockNotElapsed`, …). */
export class RefusedError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
    this.name = "RefusedError";
  }
}

/** The network failed the command: the node did not answer, or a transaction's fate is open. */
export class NetworkError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
    this.name = "NetworkError";
  }
}

export interface Failure {
  name: string;
  message: string;
  code: ExitCode;
}

/** What went wrong, in one line, with its exit code. */
export function failureOf(err: unknown): Failure {
  if (err instanceof UsageError || err instanceof SettingError) {
    return { name: "UsageError", message: err.message, code: EXIT.usage };
  }
  if (err instanceof KeypairFileError) {
    return { name: err.errorName, message: err.message, code: EXIT.refused };
  }
  if (err instanceof RefusedError) {
    return { name: err.errorName, message: err.message, code: EXIT.refused };
  }
  if (err instanceof NetworkError) {
    return { name: err.errorName, message: err.message, code: EXIT.network };
  }
  const transport = rpcTransportFailure(err);
  if (transport) return { name: transport.name, message: transport.message, code: EXIT.network };
  const message = err instanceof Error ? err.message : String(err);
  return {
    name: err instanceof Error ? err.name : "Error",
    message: message.split("\n")[0],
    code: EXIT.internal,
  };
}
