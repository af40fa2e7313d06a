/**
 * Stake positions at scale, written straight into the local validator's state: real
 * StakePosition bytes (Anchor's encoding) at their PDAs for N owners, through
 * `localnet_setAccounts` (the validator runs with `--allow-program-state-writes`), with the
 * TreasuryConfig's totals, the stake vault and the $ASHAO mint's supply moved to match, so the
 * books hold as if every position had been staked by a transaction. The first
 * `ACTIVE_STAKERS` owners are keypairs with a wallet (SOL, $ASHAO, a USDC account) that can
 * transact; the others are owners that never sign (32 bytes from a fixed seed).
 *
 * Where seeding's time goes on the harness's side: a keypair takes Node's ed25519 2.2 ms and a
 * PDA web3.js's search for the bump about 1 ms (its on-curve check), which made 1,000,000
 * positions take over 50 minutes before the validator saw them. Owners that never sign need no
 * keypair, PDAs are found with Node's SHA-256 and an on-curve test by the Jacobi symbol (70 µs,
 * checked against web3.js's on the first positions), and each position's bytes are one Anchor
 * encoding patched at the IDL's offsets. Deriving overlaps the validator's writes.
 */
import { createHash, createPrivateKey, createPublicKey } from "crypto";
import { readFileSync } from "fs";

import {
  AccountLayout,
  getAssociatedTokenAddressSync,
  MintLayout,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram } from "@solana/web3.js";
import BN from "bn.js";

import type { LocalEconomy } from "../../app/localnet/economy";
import { setAccounts } from "../../app/localnet/validator";
import {
  fetchChainTime,
  fetchTreasuryOrThrow,
  POSITION_SEED,
  MAX_UNSTAKE_TICKETS,
  STAKE_POSITION_LAYOUT,
  stakePositionPda,
} from "../../app/sdk/src";

/** Owners that get a wallet and token accounts, and can act. */
export const ACTIVE_STAKERS = 2_000;
/** Accounts per `localnet_setAccounts` call, at most (a tenth of the positions, at least 100). */
const SEED_BATCH = 2_000;
/** Positions whose PDA is derived both ways, as a check of the fast derivation. */
const CHECKED_PDAS = 64;
const ASHAO = 1_000_000_000n;

/** A process's CPU seconds (user + system) and resident memory, from /proc. */
export function processUsage(pid: number): { cpuSecs: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return { cpuSecs: ticks / 100, rssBytes: Number(rss?.[1] ?? 0) * 1024 };
}

/** Deterministic numbers in [0, 1) (mulberry32), so runs are comparable. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The 32 bytes behind owner `i` (a keypair's seed for the active ones). */
const ownerSeed = (i: number) =>
  createHash("sha256").update(`ashao bench-scale staker ${i}`).digest();

/** The keypair of active staker `i`, from a fixed seed. */
function stakerKeypair(i: number): Keypair {
  const seed = ownerSeed(i);
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const publicDer = createPublicKey(createPrivateKey({ key: der, format: "der", type: "pkcs8" }))
    .export({ format: "der", type: "spki" })
    .subarray(-32);
  return Keypair.fromSecretKey(Buffer.concat([seed, publicDer]), { skipValidation: true });
}

// ed25519's field and curve constant, for the on-curve test.
const P = 2n ** 255n - 19n;
const modPow = (base: bigint, exponent: bigint): bigint => {
  let result = 1n;
  for (let b = base % P, e = exponent; e > 0n; e >>= 1n, b = (b * b) % P) {
    if (e & 1n) result = (result * b) % P;
  }
  return result;
};
const D = (((-121665n * modPow(121666n, P - 2n)) % P) + P) % P;

/** The Jacobi symbol (a/n) for odd n > 0. */
function jacobi(a: bigint, n: bigint): number {
  let t = 1;
  a %= n;
  while (a !== 0n) {
    while ((a & 1n) === 0n) {
      a >>= 1n;
      const r = n & 7n;
      if (r === 3n || r === 5n) t = -t;
    }
    [a, n] = [n, a];
    if ((a & 3n) === 3n && (n & 3n) === 3n) t = -t;
    a %= n;
  }
  return n === 1n ? t : 0;
}

