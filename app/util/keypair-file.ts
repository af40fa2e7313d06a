/**
 * Keypair files as the Solana CLI writes them (a JSON array of the 64 secret-key bytes), read by
 * the CLI and the crank. A file others on the machine can read is warned about, as a private key
 * should be readable by its owner only; no error ever quotes the file's contents.
 */
import { readFileSync, statSync } from "fs";

import { Keypair } from "@solana/web3.js";

import { expandHome } from "./solana-config";

export type KeypairFileErrorName = "KeypairNotFound" | "KeypairUnreadable" | "KeypairInvalid";

export class KeypairFileError extends Error {
  constructor(
    readonly errorName: KeypairFileErrorName,
    message: string,
  ) {
    super(message);
    this.name = errorName;
  }
}

/** Who besides the owner may read a file of this mode, or `undefined` when nobody may. */
function readableBy(mode: number): string | undefined {
  if (mode & 0o004) return "every user of this machine";
  if (mode & 0o040) return "its group";
  return undefined;
}

export function readKeypairFile(
  path: string,
  warn: (line: string) => void = (line) => console.error(line),
): Keypair {
  const file = expandHome(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new KeypairFileError(
        "KeypairNotFound",
        `no keypair file at ${path} (solana-keygen new -o ${path} makes one)`,
      );
    }
    throw new KeypairFileError(
      "KeypairUnreadable",
      code === "EISDIR"
        ? `${path} is a folder, not a keypair file`
        : `cannot read the keypair file ${path} (${code ?? "read error"})`,
    );
  }
  const others = process.platform === "win32" ? undefined : readableBy(statSync(file).mode);
  if (others) {
    warn(`warning: keypair file ${path} can be read by ${others}; chmod 600 ${path}`);
  }
  let bytes: unknown;
  try {
    bytes = JSON.parse(text);
  } catch {
    // The parser's message quotes the text: it is never shown.
    throw new KeypairFileError(
      "KeypairInvalid",
      `${path} is not a keypair file: it is not JSON (expected a JSON array of 64 numbers)`,
    );
  }
  if (
    !Array.isArray(bytes) ||
    bytes.length !== 64 ||
    !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
  ) {
    throw new KeypairFileError(
      "KeypairInvalid",
      `${path} is not a keypair file: expected a JSON array of 64 numbers from 0 to 255`,
    );
  }
  try {
    return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
  } catch {
    throw new KeypairFileError(
      "KeypairInvalid",
      `${path} is not a keypair file: its public half does not match its secret key`,
    );
  }
}
