/**
 * `ashao`: the project's CLI. `ashao localnet` brings up the local economy on the embedded
 * validator and keeps it running until Ctrl-C.
 */
import { AnchorProvider, BN, Program, Wallet } from "@anchor-lang/core";
import { createMint, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";

import { LocalValidator, startValidator } from "../../localnet/validator";
import IDL from "../../sdk/src/idl/ashao_treasury.json";
import type { AshaoTreasury } from "../../sdk/src/idl/ashao_treasury";

const USAGE = `usage: ashao localnet [--rpc-port N] [--ws-port N]

  localnet   start the embedded validator, create USDC and $ASHAO mints, initialise the
             treasury, print where everything is, run until Ctrl-C`;

function parsePort(flag: string, value: string | undefined): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(
      `${flag} needs a port number between 1 and 65535 (got ${value ?? "nothing"})`,
    );
  }
  return port;
}

class UsageError extends Error {}

async function localnet(args: string[]): Promise<void> {
  let rpcPort = 8899;
  let wsPort: number | undefined;
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === "--rpc-port") rpcPort = parsePort("--rpc-port", args[i + 1]);
    else if (args[i] === "--ws-port") wsPort = parsePort("--ws-port", args[i + 1]);
    else throw new UsageError(`unknown option ${args[i]}`);
  }

  console.log(`starting the local validator on 127.0.0.1:${rpcPort}…`);
  const validator: LocalValidator = await startValidator({
    rpcPort,
    wsPort: wsPort ?? rpcPort + 1,
  });
  const shutdown = async () => {
    console.log("\nstopping the local validator…");
    await validator.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown());
  process.once("SIGTERM", () => void shutdown());

  const conn = validator.connection;
  const authority = Keypair.generate();
  const airdrop = await conn.requestAirdrop(authority.publicKey, 100 * LAMPORTS_PER_SOL);
  await conn.confirmTransaction({ signature: airdrop, ...(await conn.getLatestBlockhash()) });

  console.log("creating the USDC (6 decimals) and $ASHAO (9 decimals) mints…");
  const usdcMint = await createMint(conn, authority, authority.publicKey, null, 6);
  const ashaoMint = await createMint(conn, authority, authority.publicKey, null, 9);

  const program = new Program<AshaoTreasury>(
    IDL as AshaoTreasury,
    new AnchorProvider(conn, new Wallet(authority), { commitment: "confirmed" }),
  );
  console.log("initialising the treasury…");
  await program.methods
    .initialize({
      streamPeriodSecs: 3600,
      unstakeCooldownSecs: 0,
      boostTiers: [
        { minStake: new BN(1_000).mul(new BN(10).pow(new BN(9))), boostBps: 500 },
        { minStake: new BN(10_000).mul(new BN(10).pow(new BN(9))), boostBps: 1_500 },
      ],
      maxBuybackUsdc: new BN(1_000).mul(new BN(1_000_000)),
      minBuybackIntervalSecs: 60,
      maxSlippageBps: 100,
      swapProgram: PublicKey.default,
      cranks: [],
    })
    .accounts({ usdcMint, ashaoMint, ashaoTokenProgram: TOKEN_PROGRAM_ID })
    .rpc();
  const config = PublicKey.findProgramAddressSync([Buffer.from("treasury")], program.programId)[0];
  const state = await program.account.treasuryConfig.fetch(config);

  console.log(`
local economy is up
  rpc              ${validator.rpcUrl}
  websocket        ${validator.wsUrl}
  programs         ${validator.programs}
  treasury program ${program.programId.toBase58()}
  treasury config  ${config.toBase58()}
  authority        ${authority.publicKey.toBase58()}
  USDC mint        ${usdcMint.toBase58()}
  $ASHAO mint      ${ashaoMint.toBase58()}
  buyback vault    ${state.buybackVault.toBase58()}
  rewards vault    ${state.rewardsVault.toBase58()}
  stake vault      ${state.stakeVault.toBase58()}

Ctrl-C stops everything.`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === "localnet") return localnet(rest);
  if (command === undefined || command === "--help" || command === "-h") {
    console.log(USAGE);
    return;
  }
  throw new UsageError(`unknown command ${command}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`error: ${message}`);
  if (err instanceof UsageError) console.error(USAGE);
  process.exit(err instanceof UsageError ? 64 : 1);
});