/**
 * Whether 32 bytes are a point of ed25519 (what makes an address unusable as a PDA): y below
 * p, and x² = (y² − 1) / (d·y² + 1) a square (its Jacobi symbol, of the product, is 1; x = 0
 * only with the sign bit clear).
 */
function onCurve(bytes: Buffer): boolean {
  const sign = bytes[31] >> 7;
  const little = Buffer.from(bytes);
  little[31] &= 0x7f;
  const y = BigInt(`0x${little.reverse().toString("hex")}`);
  if (y >= P) return false;
  const y2 = (y * y) % P;
  const u = (y2 - 1n + P) % P;
  const v = (D * y2 + 1n) % P;
  if (u === 0n) return sign === 0;
  return jacobi((u * v) % P, P) === 1;
}

/** `StakePosition` PDA of `owner` (the SDK's seeds, found as the runtime does). */
function positionPda(owner: Buffer, programId: Buffer): { address: Buffer; bump: number } {
  for (let bump = 255; bump >= 0; bump--) {
    const address = createHash("sha256")
      .update(POSITION_SEED)
      .update(owner)
      .update(Buffer.from([bump]))
      .update(programId)
      .update("ProgramDerivedAddress")
      .digest();
    if (!onCurve(address)) return { address, bump };
  }
  throw new Error("no bump gives a PDA");
}

export interface Staker {
  keypair: Keypair;
  ashao: PublicKey;
  usdc: PublicKey;
}

export interface SeededPositions {
  count: number;
  /** Owner `i`'s address (the first `active.length` are the active stakers). */
  owner(i: number): PublicKey;
  active: Staker[];
  /** The validator's resident memory per position beyond its bytes (NaN unless measured). */
  bytesPerPosition: number;
  /** Where the time went: deriving owners, PDAs and bytes here; waiting for the validator. */
  deriveSecs: number;
  writeWaitSecs: number;
}

function tokenAccount(mint: PublicKey, owner: PublicKey, amount: bigint): Buffer {
  const data = Buffer.alloc(AccountLayout.span);
  AccountLayout.encode(
    {
      mint,
      owner,
      amount,
      delegateOption: 0,
      delegate: PublicKey.default,
      state: 1,
      isNativeOption: 0,
      isNative: 0n,
      delegatedAmount: 0n,
      closeAuthorityOption: 0,
      closeAuthority: PublicKey.default,
    },
    data,
  );
  return data;
}

/** What Anchor's accounts coder holds per account: the discriminator and the borsh layout. */
interface AccountLayouts {
  accountLayouts: Map<
    string,
    { discriminator: number[]; layout: { encode(value: unknown, buffer: Buffer): number } }
  >;
}

/**
 * An account's new bytes over its old ones (what follows the encoding is kept). Anchor's
 * `encode` writes into a 1,000-byte buffer (its own TODO) and a TreasuryConfig takes 1,114, so
 * the account's layout encodes straight into a copy of the account.
 */
function encodeAccount(
  economy: LocalEconomy,
  name: string,
  value: unknown,
  current: Buffer,
): Buffer {
  const coder = economy.program.coder.accounts as unknown as AccountLayouts;
  const entry = coder.accountLayouts.get(name);
  if (!entry) throw new Error(`no ${name} account in the IDL`);
  const data = Buffer.from(current);
  Buffer.from(entry.discriminator).copy(data);
  entry.layout.encode(value, data.subarray(entry.discriminator.length));
  return data;
}

/**
 * Writes `n` positions (100 to 100,000 $ASHAO each, one in ten with a tenth cooling down) and
 * balances the books. Past 100,000 positions the largest is smaller, so that all of them hold
 * about 5 billion $ASHAO whatever `n` (a million of the full range is 5·10^19 base units: more
 * than the config's u64 totals and the mint's supply hold). With `validatorPid`, the validator's memory per position is measured
 * over the second half (the slope, not the first allocations).
 */
