/**
 * `ashao admin`: every action of the treasury's authority (and of the pending authority, and
 * the permissionless apply of a queued change). Each either signs with a keypair and sends, or
 * prints the unsigned transaction in base58 and base64 for a multisig (Squads) proposal after
 * simulating it. Checks the program would make are made first and refused by the program's
 * error name, with the time left where a timelock is the reason.
 */
import { utils } from "@anchor-lang/core";
import {
  type PublicKey,
  PublicKey as Key,
  type TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";

import {
  acceptAuthorityIx,
  applyConfigChangeIx,
  ASHAO_DECIMALS,
  cancelConfigChangeIx,
  type ConfigChange,
  countdownText,
  explorerInspectorUrl,
  explorerTxUrl,
  feedIdFromHex,
  fetchChainTime,
  findTreasuryEvents,
  PARAM_LABELS,
  PARAM_NAMES,
  paramDifferences,
  type ParamDifference,
  paramsFromJson,
  paramsToJson,
  ParamsFormatError,
  paramText,
  type PriceGuard,
  proposeAuthorityIx,
  queueConfigChangeIx,
  setPausedIx,
  TIMELOCK_GRACE_SECS,
  timeText,
  toTreasuryError,
  treasuryParamsOf,
  type TreasuryProgram,
  type TreasuryState,
  updateConfigIx,
  USDC_DECIMALS,
} from "../../sdk/src";
import { type AdminAction, CHANGE_ACTIONS, type ChangeValues } from "./admin-flags";
import { type Chain, chainFrom, signer as signingKeypair, treasuryOf } from "./chain";
import { RefusedError, UsageError } from "./errors";
import { type DurableNonce, durableNonce, type NonceFlags } from "./nonce";
import type { GlobalOptions } from "./options";
import { print } from "./output";
import { parseAddress, parseAmount, parseDuration, parseInteger } from "./parse";
import { signAndSend } from "./send";
import { table } from "./table";

type Role = "authority" | "pendingAuthority" | "anyone";

interface ActionSpec {
  role: Role;
  /** The program's instruction, for the output. */
  instruction: string;
}

const ACTIONS: Record<AdminAction, ActionSpec> = {
  "update-config": { role: "authority", instruction: "update_config" },
  "queue-change": { role: "authority", instruction: "queue_config_change" },
  "apply-change": { role: "anyone", instruction: "apply_config_change" },
  "cancel-change": { role: "authority", instruction: "cancel_config_change" },
  "propose-authority": { role: "authority", instruction: "propose_authority" },
  "cancel-authority": { role: "authority", instruction: "propose_authority" },
  "accept-authority": { role: "pendingAuthority", instruction: "accept_authority" },
  pause: { role: "authority", instruction: "set_paused" },
  unpause: { role: "authority", instruction: "set_paused" },
};

const orDefault = (text: string) => (text === "none" ? Key.default : parseAddress("address", text));

function priceGuardFlag(text: string): PriceGuard {
  if (text === "none") return { kind: "none" };
  const parts = text.split(":");
  if (parts.length !== 4 || parts[0] !== "pyth") {
    throw new UsageError(
      `--price-guard takes none or pyth:FEED_ID_HEX:MAX_AGE:MAX_CONFIDENCE_BPS (got ${text})`,
    );
  }
  let feedId: Buffer;
  try {
    feedId = feedIdFromHex(parts[1]);
  } catch {
    throw new UsageError(`--price-guard: the feed id must be 32 bytes of hex (got ${parts[1]})`);
  }
  return {
    kind: "pythPull",
    feedId,
    maxAgeSecs: parseDuration("--price-guard's max age", parts[2]),
    maxConfidenceBps: parseInteger("--price-guard's max confidence", parts[3], 0, 0xffff),
  };
}

/** The change the flags describe, on top of the treasury's parameters now. */
export function changeFromFlags(values: ChangeValues, state: TreasuryState): ConfigChange {
  const change: ConfigChange = {};
  if (values["change-json"] !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(values["change-json"]);
    } catch {
      throw new UsageError("--change-json is not JSON");
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      throw new UsageError("--change-json must be an object of parameters");
    }
    const unknownKey = Object.keys(json).find((k) => !(PARAM_NAMES as string[]).includes(k));
    if (unknownKey) throw new UsageError(`--change-json: unknown parameter ${unknownKey}`);
    try {
      // Read in the strict policy format, each field checked as the params file's are.
      const full = paramsFromJson({ ...paramsToJson(treasuryParamsOf(state)), ...json });
      for (const key of Object.keys(json) as (keyof ConfigChange)[]) {
        (change as Record<string, unknown>)[key] = full[key];
      }
    } catch (err) {
      if (err instanceof ParamsFormatError) throw new UsageError(`--change-json: ${err.message}`);
      throw err;
    }
  }
  const duration = (flag: keyof ChangeValues) => parseDuration(`--${flag}`, values[flag] as string);
  if (values["stream-period"] !== undefined) change.streamPeriodSecs = duration("stream-period");
  if (values["unstake-cooldown"] !== undefined) {
    change.unstakeCooldownSecs = duration("unstake-cooldown");
  }
  if (values["min-buyback-interval"] !== undefined) {
    change.minBuybackIntervalSecs = duration("min-buyback-interval");
  }
  if (values.timelock !== undefined) change.timelockSecs = duration("timelock");
  if (values["max-buyback-usdc"] !== undefined) {
    change.maxBuybackUsdc = parseAmount(
      "--max-buyback-usdc",
      values["max-buyback-usdc"],
      USDC_DECIMALS,
      "USDC",
    );
  }
  if (values["max-slippage-bps"] !== undefined) {
    change.maxSlippageBps = parseInteger(
      "--max-slippage-bps",
      values["max-slippage-bps"],
      0,
      0xffff,
    );
  }
  if (values["swap-program"] !== undefined) change.swapProgram = orDefault(values["swap-program"]);
  if (values["price-guard"] !== undefined)
    change.priceGuard = priceGuardFlag(values["price-guard"]);
  if (values["boost-tiers"] !== undefined) {
    const text = values["boost-tiers"];
    change.boostTiers =
      text === "none"
        ? []
        : text.split(",").map((tier) => {
            const [min, bps, extra] = tier.split(":");
            if (bps === undefined || extra !== undefined) {
              throw new UsageError(
                `--boost-tiers takes MIN:BPS pairs such as 1000:500 (got ${tier})`,
              );
            }
            return {
              minStake: parseAmount("--boost-tiers' minimum stake", min, ASHAO_DECIMALS, "$ASHAO"),
              boostBps: parseInteger("--boost-tiers' boost", bps, 0, 0xffff),
            };
          });
  }
  const adds = values["add-crank"] ?? [];
  const removes = values["remove-crank"] ?? [];
  if (values.cranks !== undefined) {
    if (adds.length + removes.length > 0) {
      throw new UsageError(
        "--cranks sets the whole list: use it without --add-crank and --remove-crank",
      );
    }
    change.cranks =
      values.cranks === "none"
        ? []
        : values.cranks.split(",").map((c) => parseAddress("--cranks", c));
  } else if (adds.length + removes.length > 0) {
    const gone = removes.map((c) => parseAddress("--remove-crank", c).toBase58());
    const missing = gone.find((c) => !state.cranks.some((k) => k.toBase58() === c));
    if (missing) throw new UsageError(`--remove-crank ${missing} is not a crank`);
    change.cranks = [
      ...state.cranks.filter((k) => !gone.includes(k.toBase58())),
      ...adds.map((c) => parseAddress("--add-crank", c)),
    ];
  }
  return change;
}

