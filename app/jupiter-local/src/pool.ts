/**
 * Test AMM addresses and pool state, read over RPC. Seeds mirror
 * `programs/test-amm/src/constants.rs`.
 */
import { type Commitment, type Connection, PublicKey } from "@solana/web3.js";

import IDL from "./idl/test_amm.json";

export const TEST_AMM_PROGRAM_ID = new PublicKey(IDL.address);
export const POOL_SEED = Buffer.from("pool");
export const VAULT_SEED = Buffer.from("vault");
/** The label the venue reports in `routePlan[].swapInfo.label` and `/program-id-to-label`. */
export const TEST_AMM_LABEL = "Ashao Test AMM";

export function poolAddress(
  mintA: PublicKey,
  mintB: PublicKey,
  programId = TEST_AMM_PROGRAM_ID,
): PublicKey {
  return PublicKey.findProgramAddressSync(
    [POOL_SEED, mintA.toBuffer(), mintB.toBuffer()],
    programId,
  )[0];
}

export function vaultAddress(
  pool: PublicKey,
  mint: PublicKey,
  programId = TEST_AMM_PROGRAM_ID,
): PublicKey {
  return PublicKey.findProgramAddressSync(
    [VAULT_SEED, pool.toBuffer(), mint.toBuffer()],
    programId,
  )[0];
}

/** The `Pool` account's fields (see `programs/test-amm/src/state.rs`). */
export interface PoolAccount {
  mintA: PublicKey;
  mintB: PublicKey;
  vaultA: PublicKey;
  vaultB: PublicKey;
  tokenProgramA: PublicKey;
  tokenProgramB: PublicKey;
  feeBps: number;
  bump: number;
}

/** A pool with its reserves (vault balances) at `slot`. */
export interface PoolState extends PoolAccount {
  address: PublicKey;
  reserveA: bigint;
  reserveB: bigint;
  slot: number;
}

const POOL_DISCRIMINATOR = Buffer.from(
  IDL.accounts.find((a) => a.name === "Pool")?.discriminator ?? [],
);
const POOL_SIZE = 8 + 6 * 32 + 2 + 1;

/** Decodes a `Pool` account, checking its discriminator. */
export function decodePool(data: Buffer): PoolAccount {
  if (data.length < POOL_SIZE || !data.subarray(0, 8).equals(POOL_DISCRIMINATOR)) {
    throw new Error("not a test AMM pool account");
  }
  const key = (i: number) => new PublicKey(data.subarray(8 + 32 * i, 8 + 32 * (i + 1)));
  return {
    mintA: key(0),
    mintB: key(1),
    vaultA: key(2),
    vaultB: key(3),
    tokenProgramA: key(4),
    tokenProgramB: key(5),
    feeBps: data.readUInt16LE(8 + 6 * 32),
    bump: data.readUInt8(8 + 6 * 32 + 2),
  };
}

/** The `amount` of an SPL Token or Token-2022 account (offset 64, u64 LE). */
export function tokenAmount(data: Buffer): bigint {
  if (data.length < 72) {
    throw new Error("not a token account");
  }
  return data.readBigUInt64LE(64);
}

/** Reads pools and their vault balances in one `getMultipleAccounts` round trip per call. */
export async function readPools(
  connection: Connection,
  pools: PublicKey[],
  commitment: Commitment = "confirmed",
): Promise<PoolState[]> {
  if (pools.length === 0) {
    return [];
  }
  const poolInfos = await connection.getMultipleAccountsInfo(pools, commitment);
  const accounts = poolInfos.map((info, i) => {
    if (info === null || !info.owner.equals(TEST_AMM_PROGRAM_ID)) {
      throw new Error(`test AMM pool ${pools[i].toBase58()} not found`);
    }
    return decodePool(info.data);
  });
  const vaults = accounts.flatMap((p) => [p.vaultA, p.vaultB]);
  const { context, value } = await connection.getMultipleAccountsInfoAndContext(vaults, commitment);
  return accounts.map((p, i) => {
    const a = value[2 * i];
    const b = value[2 * i + 1];
    if (a === null || b === null) {
      throw new Error(`vaults of pool ${pools[i].toBase58()} not found`);
    }
    return {
      ...p,
      address: pools[i],
      reserveA: tokenAmount(a.data),
      reserveB: tokenAmount(b.data),
      slot: context.slot,
    };
  });
}