export async function seedPositions(
  economy: LocalEconomy,
  n: number,
  options: { validatorPid?: number; progress?: (line: string) => void } = {},
): Promise<SeededPositions> {
  const { connection } = economy.validator;
  const { program, accounts } = economy;
  const { validatorPid: pid, progress = () => undefined } = options;
  const state = await fetchTreasuryOrThrow(program);
  const now = await fetchChainTime(connection);
  const programId = program.programId.toBuffer();
  const { size, offsets: at } = STAKE_POSITION_LAYOUT;
  const positionRent = await connection.getMinimumBalanceForRentExemption(size);
  const tokenRent = await connection.getMinimumBalanceForRentExemption(AccountLayout.span);
  // One position encoded by Anchor; each one is a copy with its own fields written in place.
  const template = Buffer.alloc(size);
  (
    await program.coder.accounts.encode("stakePosition", {
      owner: PublicKey.default,
      bump: 0,
      staked: new BN(0),
      unstaking: new BN(0),
      rewardCheckpoint: new BN(state.accRewardPerShare.toString()),
      owedRewards: new BN(0),
      totalClaimed: new BN(0),
      unstakeTickets: Array.from({ length: MAX_UNSTAKE_TICKETS }, () => ({
        amount: new BN(0),
        availableAt: new BN(0),
      })),
      // Seeded positions count as warmed up (as positions staked before the warm-up existed).
      boostWarmupAmount: new BN(0),
      boostWarmupEndsAt: new BN(0),
      reserved: new Array(48).fill(0),
    })
  ).copy(template);
  const draw = random(n);
  const owners = Buffer.alloc(32 * n);
  const active: Staker[] = [];
  const largest = Math.min(100_000, Math.floor(10_000_000_000 / n));
  let staked = 0n;
  let unstaking = 0n;
  let half: { rss: number; at: number } | undefined;
  let deriveMs = 0;
  let waitMs = 0;
  const batchSize = Math.min(SEED_BATCH, Math.max(100, Math.ceil(n / 10)));
  let writing: Promise<unknown> = Promise.resolve();
  const write = async (batch: Parameters<typeof setAccounts>[1]) => {
    const w0 = performance.now();
    await writing;
    waitMs += performance.now() - w0;
    writing = setAccounts(connection, batch);
  };

  progress(`deriving ${n} owners, their positions' PDAs and bytes`);
  for (let from = 0; from < n; from += batchSize) {
    const d0 = performance.now();
    const batch: Parameters<typeof setAccounts>[1] = [];
    for (let i = from; i < Math.min(n, from + batchSize); i++) {
      let owner: PublicKey;
      if (i < ACTIVE_STAKERS) {
        const keypair = stakerKeypair(i);
        owner = keypair.publicKey;
        active.push({
          keypair,
          ashao: getAssociatedTokenAddressSync(accounts.ashaoMint, owner),
          usdc: getAssociatedTokenAddressSync(accounts.usdcMint, owner),
        });
      } else {
        owner = new PublicKey(ownerSeed(i));
      }
      const ownerBytes = owner.toBuffer();
      ownerBytes.copy(owners, 32 * i);
      const { address, bump } = positionPda(ownerBytes, programId);
      if (i < CHECKED_PDAS) {
        const expected = stakePositionPda(owner, program.programId);
        if (!expected.address.equals(new PublicKey(address)) || expected.bump !== bump) {
          throw new Error(`the fast PDA of position ${i} is not the SDK's`);
        }
      }
      const amount = BigInt(Math.floor(100 + draw() * (largest - 100))) * ASHAO;
      const cooling = draw() < 0.1 ? amount / 10n : 0n;
      const data = Buffer.from(template);
      ownerBytes.copy(data, at.owner);
      data[at.bump] = bump;
      data.writeBigUInt64LE(amount - cooling, at.staked);
      data.writeBigUInt64LE(cooling, at.unstaking);
      if (cooling > 0n) {
        // One request (the cooling tenth) in the first ticket (amount, then available_at).
        data.writeBigUInt64LE(cooling, at.unstakeTickets);
        data.writeBigInt64LE(now + BigInt(state.unstakeCooldownSecs), at.unstakeTickets + 8);
      }
      batch.push({
        pubkey: new PublicKey(address),
        account: { lamports: positionRent, data, owner: program.programId },
      });
      staked += amount - cooling;
      unstaking += cooling;
    }
    deriveMs += performance.now() - d0;
    await write(batch);
    const written = Math.min(n, from + batchSize);
    if (pid !== undefined && !half && written >= n / 2) {
      await writing;
      half = { rss: processUsage(pid).rssBytes, at: written };
    }
    if (from % 100_000 < batchSize) progress(`  ${written} positions derived`);
  }
  const w0 = performance.now();
  await writing;
  waitMs += performance.now() - w0;
  let bytesPerPosition = Number.NaN;
  if (pid !== undefined && half && n > half.at) {
    const grown = processUsage(pid).rssBytes - half.rss;
    bytesPerPosition = (grown - size * (n - half.at)) / (n - half.at);
  }

  // The active stakers' wallets and token accounts: SOL for fees, $ASHAO to stake, USDC to claim to.
  const wallet = 10n * ASHAO * 100_000n;
  let minted = 0n;
  const wallets: Parameters<typeof setAccounts>[1] = [];
  for (const staker of active) {
    wallets.push(
      {
        pubkey: staker.keypair.publicKey,
        account: {
          lamports: 10 * LAMPORTS_PER_SOL,
          data: Buffer.alloc(0),
          owner: SystemProgram.programId,
        },
      },
      {
        pubkey: staker.ashao,
        account: {
          lamports: tokenRent,
          data: tokenAccount(accounts.ashaoMint, staker.keypair.publicKey, wallet),
          owner: TOKEN_PROGRAM_ID,
        },
      },
      {
        pubkey: staker.usdc,
        account: {
          lamports: tokenRent,
          data: tokenAccount(accounts.usdcMint, staker.keypair.publicKey, 0n),
          owner: TOKEN_PROGRAM_ID,
        },
      },
    );
    minted += wallet;
  }
  for (let i = 0; i < wallets.length; i += SEED_BATCH) {
    await setAccounts(connection, wallets.slice(i, i + SEED_BATCH));
  }

  // Then the books: the config's totals, the stake vault and the mint's supply, in one call.
  const configInfo = await connection.getAccountInfo(accounts.config, "confirmed");
  const vaultInfo = await connection.getAccountInfo(accounts.stakeVault, "confirmed");
  const mintInfo = await connection.getAccountInfo(accounts.ashaoMint, "confirmed");
  if (!configInfo || !vaultInfo || !mintInfo) throw new Error("the treasury is not initialised");
  const config = program.coder.accounts.decode("treasuryConfig", configInfo.data);
  config.totalStaked = config.totalStaked.add(new BN(staked.toString()));
  config.totalUnstaking = config.totalUnstaking.add(new BN(unstaking.toString()));
  config.stakerCount += n;
  const configData = encodeAccount(economy, "treasuryConfig", config, configInfo.data);
  const vault = AccountLayout.decode(vaultInfo.data);
  const vaultData = Buffer.alloc(AccountLayout.span);
  AccountLayout.encode({ ...vault, amount: vault.amount + staked + unstaking }, vaultData);
  const mint = MintLayout.decode(mintInfo.data);
  const mintData = Buffer.alloc(MintLayout.span);
  MintLayout.encode({ ...mint, supply: mint.supply + staked + unstaking + minted }, mintData);
  await setAccounts(connection, [
    { pubkey: accounts.config, account: { ...configInfo, data: configData } },
    { pubkey: accounts.stakeVault, account: { ...vaultInfo, data: vaultData } },
    { pubkey: accounts.ashaoMint, account: { ...mintInfo, data: mintData } },
  ]);
  return {
    count: n,
    owner: (i) => new PublicKey(owners.subarray(32 * i, 32 * i + 32)),
    active,
    bytesPerPosition,
    deriveSecs: deriveMs / 1000,
    writeWaitSecs: waitMs / 1000,
  };
}