/** A check the program would make, failed: refused (signing) or reported (printing). */
function check(ok: boolean, name: string, message: string): RefusedError | undefined {
  return ok ? undefined : new RefusedError(name, message);
}

function checks(
  action: AdminAction,
  state: TreasuryState,
  signer: PublicKey,
  now: number,
  newAuthority: PublicKey | undefined,
): RefusedError | undefined {
  const role = ACTIONS[action].role;
  const queued = state.queuedChange;
  const when = (unix: number) =>
    `${countdownText(unix, now)} (${timeText(new Date(unix * 1000).toISOString())})`;
  return (
    (role === "authority"
      ? check(
          signer.equals(state.authority),
          "Unauthorized",
          `${signer.toBase58()} is not the treasury's authority ${state.authority.toBase58()}`,
        )
      : undefined) ??
    (action === "queue-change"
      ? check(
          queued === null || now > Number(queued.eta) + TIMELOCK_GRACE_SECS,
          "ConfigChangeAlreadyQueued",
          `a change is already queued (eta ${queued ? timeText(new Date(Number(queued.eta) * 1000).toISOString()) : ""}); apply or cancel it first`,
        )
      : undefined) ??
    (action === "apply-change" || action === "cancel-change"
      ? check(queued !== null, "NoQueuedConfigChange", "no config change is queued")
      : undefined) ??
    (action === "apply-change" && queued
      ? (check(
          now >= Number(queued.eta),
          "TimelockNotElapsed",
          `the queued change applies ${when(Number(queued.eta))}`,
        ) ??
        check(
          now <= Number(queued.eta) + TIMELOCK_GRACE_SECS,
          "ConfigChangeExpired",
          `the queued change expired ${timeText(new Date((Number(queued.eta) + TIMELOCK_GRACE_SECS) * 1000).toISOString())}; queue it again (that replaces it)`,
        ))
      : undefined) ??
    (action === "propose-authority" && newAuthority
      ? check(
          !newAuthority.equals(state.authority),
          "InvalidNewAuthority",
          "that address is already the authority",
        )
      : undefined) ??
    (action === "cancel-authority" || action === "accept-authority"
      ? check(
          state.pendingAuthority !== null,
          "NoPendingAuthority",
          "no authority transfer is pending",
        )
      : undefined) ??
    (action === "accept-authority" && state.pendingAuthority
      ? (check(
          signer.equals(state.pendingAuthority),
          "NotPendingAuthority",
          `${signer.toBase58()} is not the pending authority ${state.pendingAuthority.toBase58()}`,
        ) ??
        check(
          now >= Number(state.pendingAuthorityEta),
          "TimelockNotElapsed",
          `the pending authority may accept ${when(Number(state.pendingAuthorityEta))}`,
        ) ??
        check(
          now <= Number(state.pendingAuthorityEta) + TIMELOCK_GRACE_SECS,
          "AuthorityProposalExpired",
          `the proposal expired ${timeText(new Date((Number(state.pendingAuthorityEta) + TIMELOCK_GRACE_SECS) * 1000).toISOString())}; the authority must propose again`,
        ))
      : undefined)
  );
}

