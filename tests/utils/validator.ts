/**
 * A fresh local validator per test file (the treasury is a singleton per program, so suites do
 * not share a chain), plus funded keypairs on it. With `ASHAO_RPC_URL` (and `ASHAO_WS_URL`) set,
 * the suites reuse that validator instead of starting one; `ASHAO_UPGRADE_AUTHORITY_KEYPAIR` then
 * names the keypair file of its `--upgrade-authority`.
 */
import { readFileSync } from "fs";

import { Connection, Keypair } from "@solana/web3.js";

import { LocalValidator, startValidator } from "../../app/localnet/validator";

export interface TestValidator extends LocalValidator {
  /** A new keypair holding `lamports`, airdropped and confirmed. */
  fundedKeypair(lamports: number): Promise<Keypair>;
}

export async function airdrop(
  connection: Connection,
  to: Keypair | Keypair["publicKey"],
  lamports: number,
): Promise<void> {
  const address = "publicKey" in to ? to.publicKey : to;
  const signature = await connection.requestAirdrop(address, lamports);
  const latest = await connection.getLatestBlockhash();
  const result = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
  if (result.value.err) throw new Error(`airdrop failed: ${JSON.stringify(result.value.err)}`);
}

/**
 * The upgrade authority of a validator the tests did not start: a keypair file as the Solana CLI
 * writes it (a JSON array of 64 numbers), named by `ASHAO_UPGRADE_AUTHORITY_KEYPAIR`.
 */
function externalUpgradeAuthority(): Keypair {
  const path = process.env.ASHAO_UPGRADE_AUTHORITY_KEYPAIR;
  if (!path) {
    throw new Error(
      "ASHAO_RPC_URL is set but ASHAO_UPGRADE_AUTHORITY_KEYPAIR is not: set it to the keypair file " +
        "of that validator's --upgrade-authority (the treasury's initialize needs it to sign)",
    );
  }
  const bytes: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (!Array.isArray(bytes) || bytes.length !== 64 || !bytes.every((b) => Number.isInteger(b))) {
    throw new Error(
      `ASHAO_UPGRADE_AUTHORITY_KEYPAIR: ${path} is not a keypair file (a JSON array of 64 numbers)`,
    );
  }
  return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
}

/** The validator named by `ASHAO_RPC_URL`/`ASHAO_WS_URL`, if any (never stopped by tests). */
function externalValidator(): LocalValidator | undefined {
  const rpcUrl = process.env.ASHAO_RPC_URL;
  if (!rpcUrl) return undefined;
  const upgradeAuthority = externalUpgradeAuthority();
  const url = new URL(rpcUrl);
  const wsUrl =
    process.env.ASHAO_WS_URL ??
    `ws://${url.hostname}:${Number(url.port || (url.protocol === "https:" ? 443 : 80)) + 1}`;
  return {
    rpcUrl,
    wsUrl,
    programs: "",
    connection: new Connection(rpcUrl, { commitment: "confirmed", wsEndpoint: wsUrl }),
    upgradeAuthority,
    async stop() {},
  };
}

export async function startTestValidator(): Promise<TestValidator> {
  const validator = externalValidator() ?? (await startValidator());
  return {
    ...validator,
    async fundedKeypair(lamports: number) {
      const keypair = Keypair.generate();
      await airdrop(validator.connection, keypair, lamports);
      return keypair;
    },
  };
}

/**
 * Mocha hooks: a validator started in `before()` and stopped in `after()` of the calling suite.
 * Read `.current` inside tests (it is set once `before()` has run).
 */
export function useTestValidator(): { current: TestValidator } {
  const holder = {} as { current: TestValidator };
  before(async function () {
    this.timeout(60_000);
    holder.current = await startTestValidator();
  });
  after(async () => holder.current?.stop());
  return holder;
}
