/**
 * Sets up the local venue on localnet (TEST INFRASTRUCTURE ONLY): the test AMM pool for a mint
 * pair, its liquidity, and an address lookup table holding the pool's accounts.
 */
import { type Idl, Program } from "@anchor-lang/core";
import {
  createAssociatedTokenAccountIdempotentInstruction,
  createMintToInstruction,
  getAssociatedTokenAddressSync,
  getMint,
} from "@solana/spl-token";
import {
  AddressLookupTableProgram,
  type Connection,
  type Keypair,
  PublicKey,
  sendAndConfirmTransaction,
  SystemProgram,
  Transaction,
  type TransactionInstruction,
} from "@solana/web3.js";
import BN from "bn.js";

import type { TestAmm } from "./idl/test_amm";
import IDL from "./idl/test_amm.json";
import {
  type PoolAccount,
  poolAddress,
  readPools,
  TEST_AMM_PROGRAM_ID,
  vaultAddress,
} from "./pool";

export interface SeedLocalVenueOptions {
  connection: Connection;
  /** Pays rent and fees, provides the liquidity from its associated token accounts, owns the ALT. */
  payer: Keypair;
  mintA: PublicKey;
  mintB: PublicKey;
  /** Liquidity deposited on each side, in base units. */
  amountA: bigint;
  amountB: bigint;
  /** Swap fee in bps, fixed at creation (default 30). */
  feeBps?: number;
  /**
   * When the payer is a mint's mint authority and its token account holds less than the
   * deposit, mint the difference first (default true).
   */
  mintMissingLiquidity?: boolean;
}

export interface LocalVenue {
  pool: PublicKey;
  mintA: PublicKey;
  mintB: PublicKey;
  vaultA: PublicKey;
  vaultB: PublicKey;
  tokenProgramA: PublicKey;
  tokenProgramB: PublicKey;
  feeBps: number;
  lookupTable: PublicKey;
}

export function testAmmProgram(connection: Connection): Program<TestAmm> {
  return new Program<TestAmm>(IDL as Idl as TestAmm, { connection });
}

async function send(
  connection: Connection,
  payer: Keypair,
  ixs: TransactionInstruction[],
): Promise<string> {
  return sendAndConfirmTransaction(connection, new Transaction().add(...ixs), [payer], {
    commitment: "confirmed",
  });
}

async function tokenProgramOf(connection: Connection, mint: PublicKey): Promise<PublicKey> {
  const info = await connection.getAccountInfo(mint, "confirmed");
  if (info === null) {
    throw new Error(`mint ${mint.toBase58()} not found`);
  }
  return info.owner;
}

/** The payer's token account for `mint` holding at least `amount`, minting the shortfall when allowed. */
async function liquiditySource(
  connection: Connection,
  payer: Keypair,
  mint: PublicKey,
  tokenProgram: PublicKey,
  amount: bigint,
  mintMissing: boolean,
): Promise<PublicKey> {
  const ata = getAssociatedTokenAddressSync(mint, payer.publicKey, false, tokenProgram);
  const ixs: TransactionInstruction[] = [
    createAssociatedTokenAccountIdempotentInstruction(
      payer.publicKey,
      ata,
      payer.publicKey,
      mint,
      tokenProgram,
    ),
  ];
  const balance = await connection
    .getTokenAccountBalance(ata, "confirmed")
    .then((b) => BigInt(b.value.amount))
    .catch(() => 0n);
  if (balance < amount && mintMissing) {
    const mintInfo = await getMint(connection, mint, "confirmed", tokenProgram);
    if (mintInfo.mintAuthority?.equals(payer.publicKey)) {
      ixs.push(
        createMintToInstruction(mint, ata, payer.publicKey, amount - balance, [], tokenProgram),
      );
    }
  }
  await send(connection, payer, ixs);
  return ata;
}