async function instructionFor(
  action: AdminAction,
  program: TreasuryProgram,
  state: TreasuryState,
  signer: PublicKey,
  change: ConfigChange,
  newAuthority: PublicKey | undefined,
): Promise<TransactionInstruction> {
  const accounts = { config: state.address };
  switch (action) {
    case "update-config":
      return updateConfigIx(program, accounts, { authority: signer, change });
    case "queue-change":
      return queueConfigChangeIx(program, accounts, { authority: signer, change });
    case "apply-change":
      return applyConfigChangeIx(program, accounts, { caller: signer });
    case "cancel-change":
      return cancelConfigChangeIx(program, accounts, { authority: signer });
    case "propose-authority":
      return proposeAuthorityIx(program, accounts, {
        authority: signer,
        newAuthority: newAuthority!,
      });
    case "cancel-authority":
      return proposeAuthorityIx(program, accounts, {
        authority: signer,
        newAuthority: Key.default,
      });
    case "accept-authority":
      return acceptAuthorityIx(program, accounts, { newAuthority: signer });
    default:
      return setPausedIx(program, accounts, { authority: signer, paused: action === "pause" });
  }
}

const differenceRows = (differences: ParamDifference[]) =>
  table(
    [
      ["parameter", "now", "after"],
      ...differences.map((d) => [
        PARAM_LABELS[d.field],
        paramText(d.field, d.current as never),
        paramText(d.field, d.other as never),
      ]),
    ],
    4,
  );

