/**
 * `ashao deposit`: pays revenue in USDC from a keypair's token account into the treasury, which
 * splits it 50/50 between the buyback bucket and the stakers' stream.
 */
import { parseArgs } from "node:util";

import { getAccount } from "@solana/spl-token";

import {
  amountText,
  depositRevenueIx,
  exactAmountNumber,
  explorerTxUrl,
  fetchTreasuryOrThrow,
  findTreasuryEvents,
  formatDuration,
  ownerUsdcAddress,
  sendAndConfirm,
  treasuryAccounts,
  USDC_DECIMALS,
  usdcAmount,
} from "../../sdk/src";
import {
  CHAIN_FLAGS,
  CHAIN_USAGE,
  chainFrom,
  loadKeypair,
  parseAddress,
  parseAmount,
  print,
  RefusedError,
  refusalOf,
  UsageError,
} from "./common";

export const DEPOSIT_USAGE = `usage: ashao deposit --amount USDC --keypair FILE [--source TOKEN_ACCOUNT] [options]

  Pays --amount USDC of revenue from --source (default: the keypair's associated USDC account),
  signed and paid for by --keypair. The program splits it 50/50: half to the buyback bucket,
  half streamed to stakers over the stream period.

  --amount USDC      e.g. 1250.5 (at most 6 decimals)
  --keypair FILE     the payer's keypair (Solana CLI JSON), owner of the source account
  --source ADDRESS   another USDC token account the keypair owns
${CHAIN_USAGE}

  exit codes: 0 deposited, 1 failed, 2 refused (Paused, InsufficientBalance, a program error by name), 64 usage`;

export async function depositCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      ...CHAIN_FLAGS,
      amount: { type: "string" },
      keypair: { type: "string" },
      source: { type: "string" },
    },
  });
  if (values.help) {
    console.log(DEPOSIT_USAGE);
    return 0;
  }
  const amount = parseAmount("--amount", values.amount, USDC_DECIMALS);
  if (!values.keypair) throw new UsageError("--keypair is required (the payer signs the deposit)");
  const payer = loadKeypair(values.keypair);
  const { connection, program, cluster } = chainFrom(values);

  const state = await fetchTreasuryOrThrow(program, "confirmed");
  const accounts = treasuryAccounts(program.programId, state);
  if (state.paused) {
    throw new RefusedError("Paused", "the treasury is paused: deposits wait until it is unpaused");
  }
  const source = values.source
    ? parseAddress("--source", values.source)
    : ownerUsdcAddress(payer.publicKey, accounts);
  const account = await getAccount(connection, source, "confirmed").catch(() => null);
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

  let signature: string;
  try {
    signature = await sendAndConfirm(
      connection,
      [await depositRevenueIx(program, accounts, { payer: payer.publicKey, source, amount })],
      { keypairs: [payer] },
    );
  } catch (err) {
    throw refusalOf(err);
  }
  const tx = await connection.getTransaction(signature, {
    commitment: "confirmed",
    maxSupportedTransactionVersion: 0,
  });
  const [event] = findTreasuryEvents(program, tx?.meta?.logMessages ?? [], "revenueDeposited");
  if (!event) throw new Error(`transaction ${signature} carries no revenueDeposited event`);
  const d = event.data;
  const result = {
    signature,
    explorerUrl: explorerTxUrl(signature, cluster),
    source: source.toBase58(),
    amount: d.amount.toString(),
    toBuyback: d.toBuyback.toString(),
    toStakers: d.toStakers.toString(),
    totalRevenue: d.totalRevenue.toString(),
    buybackBucket: d.buybackBucket.toString(),
    streamRemaining: d.streamRemaining.toString(),
    streamEndsAt: new Date(Number(d.streamEndTs) * 1000).toISOString(),
  };
  const usdc = (raw: bigint) => amountText(usdcAmount(raw), "USDC");
  print(values.json ?? false, result, () =>
    [
      `deposited ${usdc(d.amount)}: ${usdc(d.toBuyback)} to the buyback bucket, ${usdc(d.toStakers)} streamed to stakers ` +
        `(over ${formatDuration(Number(d.streamEndTs - d.unixTimestamp))})`,
      `total revenue ${usdc(d.totalRevenue)}, buyback bucket ${usdc(d.buybackBucket)}`,
      `signature ${signature}`,
      `explorer  ${result.explorerUrl}`,
    ].join("\n"),
  );
  return 0;
}
