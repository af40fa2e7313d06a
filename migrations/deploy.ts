/**
 * Initialises the treasury after `anchor deploy`, signed by the program's upgrade authority (the
 * only key the program lets initialise). Run again, it checks the treasury on chain against the
 * same inputs: all equal is success with nothing sent; any difference fails, one line each.
 *
 *   ASHAO_RPC_URL=https://… ANCHOR_WALLET=~/.config/solana/id.json \
 *   ASHAO_USDC_MINT=EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v ASHAO_ASHAO_MINT=<mint> \
 *   ASHAO_PARAMS=params.json [ASHAO_AUTHORITY=<multisig>] npx ts-node migrations/deploy.ts
 *
 * `anchor migrate` calls the default export with its provider and the same variables.
 * ASHAO_PARAMS is the parameters file (format: migrations/README.md, example:
 * migrations/params.example.json). ASHAO_AUTHORITY is the authority the treasury should have
 * now, once handed to a multisig (default: the wallet). Exit codes: 0 initialised, or already
 * initialised exactly as asked; 1 refused, differing or failed (one line per reason on stderr);
 * 2 bad inputs.
 */
import { readFileSync } from "fs";

import { AnchorProvider, Wallet } from "@anchor-lang/core";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";

import {
  fetchProgramUpgradeInfo,
  fetchTreasury,
  initializeIx,
  paramDifferences,
  paramsFromJson,
  type ProgramUpgradeInfo,
  sendAndConfirm,
  toTreasuryError,
  treasuryConfigPda,
  type TreasuryParams,
  treasuryParamsOf,
  treasuryProgram,
  type TreasuryState,
  type WalletLike,
} from "../app/sdk/src";
import { KeypairFileError, readKeypairFile } from "../app/util/keypair-file";

/** What to deploy: the mints, the parameters and who should hold the treasury. */
export interface DeployInputs {
  usdcMint: PublicKey;
  ashaoMint: PublicKey;
  params: TreasuryParams;
  /** The authority the treasury should have (default: the wallet, who becomes it at initialise). */
  authority?: PublicKey;
  programId?: PublicKey;
}

export type DeployOutcome =
  | { status: "initialised"; config: PublicKey; signature: string }
  /** Already initialised with exactly these inputs; `notes` name anything pending. */
  | { status: "unchanged"; config: PublicKey; notes: string[] };

/** The inputs cannot be read (exit 2). */
export class DeployInputError extends Error {
  override name = "DeployInputError";
}

/** Nothing was, or may be, done as asked: one line per reason (exit 1). */
export class DeployRefused extends Error {
  override name = "DeployRefused";
  constructor(
    summary: string,
    readonly reasons: string[] = [],
  ) {
    super([summary, ...reasons.map((r) => `  ${r}`)].join("\n"));
  }
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new DeployInputError(`${name} is required`);
  return value;
}

function addressInput(name: string, raw: string): PublicKey {
  try {
    return new PublicKey(raw);
  } catch {
    throw new DeployInputError(`${name} is not a base58 address (got ${raw})`);
  }
}

export function readParamsFile(path: string): TreasuryParams {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new DeployInputError(`params file ${path}: ${(err as Error).message}`);
  }
  try {
    return paramsFromJson(raw);
  } catch (err) {
    throw new DeployInputError(`params file ${path}: ${(err as Error).message}`);
  }
}

/** ASHAO_USDC_MINT, ASHAO_ASHAO_MINT, ASHAO_PARAMS and ASHAO_AUTHORITY (optional). */
export function inputsFromEnv(): DeployInputs {
  const authority = process.env.ASHAO_AUTHORITY;
  return {
    usdcMint: addressInput("ASHAO_USDC_MINT", env("ASHAO_USDC_MINT")),
    ashaoMint: addressInput("ASHAO_ASHAO_MINT", env("ASHAO_ASHAO_MINT")),
    params: readParamsFile(env("ASHAO_PARAMS")),
    authority: authority ? addressInput("ASHAO_AUTHORITY", authority) : undefined,
  };
}

/**
 * The key allowed to initialise: the upgrade authority named by the program's ProgramData
 * (`null` for an immutable program), read with the SDK.
 */
export async function upgradeAuthority(
  connection: Connection,
  programId: PublicKey,
): Promise<PublicKey | null> {
  let info: ProgramUpgradeInfo;
  try {
    info = await fetchProgramUpgradeInfo(connection, programId);
  } catch (err) {
    throw new DeployRefused((err as Error).message);
  }
  if (!info.programData) {
    throw new DeployRefused(
      `program ${programId.toBase58()} is not an upgradeable program (owner ${info.loader.toBase58()}): ` +
        "no upgrade authority can initialise it",
    );
  }
  return info.upgradeAuthority;
}

/** Every way `state` differs from the inputs, one line each (empty when it matches). */
export function treasuryDifferences(
  state: TreasuryState,
  inputs: DeployInputs,
  expectedAuthority: PublicKey,
): string[] {
  const lines: string[] = [];
  const key = (name: string, onChain: PublicKey, expected: PublicKey, source: string) => {
    if (!onChain.equals(expected)) {
      lines.push(
        `${name}: on chain ${onChain.toBase58()}, expected ${expected.toBase58()} (${source})`,
      );
    }
  };
  key(
    "authority",
    state.authority,
    expectedAuthority,
    inputs.authority ? "ASHAO_AUTHORITY" : "the wallet; set ASHAO_AUTHORITY after a handover",
  );
  key("usdcMint", state.usdcMint, inputs.usdcMint, "ASHAO_USDC_MINT");
  key("ashaoMint", state.ashaoMint, inputs.ashaoMint, "ASHAO_ASHAO_MINT");
  for (const d of paramDifferences(treasuryParamsOf(state), inputs.params)) {
    lines.push(
      `${d.field}: on chain ${JSON.stringify(d.current)}, params file ${JSON.stringify(d.other)}`,
    );
  }
  return lines;
}