/** An unsigned transaction for a multisig: legacy wire format, the signature slots zeroed. */
async function unsignedTransaction(
  chain: Chain,
  instruction: TransactionInstruction,
  feePayer: PublicKey,
  nonce: DurableNonce | undefined,
) {
  const { connection } = chain;
  const blockhash = nonce
    ? nonce.lifetime.nonce
    : (await connection.getLatestBlockhash(chain.commitment)).blockhash;
  const message = new TransactionMessage({
    payerKey: feePayer,
    recentBlockhash: blockhash,
    instructions: nonce ? [nonce.advance, instruction] : [instruction],
  }).compileToLegacyMessage();
  const tx = new VersionedTransaction(message);
  const simulation = await connection.simulateTransaction(tx, {
    sigVerify: false,
    replaceRecentBlockhash: true,
    commitment: chain.commitment,
  });
  const failure = simulation.value.err
    ? toTreasuryError(
        Object.assign(new Error(JSON.stringify(simulation.value.err)), {
          logs: simulation.value.logs ?? [],
        }),
      )
    : null;
  const wire = Buffer.from(tx.serialize());
  return {
    blockhash,
    base58: utils.bytes.bs58.encode(wire),
    base64: wire.toString("base64"),
    messageBase64: Buffer.from(message.serialize()).toString("base64"),
    simulation: failure
      ? { ok: false as const, error: failure.name, message: failure.message }
      : { ok: true as const },
  };
}

/** What happened, from the transaction's events (none when the node has no transaction). */
async function outcome(
  chain: Chain,
  signature: string,
): Promise<{ eta?: number; acceptAfter?: number }> {
  const { connection, program } = chain;
  const tx = await connection
    .getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 })
    .catch(() => null);
  const logs = tx?.meta?.logMessages ?? [];
  const [queued] = findTreasuryEvents(program, logs, "configChangeQueued");
  const [proposed] = findTreasuryEvents(program, logs, "authorityProposed");
  return {
    eta: queued ? Number(queued.data.eta) : undefined,
    acceptAfter: proposed ? Number(proposed.data.acceptAfter) : undefined,
  };
}

function summary(
  action: AdminAction,
  differences: ParamDifference[],
  newAuthority?: PublicKey,
): string {
  switch (action) {
    case "update-config":
      return `change at once\n${differenceRows(differences)}`;
    case "queue-change":
      return `queue a change\n${differenceRows(differences)}`;
    case "apply-change":
      return "apply the queued change";
    case "cancel-change":
      return "cancel the queued change";
    case "propose-authority":
      return `propose ${newAuthority!.toBase58()} as the treasury's authority`;
    case "cancel-authority":
      return "cancel the pending authority transfer";
    case "accept-authority":
      return "accept the treasury's authority";
    default:
      return action === "pause" ? "pause the treasury" : "unpause the treasury";
  }
}

export interface AdminFlags extends NonceFlags {
  print?: boolean;
  signer?: string;
  feePayer?: string;
}