/** Waits until the cluster is past `slot` (lookup table entries are usable from the next slot). */
async function waitForSlotAfter(
  connection: Connection,
  slot: number,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await connection.getSlot("confirmed")) <= slot) {
    if (Date.now() > deadline) {
      throw new Error(`slot did not advance past ${slot}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every account of a swap through `pool` except the user's own. */
export function poolLookupAddresses(address: PublicKey, pool: PoolAccount): PublicKey[] {
  const keys = [
    TEST_AMM_PROGRAM_ID,
    address,
    pool.mintA,
    pool.mintB,
    pool.vaultA,
    pool.vaultB,
    pool.tokenProgramA,
    pool.tokenProgramB,
    SystemProgram.programId,
  ];
  return keys.filter((k, i) => keys.findIndex((o) => o.equals(k)) === i);
}

/**
 * Creates an address lookup table holding the pool's accounts, paid and owned by `payer`, and
 * waits until it can be used.
 */
export async function createPoolLookupTable(
  connection: Connection,
  payer: Keypair,
  pool: PoolAccount & { address: PublicKey },
): Promise<PublicKey> {
  // The recent slot must be in the SlotHashes sysvar: try the latest few.
  const latest = await connection.getSlot("confirmed");
  let lookupTable: PublicKey | undefined;
  let lastError: unknown;
  for (const recentSlot of [latest, latest - 1, latest - 2].filter((s) => s >= 0)) {
    const [create, address] = AddressLookupTableProgram.createLookupTable({
      authority: payer.publicKey,
      payer: payer.publicKey,
      recentSlot,
    });
    const extend = AddressLookupTableProgram.extendLookupTable({
      lookupTable: address,
      authority: payer.publicKey,
      payer: payer.publicKey,
      addresses: poolLookupAddresses(pool.address, pool),
    });
    try {
      await send(connection, payer, [create, extend]);
      lookupTable = address;
      break;
    } catch (err) {
      lastError = err;
    }
  }
  if (lookupTable === undefined) {
    throw new Error(`could not create the lookup table: ${String(lastError)}`);
  }
  await waitForSlotAfter(connection, await connection.getSlot("confirmed"));
  return lookupTable;
}

/** Creates the pool (if it does not exist), deposits the liquidity and creates the lookup table. */
export async function seedLocalVenue(opts: SeedLocalVenueOptions): Promise<LocalVenue> {
  const { connection, payer, mintA, mintB } = opts;
  const feeBps = opts.feeBps ?? 30;
  const mintMissing = opts.mintMissingLiquidity ?? true;
  const program = testAmmProgram(connection);
  const [tokenProgramA, tokenProgramB] = await Promise.all([
    tokenProgramOf(connection, mintA),
    tokenProgramOf(connection, mintB),
  ]);
  const pool = poolAddress(mintA, mintB);
  const vaultA = vaultAddress(pool, mintA);
  const vaultB = vaultAddress(pool, mintB);

  if ((await connection.getAccountInfo(pool, "confirmed")) === null) {
    const create = await program.methods
      .createPool(feeBps)
      .accountsStrict({
        payer: payer.publicKey,
        pool,
        mintA,
        mintB,
        vaultA,
        vaultB,
        tokenProgramA,
        tokenProgramB,
        systemProgram: SystemProgram.programId,
      })
      .instruction();
    await send(connection, payer, [create]);
  }

  const [providerA, providerB] = [
    await liquiditySource(connection, payer, mintA, tokenProgramA, opts.amountA, mintMissing),
    await liquiditySource(connection, payer, mintB, tokenProgramB, opts.amountB, mintMissing),
  ];
  const add = await program.methods
    .addLiquidity(new BN(opts.amountA.toString()), new BN(opts.amountB.toString()))
    .accountsStrict({
      provider: payer.publicKey,
      pool,
      mintA,
      mintB,
      vaultA,
      vaultB,
      providerA,
      providerB,
      tokenProgramA,
      tokenProgramB,
    })
    .instruction();
  await send(connection, payer, [add]);

  const [state] = await readPools(connection, [pool]);
  const lookupTable = await createPoolLookupTable(connection, payer, state);
  return {
    pool,
    mintA,
    mintB,
    vaultA,
    vaultB,
    tokenProgramA,
    tokenProgramB,
    feeBps: state.feeBps,
    lookupTable,
  };
}
