/**
 * Initialises the treasury on a cluster after `anchor deploy` (idempotent: an existing treasury
 * is reported and left alone). Run by `anchor migrate` (which passes its provider), or directly:
 *
 *   ASHAO_RPC_URL=https://… ANCHOR_WALLET=~/.config/solana/id.json \
 *   ASHAO_USDC_MINT=EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v ASHAO_ASHAO_MINT=<mint> \
 *   ASHAO_PARAMS=params.json npx ts-node migrations/deploy.ts
 *
 * ASHAO_PARAMS is a JSON file of `TreasuryParams` (amounts as decimal strings, keys as base58);
 * the signer becomes the authority, to be handed to the multisig with propose/accept_authority.
 */
import { readFileSync } from "fs";

import { AnchorProvider, Wallet } from "@anchor-lang/core";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";

import {
  fetchTreasury,
  initializeIx,
  sendAndConfirm,
  type TreasuryParams,
  treasuryProgram,
} from "../app/sdk/src";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function readParams(path: string): TreasuryParams {
  const raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown> & {
    boostTiers: { minStake: string; boostBps: number }[];
    cranks: string[];
  };
  return {
    streamPeriodSecs: Number(raw.streamPeriodSecs),
    unstakeCooldownSecs: Number(raw.unstakeCooldownSecs),
    boostTiers: raw.boostTiers.map((t) => ({ minStake: BigInt(t.minStake), boostBps: t.boostBps })),
    maxBuybackUsdc: BigInt(String(raw.maxBuybackUsdc)),
    minBuybackIntervalSecs: Number(raw.minBuybackIntervalSecs),
    maxSlippageBps: Number(raw.maxSlippageBps),
    swapProgram: new PublicKey(String(raw.swapProgram)),
    cranks: raw.cranks.map((c) => new PublicKey(c)),
  };
}

export default async function deploy(provider: AnchorProvider): Promise<void> {
  const program = treasuryProgram(provider.connection);
  const existing = await fetchTreasury(program);
  if (existing) {
    console.log(`treasury already initialised at ${existing.address.toBase58()}; nothing to do`);
    return;
  }
  const ashaoMint = new PublicKey(required("ASHAO_ASHAO_MINT"));
  const mintInfo = await provider.connection.getAccountInfo(ashaoMint);
  if (!mintInfo) throw new Error(`$ASHAO mint ${ashaoMint.toBase58()} not found`);
  const signature = await sendAndConfirm(
    provider.connection,
    [
      await initializeIx(program, {
        authority: provider.wallet.publicKey,
        usdcMint: new PublicKey(required("ASHAO_USDC_MINT")),
        ashaoMint,
        ashaoTokenProgram: mintInfo.owner,
        params: readParams(required("ASHAO_PARAMS")),
      }),
    ],
    { wallet: provider.wallet },
  );
  console.log(`treasury initialised: ${signature}`);
}

module.exports = deploy;

if (require.main === module) {
  const secret = JSON.parse(readFileSync(required("ANCHOR_WALLET"), "utf8")) as number[];
  const connection = new Connection(required("ASHAO_RPC_URL"), "confirmed");
  const wallet = new Wallet(Keypair.fromSecretKey(Uint8Array.from(secret)));
  deploy(new AnchorProvider(connection, wallet, { commitment: "confirmed" })).catch(
    (err: unknown) => {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
