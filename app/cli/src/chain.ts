/**
 * The cluster a command talks to, from the global flags (`-u`, `--ws`, `-k`, `-C`,
 * `--commitment`, `--program-id`, `--cluster`, `--rpc-timeout`) resolved as solana-cli does
 * (app/util/solana-config.ts), and the treasury on it.
 */
import type { Commitment, Connection, Keypair } from "@solana/web3.js";

import { readKeypairFile } from "../../util/keypair-file";
import { type ClusterSettings, resolveCluster } from "../../util/solana-config";
import {
  ASHAO_TREASURY_PROGRAM_ID,
  type Cluster,
  clusterOf,
  fetchTreasury,
  parseCluster,
  redactUrl,
  timedConnection,
  treasuryConfigPda,
  treasuryProgram,
  type TreasuryProgram,
  type TreasuryState,
} from "../../sdk/src";
import { RefusedError, UsageError } from "./errors";
import type { GlobalOptions } from "./options";
import { parseAddress } from "./parse";

export interface Chain {
  settings: ClusterSettings;
  rpcUrl: string;
  connection: Connection;
  program: TreasuryProgram;
  cluster: Cluster;
  commitment: Commitment;
  /** Per RPC call, and how long a sent transaction's node may stay silent. */
  timeoutMs: number;
}

export async function chainFrom(options: GlobalOptions, env: NodeJS.ProcessEnv): Promise<Chain> {
  const settings = await resolveCluster(options, env);
  const programText = options.programId ?? (env.ASHAO_PROGRAM_ID || undefined);
  const programId = programText
    ? parseAddress("--program-id", programText)
    : ASHAO_TREASURY_PROGRAM_ID;
  let cluster: Cluster;
  try {
    cluster = options.cluster
      ? parseCluster(options.cluster, settings.rpcUrl)
      : clusterOf(settings.rpcUrl);
  } catch (err) {
    throw new UsageError(`--cluster: ${(err as Error).message}`);
  }
  const timeoutMs = options.rpcTimeout * 1000;
  const connection = timedConnection(settings.rpcUrl, {
    commitment: settings.commitment,
    wsEndpoint: settings.wsUrl,
    timeoutMs,
  });
  return {
    settings,
    rpcUrl: settings.rpcUrl,
    connection,
    program: treasuryProgram(connection, undefined, { programId }),
    cluster,
    commitment: settings.commitment,
    timeoutMs,
  };
}

/** The signing keypair: `-k`, else the Solana CLI config's `keypair_path`. */
export function signer(chain: Chain): Keypair {
  return readKeypairFile(chain.settings.keypairPath);
}

/** The treasury's state, or a refusal naming where it was looked for. */
export async function treasuryOf(chain: Chain): Promise<TreasuryState> {
  const state = await fetchTreasury(chain.program, chain.commitment);
  if (!state) {
    throw new RefusedError(
      "TreasuryNotFound",
      `no treasury at ${treasuryConfigPda(chain.program.programId).address.toBase58()} on ` +
        `${redactUrl(chain.rpcUrl)} (program ${chain.program.programId.toBase58()}): ` +
        `another cluster (-u) or deployment (--program-id)?`,
    );
  }
  return state;
}
