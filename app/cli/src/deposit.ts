/**
 * `ashao deposit`: pays revenue in USDC from a keypair's token account into the treasury, which
 * splits it 50/50 between the buyback bucket and the stakers' stream. Idempotent: the deposit
 * carries a key in a memo, and a key already paid from the same source within the window is
 * not paid again, so rerunning after a lost answer or a network error is safe.
 */
import { getAccount } from "@solana/spl-token";

import {
  amountText,
  defaultDepositKey,
  DEPOSIT_KEY_PATTERN,
  depositMemoIx,
  depositRevenueIx,
  exactAmountNumber,
  explorerTxUrl,
  fetchChainTime,
  fetchTreasury,
  findDepositByKey,
  findTreasuryEvents,
  formatDuration,
  ownerUsdcAddress,
  splitRevenue,
  treasuryAccounts,
  USDC_DECIMALS,
  usdcAmount,
} from "../../sdk/src";
import { chainFrom, signer, treasuryOf } from "./chain";
import { RefusedError, UsageError } from "./errors";
import { durableNonce, type NonceFlags } from "./nonce";
import type { GlobalOptions } from "./options";
import { print } from "./output";
import { parseAddress, parseAmount, parseDuration } from "./parse";
import { depositJournal } from "./deposit-journal";
import { followPending, signAndSend } from "./send";

export interface DepositFlags extends NonceFlags {
  amount?: string;
  source?: string;
  key?: string;
  keyWindow: string;
}

const usdc = (raw: bigint) => amountText(usdcAmount(raw), "USDC");

export async function depositCommand(
  flags: DepositFlags,
  options: GlobalOptions,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const amount = parseAmount("--amount", flags.amount, USDC_DECIMALS, "USDC");
  const key = flags.key ?? defaultDepositKey(amount);
  if (!DEPOSIT_KEY_PATTERN.test(key)) {
    throw new UsageError(`--key takes 1-64 letters, digits or ._:- (got ${key})`);
  }
  const windowSecs = parseDuration("--key-window", flags.keyWindow);
  const chain = await chainFrom(options, env);
  const payer = signer(chain);
  const { connection, program, cluster } = chain;

  const state = await treasuryOf(chain);
  const accounts = treasuryAccounts(program.programId, state);
  if (state.paused) {
    throw new RefusedError("Paused", "the treasury is paused: deposits wait until it is unpaused");
  }
  const source = flags.source
    ? parseAddress("--source", flags.source)
    : ownerUsdcAddress(payer.publicKey, accounts);

  const alreadyDeposited = (signature: string, slot: number, blockTime?: number | null) => {
    const at = blockTime ? new Date(blockTime * 1000).toISOString() : "unknown";
    print(
      options.output,
      {
        alreadyDeposited: true,
        key,
        source: source.toBase58(),
        signature,
        slot,
        blockTime: at,
        explorerUrl: explorerTxUrl(signature, cluster),
      },
      () =>
        [
          `already deposited: transaction ${signature} (slot ${slot}, ${at}) paid key ${key} from ${source.toBase58()}; nothing paid now`,
          `  to pay the same amount again, give another --key`,
        ].join("\n"),
    );
    return 0;
  };
  const rerun =
    "Run the same command again: it sends this same transaction again, or finds it landed, and pays nothing twice.";

  // An earlier run sent this deposit and never learnt its fate: those bytes first, never a
  // second transaction while they may still land.
  const journal = depositJournal(source, key, env);
  const pending = journal.pending();
  if (pending) {
    const landed = await followPending(chain, pending, { what: "the earlier deposit", rerun });
    journal.settle();
    if (landed) {
      const status = await connection.getSignatureStatus(landed);
      return alreadyDeposited(
        landed,
        status.value?.slot ?? 0,
        await connection.getBlockTime(status.value?.slot ?? 0).catch(() => null),
      );
    }
  }

  // Paid already (a rerun after a lost answer, or from another machine)? Then nothing is paid.
  const now = Number(await fetchChainTime(connection));
  const earlier = await findDepositByKey(connection, source, key, {
    sinceUnix: now - windowSecs,
    commitment: chain.commitment === "finalized" ? "finalized" : "confirmed",
  });
  if (earlier) return alreadyDeposited(earlier.signature, earlier.slot, earlier.blockTime);

  const account = await getAccount(connection, source, chain.commitment).catch(() => null);
  if (!account || !account.mint.equals(state.usdcMint)) {
    throw new RefusedError(
      "NoSourceAccount",
      `${source.toBase58()} is not a USDC token account (mint ${state.usdcMint.toBase58()})`,
    );
  }
  if (!account.owner.equals(payer.publicKey)) {
    throw new RefusedError(
      "NotSourceOwner",
      `${source.toBase58()} belongs to ${account.owner.toBase58()}, not the keypair ${payer.publicKey.toBase58()}`,
    );
  }
  if (account.amount < amount) {
    throw new RefusedError(
      "InsufficientBalance",
      `${source.toBase58()} holds ${exactAmountNumber(usdcAmount(account.amount))} USDC, less than ${exactAmountNumber(usdcAmount(amount))} USDC`,
    );
  }

  const nonce = await durableNonce(chain, flags, { address: payer.publicKey, keypair: payer });
  const signature = await signAndSend(chain, {
    what: "deposit",
    instructions: [
      await depositRevenueIx(program, accounts, { payer: payer.publicKey, source, amount }),
      depositMemoIx(key),
    ],
    signers: [payer],
    nonce,
    rerun,
    journal,
  });

  // The figures from the transaction's event; when the node has no transaction to give, the
  // program's split rule and the treasury's totals after it.
  const tx = await connection
    .getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 })
    .catch(() => null);
  const [event] = findTreasuryEvents(program, tx?.meta?.logMessages ?? [], "revenueDeposited");
  const split = event ? event.data : splitRevenue(amount);
  const totals = event
    ? event.data
    : await fetchTreasury(program, chain.commitment).catch(() => null);
  const streamSecs = event ? Number(event.data.streamEndTs - event.data.unixTimestamp) : undefined;
  const result = {
    signature,
    explorerUrl: explorerTxUrl(signature, cluster),
    key,
    source: source.toBase58(),
    amount: amount.toString(),
    toBuyback: split.toBuyback.toString(),
    toStakers: split.toStakers.toString(),
    totalRevenue: totals?.totalRevenue.toString() ?? null,
    buybackBucket: totals?.buybackBucket.toString() ?? null,
    figuresFrom: event ? "event" : "accounts",
  };
  print(options.output, result, () =>
    [
      `deposited ${usdc(amount)}: ${usdc(split.toBuyback)} to the buyback bucket, ${usdc(split.toStakers)} streamed to stakers` +
        (streamSecs !== undefined ? ` (over ${formatDuration(streamSecs)})` : ""),
      totals
        ? `total revenue ${usdc(totals.totalRevenue)}, buyback bucket ${usdc(totals.buybackBucket)}` +
          (event ? "" : " (read from the treasury: the node returned no transaction)")
        : "totals not read: the node returned neither the transaction nor the treasury",
      `key       ${key}`,
      `signature ${signature}`,
      `explorer  ${result.explorerUrl}`,
    ].join("\n"),
  );
  return 0;
}
