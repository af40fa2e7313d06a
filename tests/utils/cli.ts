/**
 * The `ashao` bin as a process, the way operators run it: compiled first when any TypeScript it
 * runs is newer than the build (`npm run build`, incremental), then each command run to its end.
 */
import { execFile, execFileSync } from "child_process";
import { chmodSync, existsSync, readdirSync, statSync, utimesSync, writeFileSync } from "fs";
import { join } from "path";

import { Keypair, LAMPORTS_PER_SOL, type PublicKey } from "@solana/web3.js";

import type { LocalEconomy } from "../../app/localnet/economy";
import { fundedTokenAccount } from "../../app/localnet/tokens";
import { airdrop } from "./validator";

export const REPO = join(__dirname, "../..");
export const BIN = join(REPO, "app/cli/bin/ashao.js");
const BUILD_INFO = join(REPO, "dist/.tsbuildinfo");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "dist" && entry.name !== "node_modules") {
        newest = Math.max(newest, newestSource(path));
      }
    } else if (entry.name.endsWith(".ts") || entry.name.endsWith(".json")) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

let built = false;

/** Builds the bin's JavaScript unless it is newer than every file under app/. */
export function buildCli(): void {
  if (built) return;
  const stale =
    !existsSync(BUILD_INFO) || statSync(BUILD_INFO).mtimeMs < newestSource(join(REPO, "app"));
  if (stale) {
    execFileSync("npm", ["run", "-s", "build"], { cwd: REPO, stdio: "inherit" });
    // tsc leaves its build info alone when nothing changed: mark the build as checked now.
    const now = new Date();
    utimesSync(BUILD_INFO, now, now);
  }
  built = true;
}

/** Runs a command to its end; never rejects (the exit code is part of the answer). */
export function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: REPO, env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
      },
    );
  });
}

/** `ashao args…` through the bin, with `env` over the test's environment. */
export function ashao(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return run(process.execPath, [BIN, ...args], env);
}

/** A keypair file as the Solana CLI writes it, readable by its owner only unless `mode` says. */
export function writeKeyFile(dir: string, name: string, keypair: Keypair, mode = 0o600): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(Array.from(keypair.secretKey)), { mode });
  chmodSync(path, mode);
  return path;
}

/** A revenue payer: SOL for fees, `usdc` base units in its USDC account, and its key file. */
export async function fundedPayer(
  economy: LocalEconomy,
  dir: string,
  usdc: bigint,
): Promise<{ keypair: Keypair; file: string; source: PublicKey }> {
  const keypair = Keypair.generate();
  await airdrop(economy.validator.connection, keypair, LAMPORTS_PER_SOL);
  const source = await fundedTokenAccount(
    economy.validator.connection,
    economy.authority,
    economy.usdc,
    keypair.publicKey,
    usdc,
  );
  return { keypair, file: writeKeyFile(dir, "payer", keypair), source };
}
