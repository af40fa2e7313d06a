/**
 * What the validator conformance suites share: raw JSON-RPC (for requests no client would send),
 * `@solana/kit` clients for a validator, and the few instructions they build by hand (kit ships
 * no program clients; their layouts are the programs' own).
 */
import {
  AccountRole,
  Address,
  address,
  createDefaultRpcSubscriptionsChannelCreator,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  getU32Encoder,
  getU64Encoder,
  getUtf8Encoder,
  Instruction,
  Rpc,
  RpcSubscriptions,
  SolanaRpcApi,
  SolanaRpcSubscriptionsApi,
} from "@solana/kit";

export const SYSTEM_PROGRAM = address("11111111111111111111111111111111");
export const COMPUTE_BUDGET_PROGRAM = address("ComputeBudget111111111111111111111111111111");
export const MEMO_PROGRAM = address("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
export const TOKEN_PROGRAM = address("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");

/** A JSON-RPC response as it comes off the wire. */
export interface RawResponse {
  jsonrpc?: string;
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** POSTs `body` as it is (it need not be valid JSON) and parses the answer. */
export async function postRaw(url: string, body: string): Promise<RawResponse> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return (await response.json()) as RawResponse;
}

/** One JSON-RPC call with exactly these params. */
export function rawCall(url: string, method: string, params: unknown[] = []): Promise<RawResponse> {
  return postRaw(url, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }));
}

export interface KitClients {
  rpc: Rpc<SolanaRpcApi>;
  subscriptions: RpcSubscriptions<SolanaRpcSubscriptionsApi>;
}

export function kitClients(rpcUrl: string, wsUrl: string): KitClients {
  return {
    rpc: createSolanaRpc(rpcUrl),
    subscriptions: createSolanaRpcSubscriptions(wsUrl),
  };
}

/**
 * One PubSub request on a fresh websocket, answered by the server's reply to it (for requests
 * kit's typed API would not make: unknown ids, methods that are not served).
 */
export async function rawPubSubCall(
  wsUrl: string,
  method: string,
  params: unknown[],
): Promise<RawResponse> {
  const abort = new AbortController();
  try {
    const channel = await createDefaultRpcSubscriptionsChannelCreator({ url: wsUrl })({
      abortSignal: abort.signal,
    });
    const reply = new Promise<RawResponse>((resolve) => {
      channel.on(
        "message",
        (message) => {
          const response = message as RawResponse;
          if (response.id === 42) resolve(response);
        },
        { signal: abort.signal },
      );
    });
    await channel.send({ jsonrpc: "2.0", id: 42, method, params });
    return await reply;
  } finally {
    abort.abort();
  }
}

/** One PubSub connection a test drives request by request, and the notifications it receives. */
export interface PubSubSession {
  /** Sends a request and resolves to the server's reply to it. */
  call(method: string, params?: unknown[]): Promise<RawResponse>;
  /** Resolves to the next notification of `method` (`signatureNotification`, …). */
  notification(method: string): Promise<unknown>;
  close(): void;
}

export async function pubSubSession(wsUrl: string): Promise<PubSubSession> {
  const abort = new AbortController();
  const channel = await createDefaultRpcSubscriptionsChannelCreator({ url: wsUrl })({
    abortSignal: abort.signal,
  });
  const replies = new Map<number, (response: RawResponse) => void>();
  const waiting = new Map<string, (params: unknown) => void>();
  let nextId = 1;
  channel.on(
    "message",
    (message) => {
      const data = message as RawResponse & { method?: string; params?: unknown };
      if (typeof data.id === "number") replies.get(data.id)?.(data);
      if (data.method) waiting.get(data.method)?.(data.params);
    },
    { signal: abort.signal },
  );
  return {
    async call(method, params = []) {
      const id = nextId++;
      const reply = new Promise<RawResponse>((resolve) => replies.set(id, resolve));
      await channel.send({ jsonrpc: "2.0", id, method, params });
      return reply;
    },
    notification: (method) => new Promise((resolve) => waiting.set(method, resolve)),
    close: () => abort.abort(),
  };
}

/** System Program `Transfer` (instruction 2: u32 tag, u64 lamports). */
export function transferSol(from: Address, to: Address, lamports: bigint): Instruction {
  const data = new Uint8Array(12);
  data.set(getU32Encoder().encode(2), 0);
  data.set(getU64Encoder().encode(lamports), 4);
  return {
    programAddress: SYSTEM_PROGRAM,
    accounts: [
      { address: from, role: AccountRole.WRITABLE_SIGNER },
      { address: to, role: AccountRole.WRITABLE },
    ],
    data,
  };
}

/** Compute Budget `SetComputeUnitLimit` (tag 2, u32). */
export function setComputeUnitLimit(units: number): Instruction {
  const data = new Uint8Array(5);
  data[0] = 2;
  data.set(getU32Encoder().encode(units), 1);
  return { programAddress: COMPUTE_BUDGET_PROGRAM, data };
}

/** Compute Budget `SetComputeUnitPrice` (tag 3, u64 micro-lamports per unit). */
export function setComputeUnitPrice(microLamports: bigint): Instruction {
  const data = new Uint8Array(9);
  data[0] = 3;
  data.set(getU64Encoder().encode(microLamports), 1);
  return { programAddress: COMPUTE_BUDGET_PROGRAM, data };
}

/** SPL Memo: the text, signed by `signer`. */
export function memo(text: string, signer: Address): Instruction {
  return {
    programAddress: MEMO_PROGRAM,
    accounts: [{ address: signer, role: AccountRole.READONLY_SIGNER }],
    data: new Uint8Array(getUtf8Encoder().encode(text)),
  };
}

/** SPL Token `TransferChecked` (tag 12, u64 amount, u8 decimals). */
export function transferChecked(
  source: Address,
  mint: Address,
  destination: Address,
  owner: Address,
  amount: bigint,
  decimals: number,
): Instruction {
  const data = new Uint8Array(10);
  data[0] = 12;
  data.set(getU64Encoder().encode(amount), 1);
  data[9] = decimals;
  return {
    programAddress: TOKEN_PROGRAM,
    accounts: [
      { address: source, role: AccountRole.WRITABLE },
      { address: mint, role: AccountRole.READONLY },
      { address: destination, role: AccountRole.WRITABLE },
      { address: owner, role: AccountRole.READONLY_SIGNER },
    ],
    data,
  };
}