export async function adminCommand(
  action: AdminAction,
  address: string | undefined,
  change: ChangeValues,
  flags: AdminFlags,
  options: GlobalOptions,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const spec = ACTIONS[action];
  const newAuthority =
    action === "propose-authority"
      ? parseAddress("propose-authority's ADDRESS", address)
      : undefined;
  const takesChange = CHANGE_ACTIONS.includes(action);
  const changeGiven = Object.values(change).some((v) => v !== undefined);
  if (takesChange && !changeGiven) throw new UsageError(`${action} needs at least one change flag`);
  if (flags.print && options.keypair) {
    throw new UsageError("--print prints an unsigned transaction: name its signer with --signer");
  }
  if (!flags.print && (flags.signer || flags.feePayer)) {
    throw new UsageError("--signer and --fee-payer go with --print; without it -k signs and pays");
  }
  const chain = await chainFrom(options, env);
  const keypair = flags.print ? undefined : signingKeypair(chain);
  const { connection, cluster } = chain;
  const json = options.output;

  const [state, now] = await Promise.all([
    treasuryOf(chain),
    fetchChainTime(connection).then(Number),
  ]);
  const configChange = takesChange ? changeFromFlags(change, state) : {};
  const differences = paramDifferences(treasuryParamsOf(state), configChange);
  const noChange =
    takesChange && differences.length === 0
      ? new RefusedError("NoConfigChange", "the change leaves every parameter as it is")
      : undefined;
  const signer =
    keypair?.publicKey ??
    (flags.signer
      ? parseAddress("--signer", flags.signer)
      : spec.role === "pendingAuthority"
        ? (state.pendingAuthority ?? state.authority)
        : state.authority);
  const refusal = noChange ?? checks(action, state, signer, now, newAuthority);
  const instruction = await instructionFor(
    action,
    chain.program,
    state,
    signer,
    configChange,
    newAuthority,
  );
  const changes = differences.map((d) => ({ field: d.field, current: d.current, after: d.other }));

  if (flags.print) {
    const feePayer = flags.feePayer ? parseAddress("--fee-payer", flags.feePayer) : signer;
    const nonce = await durableNonce(chain, flags, { address: signer });
    const unsigned = await unsignedTransaction(chain, instruction, feePayer, nonce);
    const problem = refusal
      ? { error: refusal.errorName, message: refusal.message }
      : unsigned.simulation.ok
        ? null
        : { error: unsigned.simulation.error, message: unsigned.simulation.message };
    const inspectorUrl = explorerInspectorUrl(unsigned.messageBase64, cluster);
    const signers = [
      ...new Set([
        feePayer.toBase58(),
        signer.toBase58(),
        ...(nonce ? [nonce.authority.toBase58()] : []),
      ]),
    ];
    print(
      json,
      {
        action,
        instruction: spec.instruction,
        signer: signer.toBase58(),
        feePayer: feePayer.toBase58(),
        signers,
        changes,
        recentBlockhash: unsigned.blockhash,
        nonce: nonce
          ? {
              account: nonce.lifetime.nonceAccount.toBase58(),
              authority: nonce.authority.toBase58(),
            }
          : null,
        base58: unsigned.base58,
        base64: unsigned.base64,
        messageBase64: unsigned.messageBase64,
        simulation: unsigned.simulation,
        wouldBeRefused: problem,
        inspectorUrl,
      },
      () =>
        [
          `unsigned ${spec.instruction}: ${summary(action, differences, newAuthority)}`,
          `  signers ${signers.join(", ")}; fee payer ${feePayer.toBase58()}`,
          nonce
            ? `  durable nonce ${nonce.lifetime.nonceAccount.toBase58()} (authority ${nonce.authority.toBase58()}): valid until the nonce advances`
            : `  blockhash ${unsigned.blockhash}: valid for about a minute (--nonce ACCOUNT keeps it valid until signed)`,
          problem
            ? `  would be refused if executed now: ${problem.error}: ${problem.message}`
            : "  simulated now: accepted",
          "base58:",
          unsigned.base58,
          "base64:",
          unsigned.base64,
          `inspect: ${inspectorUrl}`,
        ].join("\n"),
    );
    return problem ? 4 : 0;
  }

  if (refusal) throw refusal;
  const nonce = await durableNonce(chain, flags, { address: keypair!.publicKey, keypair });
  const signature = await signAndSend(chain, {
    what: spec.instruction,
    instructions: [instruction],
    signers: [keypair!],
    nonce,
    rerun:
      "Look the signature up (ashao status shows the treasury as it is) before running it again.",
  });
  const result = await outcome(chain, signature);
  const at = (unix: number) =>
    `${timeText(new Date(unix * 1000).toISOString())} (${countdownText(unix, now)})`;
  print(
    json,
    {
      action,
      instruction: spec.instruction,
      signer: signer.toBase58(),
      signature,
      explorerUrl: explorerTxUrl(signature, cluster),
      changes,
      ...(result.eta !== undefined
        ? {
            eta: new Date(result.eta * 1000).toISOString(),
            expiresAt: new Date((result.eta + TIMELOCK_GRACE_SECS) * 1000).toISOString(),
          }
        : {}),
      ...(result.acceptAfter !== undefined && result.acceptAfter > 0
        ? { acceptAfter: new Date(result.acceptAfter * 1000).toISOString() }
        : {}),
    },
    () =>
      [
        `sent ${spec.instruction}: ${summary(action, differences, newAuthority)}`,
        ...(result.eta !== undefined
          ? [
              `anyone may apply it from ${at(result.eta)} until ${timeText(new Date((result.eta + TIMELOCK_GRACE_SECS) * 1000).toISOString())}`,
            ]
          : []),
        ...(result.acceptAfter
          ? [`the new authority may accept from ${at(result.acceptAfter)}`]
          : []),
        `signature ${signature}`,
        `explorer  ${explorerTxUrl(signature, cluster)}`,
      ].join("\n"),
  );
  return 0;
}