/** What is pending on a treasury that otherwise matches (worth a look, not a failure). */
function pendingNotes(state: TreasuryState): string[] {
  const notes: string[] = [];
  const at = (unix: bigint) => new Date(Number(unix) * 1000).toISOString();
  if (state.pendingAuthority && state.pendingAuthorityEta !== null) {
    notes.push(
      `authority transfer pending to ${state.pendingAuthority.toBase58()}, ` +
        `acceptable from ${at(state.pendingAuthorityEta)}`,
    );
  }
  if (state.queuedChange) {
    notes.push(
      `config change queued (${Object.keys(state.queuedChange.change).join(", ")}), ` +
        `applicable from ${at(state.queuedChange.eta)}: the params file will differ once it is applied`,
    );
  }
  return notes;
}

/**
 * Initialises the treasury with `inputs`, signed by `wallet`, which must be the program's upgrade
 * authority (checked before anything is sent); or, when it exists, checks it against `inputs`.
 */
export async function deployTreasury(
  connection: Connection,
  wallet: WalletLike,
  inputs: DeployInputs,
): Promise<DeployOutcome> {
  const program = treasuryProgram(connection, undefined, { programId: inputs.programId });
  const expectedAuthority = inputs.authority ?? wallet.publicKey;
  const existing = await fetchTreasury(program, "confirmed");
  if (existing) {
    const differences = treasuryDifferences(existing, inputs, expectedAuthority);
    if (differences.length > 0) {
      throw new DeployRefused(
        `the treasury at ${existing.address.toBase58()} is already initialised and differs from the inputs in ${differences.length} place(s):`,
        differences,
      );
    }
    return { status: "unchanged", config: existing.address, notes: pendingNotes(existing) };
  }

  if (!expectedAuthority.equals(wallet.publicKey)) {
    throw new DeployRefused(
      `ASHAO_AUTHORITY is ${expectedAuthority.toBase58()} but initialize makes the wallet ` +
        `${wallet.publicKey.toBase58()} the authority; initialise first, then hand over with propose/accept_authority`,
    );
  }
  const allowed = await upgradeAuthority(connection, program.programId);
  if (!allowed?.equals(wallet.publicKey)) {
    throw new DeployRefused(
      allowed
        ? `the wallet ${wallet.publicKey.toBase58()} is not the upgrade authority of program ` +
          `${program.programId.toBase58()} (${allowed.toBase58()} is): only it may initialise`
        : `program ${program.programId.toBase58()} is immutable (no upgrade authority): nobody can initialise it`,
    );
  }
  const mints = await connection.getMultipleAccountsInfo(
    [inputs.usdcMint, inputs.ashaoMint],
    "confirmed",
  );
  const missing = [inputs.usdcMint, inputs.ashaoMint].filter((_, i) => !mints[i]);
  if (missing.length > 0) {
    throw new DeployRefused(`mint(s) not found: ${missing.map((m) => m.toBase58()).join(", ")}`);
  }
  let signature: string;
  try {
    signature = await sendAndConfirm(
      connection,
      [
        await initializeIx(program, {
          authority: wallet.publicKey,
          usdcMint: inputs.usdcMint,
          ashaoMint: inputs.ashaoMint,
          ashaoTokenProgram: mints[1]!.owner,
          params: inputs.params,
        }),
      ],
      { wallet },
    );
  } catch (err) {
    const error = toTreasuryError(err);
    throw new DeployRefused(`initialize failed: ${error.name}: ${error.message}`);
  }
  return { status: "initialised", config: treasuryConfigPda(program.programId).address, signature };
}

/** `anchor migrate`'s entry: the provider's wallet deploys; a refusal throws. */
export default async function deploy(provider: AnchorProvider): Promise<DeployOutcome> {
  const outcome = await deployTreasury(provider.connection, provider.wallet, inputsFromEnv());
  if (outcome.status === "initialised") {
    console.log(`treasury initialised at ${outcome.config.toBase58()}: ${outcome.signature}`);
  } else {
    console.log(
      `treasury at ${outcome.config.toBase58()} already initialised as asked; nothing sent`,
    );
    for (const note of outcome.notes) console.log(`note: ${note}`);
  }
  return outcome;
}

/** The wallet's keypair file (the shared reader: a warning when others can read it, and no error quotes it). */
function readKeypair(path: string): Keypair {
  try {
    return readKeypairFile(path);
  } catch (err) {
    if (err instanceof KeypairFileError)
      throw new DeployInputError(`ANCHOR_WALLET: ${err.message}`);
    throw err;
  }
}

async function main(): Promise<number> {
  try {
    const wallet = new Wallet(readKeypair(env("ANCHOR_WALLET")));
    const connection = new Connection(env("ASHAO_RPC_URL"), "confirmed");
    await deploy(new AnchorProvider(connection, wallet, { commitment: "confirmed" }));
    return 0;
  } catch (err) {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof DeployInputError ? 2 : 1;
  }
}

// `anchor migrate` requires this module and calls it with its provider; the named exports stay
// reachable on the function for `import { … }`.
module.exports = Object.assign(deploy, exports);

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
