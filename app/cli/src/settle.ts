/**
 * `ashao settle --file usage.csv|json`: pays a file of usage (worker, base, gross rows) through
 * `settle_usage`, signed by a billing authority (-k) who pays the gross. The rows split into
 * batches of at most nine distinct workers, one transaction each, numbered from the file's first
 * batch id. That id is kept (per billing wallet and file contents) in
 * `$XDG_STATE_HOME/ashao/settlements`, so a rerun of an interrupted file numbers its batches the
 * same way and skips those the ledger already holds: no batch is paid twice. `--dry-run` prints
 * each worker's boost and the totals without signing.
 */
import { createHash } from "crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "fs";
import { homedir } from "os";
import { extname, join } from "path";

import { createAssociatedTokenAccountIdempotentInstruction, getAccount } from "@solana/spl-token";
import { ComputeBudgetProgram, type Keypair, type PublicKey } from "@solana/web3.js";

import {
  amountText,
  bpsText,
  batchIdStatus,
  explorerTxUrl,
  fetchChainTime,
  fetchUsageLedger,
  findTreasuryEvents,
  ownerUsdcAddress,
  planBatch,
  parseUsageFile,
  settleUsageIx,
  type SettlementTotals,
  splitUsageRows,
  type StakePositionState,
  stakePositionPda,
  toStakePositionState,
  treasuryAccounts,
  type TreasuryAccounts,
  type TreasuryProgram,
  UsageFileError,
  usdcAmount,
  nextBatchId,
  type PlannedPayment,
  type UsageBatch,
} from "../../sdk/src";
import { type Chain, chainFrom, signer, treasuryOf } from "./chain";
import { RefusedError, UsageError } from "./errors";
import type { GlobalOptions } from "./options";
import { count, print } from "./output";
import { parseAddress } from "./parse";
import { signAndSend } from "./send";
import { table } from "./table";

export interface SettleFlags {
  file?: string;
  format?: string;
  firstBatchId?: string;
  source?: string;
  dryRun?: boolean;
}

/** Compute units one settlement may use: nine token transfers, two more and the checks. */
const SETTLE_COMPUTE_UNITS = 400_000;

const usdc = (raw: bigint) => amountText(usdcAmount(raw), "USDC");

/** Where a file's first batch id is kept: one entry per billing wallet and file contents. */
function firstIdFile(billing: PublicKey, contents: string, env: NodeJS.ProcessEnv): string {
  const dir = join(env.XDG_STATE_HOME || join(homedir(), ".local/state"), "ashao/settlements");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const hash = createHash("sha256").update(`${billing.toBase58()}\n${contents}`).digest("hex");
  return join(dir, `${hash.slice(0, 32)}.json`);
}

function readFirstId(file: string): bigint | undefined {
  try {
    return BigInt(
      (JSON.parse(readFileSync(file, "utf8")) as { firstBatchId: string }).firstBatchId,
    );
  } catch {
    return undefined;
  }
}

function writeFirstId(file: string, firstBatchId: bigint): void {
  writeFileSync(`${file}.partial`, JSON.stringify({ firstBatchId: firstBatchId.toString() }), {
    mode: 0o600,
  });
  renameSync(`${file}.partial`, file);
}

/** The positions of every worker named, by wallet (`null`: none). */
async function positionsOf(
  program: TreasuryProgram,
  chain: Chain,
  workers: readonly PublicKey[],
): Promise<Map<string, StakePositionState | null>> {
  const positions = new Map<string, StakePositionState | null>();
  const unique = [...new Map(workers.map((w) => [w.toBase58(), w])).values()];
  for (let i = 0; i < unique.length; i += 100) {
    const chunk = unique.slice(i, i + 100);
    const addresses = chunk.map((w) => stakePositionPda(w, program.programId).address);
    const raw = await program.account.stakePosition.fetchMultiple(addresses, chain.commitment);
    chunk.forEach((w, j) => {
      const r = raw[j];
      positions.set(w.toBase58(), r ? toStakePositionState(addresses[j], r) : null);
    });
  }
  return positions;
}

