/**
 * Idempotent revenue deposits: a deposit carries a key in an SPL Memo (`ashao-deposit:KEY`), and
 * before paying, the payer looks for that key among the source account's recent transactions,
 * so a rerun after a lost answer or a network error pays nothing. Nodes list each transaction's
 * memos with its signature (`getSignaturesForAddress`), so the check reads no transaction.
 */
import {
  type Commitment,
  type ConfirmedSignatureInfo,
  type Connection,
  PublicKey,
  TransactionInstruction,
} from "@solana/web3.js";

/** SPL Memo v3. */
export const MEMO_PROGRAM_ID = new PublicKey("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
export const DEPOSIT_MEMO_PREFIX = "ashao-deposit:";
/** Letters, digits and `._:-`, up to 64: printable anywhere a memo is shown. */
export const DEPOSIT_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/** The key of a deposit given none: its amount, so one source pays an amount once per window. */
export function defaultDepositKey(amount: bigint): string {
  return `amount-${amount}`;
}

export function depositMemoIx(key: string): TransactionInstruction {
  if (!DEPOSIT_KEY_PATTERN.test(key)) throw new RangeError(`bad deposit key ${key}`);
  return new TransactionInstruction({
    programId: MEMO_PROGRAM_ID,
    keys: [],
    data: Buffer.from(`${DEPOSIT_MEMO_PREFIX}${key}`, "utf8"),
  });
}

/** Whether a node's `memo` field (`[len] text; [len] text`) holds the deposit memo of `key`. */
export function memoCarriesKey(memo: string | null, key: string): boolean {
  if (!memo) return false;
  const wanted = `${DEPOSIT_MEMO_PREFIX}${key}`;
  return memo.split("; ").some((part) => part.replace(/^\[\d+\] /, "") === wanted);
}

/** The source's history was longer than the check reads: it cannot say the key is unused. */
export class DepositCheckIncompleteError extends Error {
  override name = "DepositCheckIncomplete";
}

const PAGE = 1_000;
const MAX_PAGES = 20;

/**
 * The landed transaction touching `source` since `sinceUnix` (block time) whose memo carries
 * `key`, newest first; `undefined` when there is none.
 */
export async function findDepositByKey(
  connection: Connection,
  source: PublicKey,
  key: string,
  options: { sinceUnix: number; commitment?: "confirmed" | "finalized" },
): Promise<ConfirmedSignatureInfo | undefined> {
  let before: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const signatures = await connection.getSignaturesForAddress(
      source,
      { before, limit: PAGE },
      (options.commitment ?? "confirmed") satisfies Commitment,
    );
    const found = signatures.find((s) => s.err === null && memoCarriesKey(s.memo, key));
    if (found) return found;
    const last = signatures.at(-1);
    if (!last || signatures.length < PAGE) return undefined;
    if (
      last.blockTime !== null &&
      last.blockTime !== undefined &&
      last.blockTime < options.sinceUnix
    ) {
      return undefined;
    }
    before = last.signature;
  }
  throw new DepositCheckIncompleteError(
    `${source.toBase58()} has more than ${PAGE * MAX_PAGES} transactions inside the key's window; shorten --key-window`,
  );
}
