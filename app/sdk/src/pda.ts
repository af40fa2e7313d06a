/** Program-derived addresses, from the seeds in `constants.ts`. */
import { PublicKey } from "@solana/web3.js";

import {
  ASHAO_TREASURY_PROGRAM_ID,
  BUYBACK_VAULT_SEED,
  POSITION_SEED,
  REWARDS_VAULT_SEED,
  STAKE_VAULT_SEED,
  TREASURY_SEED,
  USAGE_LEDGER_SEED,
} from "./constants";

/** A PDA and its bump. */
export interface Pda {
  address: PublicKey;
  bump: number;
}

function derive(seeds: Buffer[], programId: PublicKey): Pda {
  const [address, bump] = PublicKey.findProgramAddressSync(seeds, programId);
  return { address, bump };
}

/** The singleton `TreasuryConfig`: `["treasury"]`. */
export function treasuryConfigPda(programId: PublicKey = ASHAO_TREASURY_PROGRAM_ID): Pda {
  return derive([TREASURY_SEED], programId);
}

/** The USDC buyback vault: `["buyback_vault"]`. */
export function buybackVaultPda(programId: PublicKey = ASHAO_TREASURY_PROGRAM_ID): Pda {
  return derive([BUYBACK_VAULT_SEED], programId);
}

/** The USDC rewards vault: `["rewards_vault"]`. */
export function rewardsVaultPda(programId: PublicKey = ASHAO_TREASURY_PROGRAM_ID): Pda {
  return derive([REWARDS_VAULT_SEED], programId);
}

/** The $ASHAO stake vault: `["stake_vault"]`. */
export function stakeVaultPda(programId: PublicKey = ASHAO_TREASURY_PROGRAM_ID): Pda {
  return derive([STAKE_VAULT_SEED], programId);
}

/** A staker's `StakePosition`: `["position", owner]`. */
export function stakePositionPda(
  owner: PublicKey,
  programId: PublicKey = ASHAO_TREASURY_PROGRAM_ID,
): Pda {
  return derive([POSITION_SEED, owner.toBuffer()], programId);
}

/** A billing authority's `UsageLedger`: `["usage_ledger", billing]`. */
export function usageLedgerPda(
  billing: PublicKey,
  programId: PublicKey = ASHAO_TREASURY_PROGRAM_ID,
): Pda {
  return derive([USAGE_LEDGER_SEED, billing.toBuffer()], programId);
}

/** The program's ProgramData account (BPF Upgradeable Loader), which names its upgrade authority. */
export const BPF_LOADER_UPGRADEABLE_PROGRAM_ID = new PublicKey(
  "BPFLoaderUpgradeab1e11111111111111111111111",
);

export function programDataPda(programId: PublicKey = ASHAO_TREASURY_PROGRAM_ID): Pda {
  return derive([programId.toBuffer()], BPF_LOADER_UPGRADEABLE_PROGRAM_ID);
}

/** Every fixed treasury address at once. */
export interface TreasuryPdas {
  programId: PublicKey;
  config: PublicKey;
  buybackVault: PublicKey;
  rewardsVault: PublicKey;
  stakeVault: PublicKey;
}

export function treasuryPdas(programId: PublicKey = ASHAO_TREASURY_PROGRAM_ID): TreasuryPdas {
  return {
    programId,
    config: treasuryConfigPda(programId).address,
    buybackVault: buybackVaultPda(programId).address,
    rewardsVault: rewardsVaultPda(programId).address,
    stakeVault: stakeVaultPda(programId).address,
  };
}
