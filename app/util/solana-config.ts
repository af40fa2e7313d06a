/**
 * Where a command finds its cluster and its key, as solana-cli does: a flag first (`-u/--url`
 * with a URL or a moniker, `--ws`, `-k/--keypair`, `--commitment`), then the environment, then
 * the Solana CLI config file (`-C/--config FILE`, default `~/.config/solana/cli/config.yml`,
 * read with a YAML parser), then solana-cli's own defaults.
 */
import { existsSync, readFileSync } from "fs";
import { homedir } from "os";
import { join } from "path";

/** `~` and `~/…` as the home folder, as a shell would expand them (env files and YAML do not). */
export function expandHome(path: string): string {
  if (path === "~") return homedir();
  return path.startsWith("~/") ? join(homedir(), path.slice(2)) : path;
}

/** solana-cli's monikers and the URLs they stand for. */
export const URL_MONIKERS: Readonly<Record<string, string>> = {
  "mainnet-beta": "https://api.mainnet-beta.solana.com",
  m: "https://api.mainnet-beta.solana.com",
  devnet: "https://api.devnet.solana.com",
  d: "https://api.devnet.solana.com",
  testnet: "https://api.testnet.solana.com",
  t: "https://api.testnet.solana.com",
  localhost: "http://localhost:8899",
  l: "http://localhost:8899",
};

export const COMMITMENTS = ["processed", "confirmed", "finalized"] as const;
export type CommitmentLevel = (typeof COMMITMENTS)[number];

export const DEFAULT_CONFIG_FILE = join(homedir(), ".config/solana/cli/config.yml");

/** The fields of solana-cli's config file a command uses, with solana-cli's defaults. */
export interface SolanaCliConfig {
  jsonRpcUrl: string;
  websocketUrl: string;
  keypairPath: string;
  commitment: CommitmentLevel;
}

export const SOLANA_CLI_DEFAULTS: SolanaCliConfig = {
  jsonRpcUrl: URL_MONIKERS["mainnet-beta"],
  websocketUrl: "",
  keypairPath: join(homedir(), ".config/solana/id.json"),
  commitment: "confirmed",
};

/** A bad setting (flag, environment variable or config file): the command does nothing. */
export class SettingError extends Error {
  override name = "SettingError";
}

/** A URL, or a moniker's URL; anything else is refused. */
export function normalizeUrl(what: string, text: string): string {
  const url = URL_MONIKERS[text] ?? text;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SettingError(
      `${what} takes a URL or one of mainnet-beta (m), devnet (d), testnet (t), localhost (l) (got ${text})`,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new SettingError(`${what} must be an http(s) URL (got ${text})`);
  }
  return url;
}

/** solana-cli's websocket URL for an RPC URL: ws(s), and the next port when one is given. */
export function websocketUrlFor(rpcUrl: string): string {
  const url = new URL(rpcUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (url.port) url.port = String(Number(url.port) + 1);
  return url.toString();
}

function field(doc: Record<string, unknown>, key: string, file: string): string | undefined {
  const value = doc[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new SettingError(`${file}: ${key} must be a string`);
  return value;
}

/**
 * The config file's settings over solana-cli's defaults. The default file may be missing (then
 * the defaults); a file named with `--config` must exist.
 */
export async function loadSolanaCliConfig(file?: string): Promise<SolanaCliConfig> {
  const path = file === undefined ? DEFAULT_CONFIG_FILE : expandHome(file);
  if (!existsSync(path)) {
    if (file === undefined) return SOLANA_CLI_DEFAULTS;
    throw new SettingError(`--config: no config file at ${file}`);
  }
  const { parse } = await import("yaml");
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new SettingError(`${path} is not YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  if (doc === null || doc === undefined) return SOLANA_CLI_DEFAULTS;
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new SettingError(`${path} is not a Solana CLI config (a YAML mapping)`);
  }
  const fields = doc as Record<string, unknown>;
  const commitment = field(fields, "commitment", path);
  if (commitment !== undefined && !(COMMITMENTS as readonly string[]).includes(commitment)) {
    throw new SettingError(`${path}: commitment must be one of ${COMMITMENTS.join(", ")}`);
  }
  return {
    jsonRpcUrl: field(fields, "json_rpc_url", path) || SOLANA_CLI_DEFAULTS.jsonRpcUrl,
    websocketUrl: field(fields, "websocket_url", path) ?? "",
    keypairPath: field(fields, "keypair_path", path) || SOLANA_CLI_DEFAULTS.keypairPath,
    commitment: (commitment as CommitmentLevel | undefined) ?? SOLANA_CLI_DEFAULTS.commitment,
  };
}

/** The cluster flags every command shares (`undefined`: not given). */
export interface ClusterFlags {
  url?: string;
  ws?: string;
  keypair?: string;
  config?: string;
  commitment?: CommitmentLevel;
}

export interface ClusterSettings {
  rpcUrl: string;
  wsUrl: string;
  /** The keypair file to sign with (flag, environment variable, else the config's). */
  keypairPath: string;
  /** Whether the keypair was named (flag or environment) rather than taken from the config. */
  keypairNamed: boolean;
  commitment: CommitmentLevel;
}

/**
 * Flags, then `env` (`ASHAO_RPC_URL`, `ASHAO_WS_URL`, and `keypairEnv` when given), then the
 * config file, then solana-cli's defaults.
 */
export async function resolveCluster(
  flags: ClusterFlags,
  env: NodeJS.ProcessEnv,
  keypairEnv?: string,
): Promise<ClusterSettings> {
  const config = await loadSolanaCliConfig(flags.config);
  const urlText = flags.url ?? (env.ASHAO_RPC_URL || undefined);
  const rpcUrl = urlText
    ? normalizeUrl(flags.url ? "-u/--url" : "ASHAO_RPC_URL", urlText)
    : normalizeUrl("json_rpc_url in the Solana CLI config", config.jsonRpcUrl);
  const wsText = flags.ws ?? (env.ASHAO_WS_URL || undefined);
  let wsUrl: string;
  if (wsText) {
    if (!/^wss?:\/\//.test(wsText)) {
      throw new SettingError(`${flags.ws ? "--ws" : "ASHAO_WS_URL"} must be a ws(s) URL`);
    }
    wsUrl = wsText;
  } else {
    // The config's websocket URL goes with the config's RPC URL only.
    wsUrl = !urlText && config.websocketUrl ? config.websocketUrl : websocketUrlFor(rpcUrl);
  }
  const named = flags.keypair ?? ((keypairEnv && env[keypairEnv]) || undefined);
  return {
    rpcUrl,
    wsUrl,
    keypairPath: named ?? config.keypairPath,
    keypairNamed: named !== undefined,
    commitment: flags.commitment ?? config.commitment,
  };
}
