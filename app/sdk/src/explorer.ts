/**
 * Links to a block explorer (Solana Explorer) for the cluster a deployment runs on, so a
 * signature or an address can be checked independently of this project's API.
 */
export type ClusterName = "mainnet-beta" | "devnet" | "testnet";

/**
 * A public cluster, or any other RPC node (a local validator, a private node) by its URL: the
 * URL the explorer is to read, absent where none may be published (the explorer then uses the
 * custom URL its visitor set).
 */
export type Cluster = { name: ClusterName } | { name: "custom"; rpcUrl?: string };

const PUBLIC_HOSTS: [RegExp, ClusterName][] = [
  [/(^|\.)devnet\./, "devnet"],
  [/(^|\.)testnet\./, "testnet"],
  [/(^|\.)mainnet(-beta)?\./, "mainnet-beta"],
];

/** The cluster an RPC URL points at, from its host name; anything unrecognised is `custom`. */
export function clusterOf(rpcUrl: string): Cluster {
  let host = "";
  try {
    host = new URL(rpcUrl).hostname;
  } catch {
    return { name: "custom", rpcUrl };
  }
  for (const [pattern, name] of PUBLIC_HOSTS) if (pattern.test(host)) return { name };
  return { name: "custom", rpcUrl };
}

/** `mainnet-beta`, `devnet`, `testnet`, or `localnet`/`custom` with the RPC URL. */
export function parseCluster(text: string, rpcUrl: string): Cluster {
  if (text === "mainnet-beta" || text === "mainnet") return { name: "mainnet-beta" };
  if (text === "devnet" || text === "testnet") return { name: text };
  if (text === "localnet" || text === "custom") return { name: "custom", rpcUrl };
  throw new RangeError(`unknown cluster ${text}: mainnet-beta, devnet, testnet or localnet`);
}

export const SOLANA_EXPLORER = "https://explorer.solana.com";

/** The explorer's query parameters for `cluster` (none for mainnet). */
function clusterParams(cluster: Cluster): string[] {
  if (cluster.name === "mainnet-beta") return [];
  if (cluster.name === "custom") {
    return cluster.rpcUrl === undefined
      ? ["cluster=custom"]
      : ["cluster=custom", `customUrl=${encodeURIComponent(cluster.rpcUrl)}`];
  }
  return [`cluster=${cluster.name}`];
}

function link(path: string, cluster: Cluster, params: string[] = []): string {
  const query = [...params, ...clusterParams(cluster)];
  return `${SOLANA_EXPLORER}${path}${query.length > 0 ? `?${query.join("&")}` : ""}`;
}

export function explorerTxUrl(signature: string, cluster: Cluster): string {
  return link(`/tx/${signature}`, cluster);
}

export function explorerAddressUrl(address: string, cluster: Cluster): string {
  return link(`/address/${address}`, cluster);
}

/** The explorer's inspector for an unsigned transaction's message (base64), before anyone signs. */
export function explorerInspectorUrl(messageBase64: string, cluster: Cluster): string {
  return link("/tx/inspector", cluster, [`message=${encodeURIComponent(messageBase64)}`]);
}
