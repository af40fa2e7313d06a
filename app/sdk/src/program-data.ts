/**
 * Who can upgrade a program: an upgradeable program's account names its ProgramData, whose
 * header names the upgrade authority (none once the program is made immutable). Watchers show it
 * next to the treasury's own authority, since the upgrade authority is the one key above the
 * program.
 */
import { type Connection, PublicKey } from "@solana/web3.js";

import { BPF_LOADER_UPGRADEABLE_PROGRAM_ID } from "./pda";

/** The loader's `UpgradeableLoaderState` tags. */
const PROGRAM_TAG = 2;
const PROGRAM_DATA_TAG = 3;
/** ProgramData header: tag u32, slot u64, `Option<Pubkey>`. */
const PROGRAM_DATA_HEADER = 4 + 8 + 1 + 32;

/** The ProgramData address in an upgradeable program's account data; undefined otherwise. */
export function decodeUpgradeableProgram(data: Buffer): PublicKey | undefined {
  if (data.length < 36 || data.readUInt32LE(0) !== PROGRAM_TAG) return undefined;
  return new PublicKey(data.subarray(4, 36));
}

/** A ProgramData header: the slot of the last deploy and the upgrade authority (null: immutable). */
export function decodeProgramData(
  data: Buffer,
): { slot: bigint; upgradeAuthority: PublicKey | null } | undefined {
  if (data.length < 13 || data.readUInt32LE(0) !== PROGRAM_DATA_TAG) return undefined;
  const slot = data.readBigUInt64LE(4);
  if (data[12] === 0) return { slot, upgradeAuthority: null };
  if (data[12] !== 1 || data.length < PROGRAM_DATA_HEADER) return undefined;
  return { slot, upgradeAuthority: new PublicKey(data.subarray(13, 45)) };
}

export interface ProgramUpgradeInfo {
  programId: PublicKey;
  /** The account holding the code and the authority; null when the loader has none. */
  programData: PublicKey | null;
  /** Who may replace the program's code; null when nobody can (immutable, or another loader). */
  upgradeAuthority: PublicKey | null;
  /** The program's loader (the BPF Upgradeable Loader for a normal deploy). */
  loader: PublicKey;
}

/** Reads the program's account and its ProgramData. */
export async function fetchProgramUpgradeInfo(
  connection: Connection,
  programId: PublicKey,
): Promise<ProgramUpgradeInfo> {
  const program = await connection.getAccountInfo(programId, "confirmed");
  if (!program) throw new Error(`program ${programId.toBase58()} is not deployed on this cluster`);
  const programData = program.owner.equals(BPF_LOADER_UPGRADEABLE_PROGRAM_ID)
    ? decodeUpgradeableProgram(program.data)
    : undefined;
  if (!programData) {
    return { programId, programData: null, upgradeAuthority: null, loader: program.owner };
  }
  const header = await connection.getAccountInfo(programData, "confirmed");
  const decoded = header ? decodeProgramData(header.data) : undefined;
  if (!decoded) {
    throw new Error(
      `program ${programId.toBase58()}'s ProgramData ${programData.toBase58()} is unreadable`,
    );
  }
  return {
    programId,
    programData,
    upgradeAuthority: decoded.upgradeAuthority,
    loader: program.owner,
  };
}
