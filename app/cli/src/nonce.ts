/**
 * Durable nonces, as solana-cli uses them (`--nonce ACCOUNT`, `--nonce-authority
 * KEYPAIR|ADDRESS`): the transaction carries the nonce account's stored nonce as its blockhash
 * and advances the nonce first, so it stays valid until it is signed and sent, however long a
 * multisig takes, and can land once.
 */
import { existsSync } from "fs";

import {
  type Keypair,
  type PublicKey,
  SystemProgram,
  type TransactionInstruction,
} from "@solana/web3.js";

import { readKeypairFile } from "../../util/keypair-file";
import { expandHome } from "../../util/solana-config";
import type { DurableNonceLifetime } from "../../sdk/src";
import type { Chain } from "./chain";
import { RefusedError, UsageError } from "./errors";
import { parseAddress } from "./parse";

export interface NonceFlags {
  nonce?: string;
  nonceAuthority?: string;
}

export interface DurableNonce {
  lifetime: DurableNonceLifetime;
  /** `advance_nonce_account`: the transaction's first instruction. */
  advance: TransactionInstruction;
  authority: PublicKey;
  /** When the authority was given as a keypair file (it signs). */
  authorityKeypair?: Keypair;
}

/** An address, or a keypair file (its address, and the keypair to sign with). */
function keyOrAddress(what: string, text: string): { address: PublicKey; keypair?: Keypair } {
  if (/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(text) && !existsSync(expandHome(text))) {
    return { address: parseAddress(what, text) };
  }
  const keypair = readKeypairFile(text);
  return { address: keypair.publicKey, keypair };
}

/**
 * The durable nonce the flags name, read from the chain, or `undefined` without `--nonce`.
 * `defaultAuthority` (the signer) is the nonce authority unless `--nonce-authority` names another.
 */
export async function durableNonce(
  chain: Chain,
  flags: NonceFlags,
  defaultAuthority: { address: PublicKey; keypair?: Keypair },
): Promise<DurableNonce | undefined> {
  if (flags.nonce === undefined) {
    if (flags.nonceAuthority !== undefined) {
      throw new UsageError("--nonce-authority goes with --nonce ACCOUNT");
    }
    return undefined;
  }
  const nonceAccount = parseAddress("--nonce", flags.nonce);
  const authority =
    flags.nonceAuthority === undefined
      ? defaultAuthority
      : keyOrAddress("--nonce-authority", flags.nonceAuthority);
  const account = await chain.connection.getNonce(nonceAccount, chain.commitment).catch((err) => {
    // web3.js refuses an account that is not a nonce account by its size.
    if (/invalid account data|NonceAccount/i.test(String(err))) return null;
    throw err;
  });
  if (!account) {
    throw new RefusedError(
      "NonceAccountNotFound",
      `${nonceAccount.toBase58()} is not an initialised nonce account (solana create-nonce-account makes one)`,
    );
  }
  if (!account.authorizedPubkey.equals(authority.address)) {
    throw new RefusedError(
      "NonceAuthorityMismatch",
      `the nonce account's authority is ${account.authorizedPubkey.toBase58()}, not ${authority.address.toBase58()} (--nonce-authority)`,
    );
  }
  return {
    lifetime: { nonceAccount, nonce: account.nonce },
    advance: SystemProgram.nonceAdvance({
      noncePubkey: nonceAccount,
      authorizedPubkey: authority.address,
    }),
    authority: authority.address,
    authorityKeypair: authority.keypair,
  };
}
