/**
 * Deposits whose fate an earlier run could not learn. A deposit's signed bytes are written here
 * before they are sent and dropped once it has landed, failed or can no longer land; a run that
 * ends "outcome unknown" leaves them. The next run of the same deposit (same source and key)
 * sends those very bytes again and follows them before anything else, so it never makes a
 * second transaction while the first may still land: at most one of them pays. The on-chain key
 * check covers deposits made from another machine.
 */
import { createHash } from "crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "fs";
import { homedir } from "os";
import { join } from "path";

import { PublicKey, VersionedTransaction } from "@solana/web3.js";

import type { TransactionLifetime } from "../../sdk/src";

/** `$XDG_STATE_HOME/ashao/deposits`, else `~/.local/state/ashao/deposits`. */
function journalDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_STATE_HOME || join(homedir(), ".local/state"), "ashao/deposits");
}

interface Entry {
  wire: string;
  lifetime:
    | { blockhash: string; lastValidBlockHeight: number }
    | { nonceAccount: string; nonce: string };
}

export interface PendingDeposit {
  transaction: VersionedTransaction;
  lifetime: TransactionLifetime;
}

export interface DepositJournal {
  /** The deposit an earlier run sent and did not see settle, if any. */
  pending(): PendingDeposit | undefined;
  /** Before sending. */
  record(transaction: VersionedTransaction, lifetime: TransactionLifetime): void;
  /** Once its fate is known. */
  settle(): void;
}

export function depositJournal(
  source: PublicKey,
  key: string,
  env: NodeJS.ProcessEnv,
): DepositJournal {
  const dir = journalDir(env);
  const name = createHash("sha256").update(`${source.toBase58()}\n${key}`).digest("hex");
  const file = join(dir, `${name.slice(0, 32)}.json`);
  return {
    pending() {
      let entry: Entry;
      try {
        entry = JSON.parse(readFileSync(file, "utf8")) as Entry;
      } catch {
        return undefined;
      }
      const lifetime =
        "nonceAccount" in entry.lifetime
          ? {
              nonceAccount: new PublicKey(entry.lifetime.nonceAccount),
              nonce: entry.lifetime.nonce,
            }
          : entry.lifetime;
      return {
        transaction: VersionedTransaction.deserialize(Buffer.from(entry.wire, "base64")),
        lifetime,
      };
    },
    record(transaction, lifetime) {
      const entry: Entry = {
        wire: Buffer.from(transaction.serialize()).toString("base64"),
        lifetime:
          "nonceAccount" in lifetime
            ? { nonceAccount: lifetime.nonceAccount.toBase58(), nonce: lifetime.nonce }
            : {
                blockhash: lifetime.blockhash,
                lastValidBlockHeight: lifetime.lastValidBlockHeight,
              },
      };
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // Write then rename, so a reader never sees half an entry.
      writeFileSync(`${file}.partial`, JSON.stringify(entry), { mode: 0o600 });
      renameSync(`${file}.partial`, file);
    },
    settle() {
      rmSync(file, { force: true });
    },
  };
}