interface WorkerLine {
  worker: string;
  base: string;
  boostBps: number;
  boost: string;
  paid: string;
}

interface BatchReport {
  index: number;
  batchId: string;
  status: "settled" | "alreadySettled" | "planned";
  signature: string | null;
  explorerUrl: string | null;
  gross: string;
  basePaid: string | null;
  boostPaid: string | null;
  revenue: string | null;
  workers: WorkerLine[];
}

const lineOf = (
  p: Pick<PlannedPayment, "base" | "boostBps" | "boost" | "paid">,
  worker: string,
) => ({
  worker,
  base: p.base.toString(),
  boostBps: p.boostBps,
  boost: p.boost.toString(),
  paid: p.paid.toString(),
});

function batchReport(
  batch: UsageBatch,
  batchId: bigint,
  status: BatchReport["status"],
  figures: { totals: SettlementTotals; workers: WorkerLine[] } | null,
  signature: string | null,
  cluster: Chain["cluster"],
): BatchReport {
  return {
    index: batch.index,
    batchId: batchId.toString(),
    status,
    signature,
    explorerUrl: signature ? explorerTxUrl(signature, cluster) : null,
    gross: batch.gross.toString(),
    basePaid: figures?.totals.base.toString() ?? null,
    boostPaid: figures?.totals.boostPaid.toString() ?? null,
    revenue: figures?.totals.revenue.toString() ?? null,
    workers: figures?.workers ?? [],
  };
}

/** Workers' USDC accounts to create per transaction (the billing wallet pays their rent). */
const ACCOUNTS_PER_CREATE = 8;

/** Creates the associated USDC account of every worker who has none yet. */
async function createMissingUsdcAccounts(
  chain: Chain,
  billing: Keypair,
  accounts: TreasuryAccounts,
  batches: readonly UsageBatch[],
): Promise<void> {
  const owners = [
    ...new Map(batches.flatMap((b) => b.rows).map((r) => [r.worker.toBase58(), r.worker])).values(),
  ];
  const missing: PublicKey[] = [];
  for (let i = 0; i < owners.length; i += 100) {
    const chunk = owners.slice(i, i + 100);
    const infos = await chain.connection.getMultipleAccountsInfo(
      chunk.map((o) => ownerUsdcAddress(o, accounts)),
      chain.commitment,
    );
    chunk.forEach((o, j) => infos[j] === null && missing.push(o));
  }
  for (let i = 0; i < missing.length; i += ACCOUNTS_PER_CREATE) {
    const chunk = missing.slice(i, i + ACCOUNTS_PER_CREATE);
    await signAndSend(chain, {
      what: `${count(chunk.length, "worker USDC account")} (created)`,
      instructions: chunk.map((owner) =>
        createAssociatedTokenAccountIdempotentInstruction(
          billing.publicKey,
          ownerUsdcAddress(owner, accounts),
          owner,
          accounts.usdcMint,
        ),
      ),
      signers: [billing],
      rerun: "Run the same command again: the accounts are created once.",
    });
  }
}

function formatOf(file: string, flag: string | undefined): "csv" | "json" {
  const format = flag ?? extname(file).slice(1).toLowerCase();
  if (format !== "csv" && format !== "json") {
    throw new UsageError(`--format must be csv or json (the file's extension is ${extname(file)})`);
  }
  return format;
}

