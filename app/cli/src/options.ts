/**
 * The options every command takes, as solana-cli spells them, given before or after the command
 * (`ashao -u devnet status`, `ashao status -u devnet`). Loads nothing but commander, so `--help`
 * and `--version` stay fast.
 */
import { type Command, InvalidArgumentError, Option } from "commander";

import { COMMITMENTS, type CommitmentLevel, SettingError } from "../../util/solana-config";
import { OUTPUT_FORMATS, type OutputFormat } from "./output";

export interface GlobalOptions {
  url?: string;
  ws?: string;
  keypair?: string;
  config?: string;
  commitment?: CommitmentLevel;
  programId?: string;
  cluster?: string;
  output: OutputFormat;
  /** Seconds. */
  rpcTimeout: number;
  envFile?: string;
}

export const DEFAULT_RPC_TIMEOUT_SECS = 30;

const TIMEOUT_TEXT = "a whole number of seconds from 1 to 3600";

function seconds(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 3600) {
    throw new InvalidArgumentError(TIMEOUT_TEXT);
  }
  return value;
}

function parseTimeout(variable: string, text: string): number {
  try {
    return seconds(text);
  } catch {
    throw new SettingError(`${variable} must be ${TIMEOUT_TEXT} (got ${text})`);
  }
}

export function addGlobalOptions(program: Command): Command {
  return program
    .addOption(
      new Option(
        "-u, --url <URL_OR_MONIKER>",
        "the RPC node: a URL or mainnet-beta (m), devnet (d), testnet (t), localhost (l) " +
          "[default: $ASHAO_RPC_URL, else json_rpc_url of the Solana CLI config]",
      ),
    )
    .addOption(
      new Option(
        "--ws <URL>",
        "the PubSub websocket [default: $ASHAO_WS_URL, else the config's, else from the RPC URL]",
      ),
    )
    .addOption(
      new Option(
        "-k, --keypair <FILE>",
        "the keypair that signs [default: keypair_path of the Solana CLI config]",
      ),
    )
    .addOption(
      new Option(
        "-C, --config <FILE>",
        "the Solana CLI config [default: ~/.config/solana/cli/config.yml]",
      ),
    )
    .addOption(
      new Option("--commitment <LEVEL>", "[default: the config's, else confirmed]").choices(
        COMMITMENTS,
      ),
    )
    .addOption(
      new Option(
        "--program-id <ADDRESS>",
        "another deployment of the treasury program [default: $ASHAO_PROGRAM_ID, else the IDL's]",
      ),
    )
    .addOption(
      new Option(
        "--cluster <NAME>",
        "explorer links for mainnet-beta, devnet, testnet or localnet [default: from the RPC URL]",
      ),
    )
    .addOption(
      new Option("--output <FORMAT>", "one JSON document on stdout (errors too)").choices(
        OUTPUT_FORMATS,
      ),
    )
    .addOption(
      new Option(
        "--rpc-timeout <SECS>",
        `seconds an RPC call may take [default: $ASHAO_RPC_TIMEOUT_SECS, else ${DEFAULT_RPC_TIMEOUT_SECS}]`,
      ).argParser(seconds),
    )
    .addOption(
      new Option(
        "--env-file <FILE>",
        "read settings from an env file first, as node --env-file does (the environment wins)",
      ),
    );
}

/**
 * The global options as parsed: the output format `text` unless `--output` says otherwise, the
 * RPC timeout from `--rpc-timeout`, else `ASHAO_RPC_TIMEOUT_SECS` (read when the command runs,
 * after `--env-file`).
 */
export function globalOptionsOf(command: Command, env: NodeJS.ProcessEnv = {}): GlobalOptions {
  const all = command.optsWithGlobals<Partial<GlobalOptions>>();
  const fromEnv = env.ASHAO_RPC_TIMEOUT_SECS;
  return {
    url: all.url,
    ws: all.ws,
    keypair: all.keypair,
    config: all.config,
    commitment: all.commitment,
    programId: all.programId,
    cluster: all.cluster,
    envFile: all.envFile,
    output: all.output ?? "text",
    rpcTimeout:
      all.rpcTimeout ??
      (fromEnv ? parseTimeout("ASHAO_RPC_TIMEOUT_SECS", fromEnv) : DEFAULT_RPC_TIMEOUT_SECS),
  };
}