export async function settleCommand(
  flags: SettleFlags,
  options: GlobalOptions,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  if (!flags.file) throw new UsageError("--file is required");
  const format = formatOf(flags.file, flags.format);
  let contents: string;
  try {
    contents = readFileSync(flags.file, "utf8");
  } catch (err) {
    throw new UsageError(
      `--file: cannot read ${flags.file} (${(err as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  let batches: UsageBatch[];
  try {
    batches = splitUsageRows(parseUsageFile(contents, format));
  } catch (err) {
    if (err instanceof UsageFileError) throw new UsageError(`${flags.file}: ${err.message}`);
    throw err;
  }
  if (batches.length === 0) throw new UsageError(`${flags.file} holds no rows`);

  const chain = await chainFrom(options, env);
  const billing = signer(chain);
  const { program, connection, cluster } = chain;
  const state = await treasuryOf(chain);
  const accounts = treasuryAccounts(program.programId, state);
  if (!state.billingAuthorities.some((b) => b.equals(billing.publicKey))) {
    throw new RefusedError(
      "BillingNotAllowed",
      `${billing.publicKey.toBase58()} is not a billing authority of the treasury; only they settle usage`,
    );
  }
  if (state.paused && !flags.dryRun) {
    throw new RefusedError(
      "Paused",
      "the treasury is paused: settlements wait until it is unpaused",
    );
  }

  // The file's first id: the flag, else the one a run of this file kept, else the ledger's next.
  const ledger = await fetchUsageLedger(program, billing.publicKey, chain.commitment);
  const idFile = firstIdFile(billing.publicKey, contents, env);
  const kept = readFirstId(idFile);
  const firstBatchId =
    flags.firstBatchId !== undefined
      ? BigInt(parseFirstId(flags.firstBatchId))
      : (kept ?? nextBatchId(ledger));
  const idOf = (batch: UsageBatch) => firstBatchId + BigInt(batch.index);
  const tooOld = batches.find((b) => batchIdStatus(ledger, idOf(b)) === "tooOld");
  if (tooOld) {
    throw new RefusedError(
      "BatchIdTooOld",
      `batch id ${idOf(tooOld)} is older than the ledger remembers: whether it settled cannot be told; give --first-batch-id past ${ledger?.lastBatchId ?? 0n} only if this file never settled`,
    );
  }
  const pending = batches.filter((b) => batchIdStatus(ledger, idOf(b)) !== "settled");
  const now = await fetchChainTime(connection);
  const positions = await positionsOf(
    program,
    chain,
    pending.flatMap((b) => b.rows.map((r) => r.worker)),
  );
  const plans = new Map(pending.map((b) => [b.index, planBatch(state, positions, b, now)]));
  const grossDue = pending.reduce((sum, b) => sum + b.gross, 0n);
  const reports: BatchReport[] = [];

  if (flags.dryRun) {
    for (const batch of batches) {
      const plan = plans.get(batch.index);
      reports.push(
        batchReport(
          batch,
          idOf(batch),
          plan ? "planned" : "alreadySettled",
          plan
            ? {
                totals: plan.totals,
                workers: plan.payments.map((p) => lineOf(p, p.worker.toBase58())),
              }
            : null,
          null,
          cluster,
        ),
      );
    }
  } else {
    const source = flags.source
      ? parseAddress("--source", flags.source)
      : ownerUsdcAddress(billing.publicKey, accounts);
    const account = await getAccount(connection, source, chain.commitment).catch(() => null);
    if (!account || !account.mint.equals(state.usdcMint)) {
      throw new RefusedError("NoSourceAccount", `${source.toBase58()} is not a USDC token account`);
    }
    if (account.amount < grossDue) {
      throw new RefusedError(
        "InsufficientBalance",
        `${source.toBase58()} holds ${usdc(account.amount)}, less than the ${usdc(grossDue)} the file's unsettled batches need`,
      );
    }
    if (kept === undefined) writeFirstId(idFile, firstBatchId);
    await createMissingUsdcAccounts(chain, billing, accounts, pending);
    let done = 0;
    for (const batch of batches) {
      const batchId = idOf(batch);
      if (!plans.has(batch.index)) {
        reports.push(batchReport(batch, batchId, "alreadySettled", null, null, cluster));
        console.error(
          `batch ${batch.index + 1}/${batches.length} (id ${batchId}): settled earlier, skipped`,
        );
        continue;
      }
      const signature = await signAndSend(chain, {
        what: `settle_usage batch ${batchId}`,
        instructions: [
          ComputeBudgetProgram.setComputeUnitLimit({ units: SETTLE_COMPUTE_UNITS }),
          await settleUsageIx(program, accounts, {
            billing: billing.publicKey,
            source,
            batchId,
            gross: batch.gross,
            workers: batch.rows.map((r) => ({ worker: r.worker, base: r.base })),
          }),
        ],
        signers: [billing],
        rerun:
          "Run the same command again: batches the ledger holds are skipped, none is paid twice.",
      });
      const tx = await connection
        .getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 })
        .catch(() => null);
      const logs = tx?.meta?.logMessages ?? [];
      const paid = findTreasuryEvents(program, logs, "workerPaid");
      const [settled] = findTreasuryEvents(program, logs, "usageSettled");
      // The figures from the events; the preview's when the node returns no transaction.
      const plan = plans.get(batch.index)!;
      const figures = settled
        ? {
            totals: {
              gross: settled.data.gross,
              base: settled.data.basePaid,
              boostPaid: settled.data.boostPaid,
              paidToWorkers: settled.data.paidToWorkers,
              revenue: settled.data.revenue,
              boostCapped: settled.data.boostCapped,
            },
            workers: paid.map((e) => lineOf(e.data, e.data.worker.toBase58())),
          }
        : {
            totals: plan.totals,
            workers: plan.payments.map((p) => lineOf(p, p.worker.toBase58())),
          };
      reports.push(batchReport(batch, batchId, "settled", figures, signature, cluster));
      done += batch.rows.length;
      console.error(
        `batch ${batch.index + 1}/${batches.length} (id ${batchId}): ${count(batch.rows.length, "worker")}, ${usdc(batch.gross)}, boosts ${usdc(figures.totals.boostPaid)}; ${done} rows paid this run`,
      );
    }
  }

  const sum = (pick: (r: BatchReport) => string | null) =>
    reports.reduce((total, r) => total + BigInt(pick(r) ?? "0"), 0n);
  const result = {
    billing: billing.publicKey.toBase58(),
    dryRun: Boolean(flags.dryRun),
    firstBatchId: firstBatchId.toString(),
    batches: reports,
    totals: {
      rows: batches.reduce((n, b) => n + b.rows.length, 0),
      batches: batches.length,
      alreadySettled: reports.filter((r) => r.status === "alreadySettled").length,
      gross: sum((r) => (r.status === "alreadySettled" ? null : r.gross)),
      basePaid: sum((r) => r.basePaid),
      boostPaid: sum((r) => r.boostPaid),
      revenue: sum((r) => r.revenue),
    },
  };
  const json = {
    ...result,
    totals: {
      ...result.totals,
      gross: result.totals.gross.toString(),
      basePaid: result.totals.basePaid.toString(),
      boostPaid: result.totals.boostPaid.toString(),
      revenue: result.totals.revenue.toString(),
    },
  };
  print(options.output, json, () => {
    const t = result.totals;
    const rows = [["batch", "worker", "base", "boost", "paid"]];
    for (const r of reports) {
      for (const w of r.workers) {
        rows.push([
          r.batchId,
          w.worker,
          usdc(BigInt(w.base)),
          `${usdc(BigInt(w.boost))} (${bpsText(w.boostBps)})`,
          usdc(BigInt(w.paid)),
        ]);
      }
    }
    return [
      `${flags.dryRun ? "would settle" : "settled"} ${count(t.batches - t.alreadySettled, "batch", "batches")} from id ${firstBatchId}` +
        (t.alreadySettled > 0 ? ` (${t.alreadySettled} settled earlier, skipped)` : ""),
      `gross ${usdc(t.gross)}: workers ${usdc(t.basePaid + t.boostPaid)} (boosts ${usdc(t.boostPaid)}), treasury ${usdc(t.revenue)}`,
      table(rows),
    ].join("\n");
  });
  return 0;
}

function parseFirstId(text: string): bigint {
  if (!/^\d{1,20}$/.test(text) || BigInt(text) > (1n << 64n) - 1n) {
    throw new UsageError(`--first-batch-id must be a whole number from 0 to 2^64-1 (got ${text})`);
  }
  return BigInt(text);
}
