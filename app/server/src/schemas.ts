/**
 * The API's JSON schemas: each route's inputs (validated by fastify, each failing field
 * answered with a named 400) and answers, and from them the OpenAPI 3.1 document served at
 * `/api/openapi.json` (@fastify/swagger). Shared shapes are registered once by `$id` and
 * appear under `components.schemas`. Answers are written with `JSON.stringify`; the tests check
 * real answers against these schemas, which refuse properties they do not name.
 */
import { MAX_PAGE_LIMIT } from "./params";

export type Schema = Record<string, unknown>;

const describe = (schema: Schema, description?: string): Schema =>
  description ? { ...schema, description } : schema;
export const str = (description?: string) => describe({ type: "string" }, description);
const int = (description?: string) => describe({ type: "integer" }, description);
const num = (description?: string) => describe({ type: "number" }, description);
const bool = (description?: string) => describe({ type: "boolean" }, description);
const arr = (items: Schema, description?: string) =>
  describe({ type: "array", items }, description);
const nullable = (schema: Schema, description?: string) =>
  describe({ anyOf: [schema, { type: "null" }] }, description);
const ref = (id: string, description?: string) => describe({ $ref: `${id}#` }, description);

/** An object whose every property is present and nothing else. */
export const obj = (properties: Record<string, Schema>, description?: string): Schema =>
  describe(
    {
      type: "object",
      required: Object.keys(properties),
      additionalProperties: false,
      properties,
    },
    description,
  );

const BASE58 = "^[1-9A-HJ-NP-Za-km-z]{32,44}$";
const address = (description?: string) =>
  describe({ type: "string", pattern: BASE58 }, description);
const iso = (description?: string) =>
  describe({ type: "string", format: "date-time" }, description);
const signature = () => str("transaction signature (base58)");

// --------------------------------------------------------------------------- shared shapes

const VAULT_SOLVENCY = {
  vault: address(),
  holds: ref("Amount"),
  owes: ref("Amount"),
  surplus: ref("Amount", "USDC sent by plain transfer and not yet synced"),
  solvent: bool(),
};

export const SHARED_SCHEMAS: Schema[] = [
  {
    $id: "Amount",
    ...obj(
      {
        raw: describe({ type: "string", pattern: "^-?\\d+$" }, "exact amount in base units"),
        ui: num("the amount as a number (for display; may round)"),
        decimals: int("the token's decimals: raw / 10^decimals is the amount"),
      },
      "An amount: exact base units as a decimal string, with a number beside it",
    ),
  },
  {
    $id: "ChainTime",
    ...obj({ at: iso(), unix: int("unix seconds") }, "A moment on the chain's clock"),
  },
  {
    $id: "PriceGuard",
    oneOf: [
      obj({ kind: { const: "none" } }, "no price guard: buybacks are off"),
      obj(
        {
          kind: { const: "pythPull" },
          feedId: describe(
            { type: "string", pattern: "^0x[0-9a-f]{64}$" },
            "the Pyth $ASHAO/USD feed id",
          ),
          maxAgeSecs: int(),
          maxConfidenceBps: int(),
        },
        "a Pyth pull-oracle price guard",
      ),
    ],
  },
  {
    $id: "Params",
    ...obj(
      {
        streamPeriodSecs: int(),
        unstakeCooldownSecs: int(),
        boostTiers: arr(obj({ minStake: str("base units of $ASHAO"), boostBps: int() })),
        maxBuybackUsdc: str("base units of USDC"),
        minBuybackIntervalSecs: int(),
        maxSlippageBps: int(),
        swapProgram: address("the default key (1111…) when none"),
        cranks: arr(address()),
        priceGuard: ref("PriceGuard"),
        timelockSecs: int(),
        billingAuthorities: arr(address()),
      },
      "Every parameter, in the policy format of app/sdk/src/policy.ts",
    ),
  },
  {
    $id: "Policy",
    ...obj(
      {
        authority: address(),
        pendingAuthority: nullable(
          obj({
            address: address(),
            acceptAfter: ref("ChainTime"),
            expiresAt: ref("ChainTime", "the last moment it may be accepted (14 days after)"),
          }),
          "an authority transfer in progress, from when the new authority may accept and until when",
        ),
        timelockSecs: int(),
        priceGuard: ref("PriceGuard"),
        params: ref("Params"),
        queuedChange: nullable(
          obj({
            changes: arr(
              obj({
                field: str("a parameter's name"),
                current: describe({}, "its value now"),
                queued: describe({}, "the value it will take"),
              }),
            ),
            eta: ref("ChainTime", "from when anyone may apply it"),
            expiresAt: ref(
              "ChainTime",
              "the last moment it may be applied; after it (compare with chainTime) it has expired",
            ),
          }),
          "the change waiting out the timelock",
        ),
        authorityHolder: {
          enum: ["singleKey", "programAddress"],
          description:
            "singleKey: one key on the ed25519 curve (an ordinary wallet); programAddress: off the curve (a multisig vault, a PDA)",
        },
        lastQueuedChange: nullable(
          obj({
            outcome: {
              enum: ["applied", "cancelled", "superseded", "expired"],
              description:
                "applied after its eta; cancelled by the authority; superseded: an update_config " +
                "changed a parameter it sets, so it was dropped rather than undo that change; " +
                "expired: not applied within 14 days of its eta",
            },
            eta: ref("ChainTime"),
            at: ref("ChainTime", "when it left the queue"),
          }),
          "what became of the last queued change to leave the queue",
        ),
        programId: address(),
        programData: nullable(address()),
        upgradeAuthority: nullable(address(), "who may replace the program's code; null: nobody"),
        upgradeAuthorityHolder: nullable(
          { enum: ["singleKey", "programAddress"] },
          "as authorityHolder; null when the program is immutable",
        ),
        paused: bool(),
        split: obj(
          {
            buybackBps: int(),
            stakersBps: int(),
            oddUnitTo: { const: "buyback" },
            fixedInProgram: { const: true },
          },
          "the revenue split, fixed in the program",
        ),
      },
      "Who may change what, and what is pending",
    ),
  },
  {
    $id: "Supply",
    ...obj({
      mint: address(),
      total: ref("Amount"),
      initial: ref("Amount", "the supply before buybacks: total plus burned by buybacks"),
      burned: ref("Amount", "$ASHAO burned by buybacks to date"),
      burnedPercent: num("burned as a percentage of initial, to 4 decimals"),
      circulating: ref("Amount"),
      excluded: arr(obj({ name: str(), address: address(), amount: ref("Amount") })),
    }),
  },
  {
    $id: "VaultSolvency",
    ...obj(VAULT_SOLVENCY, "A vault against what it owes"),
  },
  {
    $id: "Solvency",
    ...obj({
      solvent: bool(),
      buyback: ref("VaultSolvency", "the buyback vault against the unspent bucket"),
      rewards: obj(
        { ...VAULT_SOLVENCY, streaming: ref("Amount"), releasedUnclaimed: ref("Amount") },
        "the rewards vault against still streaming plus released, unclaimed",
      ),
      identities: arr(obj({ name: str(), holds: bool(), text: str() }), "the books' identities"),
      line: str("the check in one line, with the addresses"),
    }),
  },
  {
    $id: "YieldWindow",
    ...obj({
      windowSecs: int(),
      from: iso(),
      to: iso(),
      coveredSecs: int("the part of the window the treasury existed for"),
      minCoveredSecs: int("the data a rate needs: no annualPerAshao or apr before"),
      released: ref("Amount", "USDC released to all stakers over the window"),
      perAshao: ref("Amount", "USDC released per whole $ASHAO staked (18 decimals)"),
      annualPerAshao: nullable(
        ref("Amount"),
        "perAshao scaled to a year (18 decimals); null while coveredSecs < minCoveredSecs",
      ),
      apr: nullable(num(), "annualPerAshao / price (0.12 = 12%); null without a price or a rate"),
    }),
  },
  {
    $id: "Yield",
    ...obj({
      asOf: iso(),
      method: str("how the figures are computed"),
      price: nullable(
        obj({
          source: { enum: ["oracle", "lastBuyback"] },
          usdcPerAshao: ref("Amount"),
          at: iso(),
        }),
      ),
      current: obj(
        {
          releasingPerDay: ref("Amount", "USDC a day released to all stakers at the current rate"),
          perAshaoPerDay: nullable(
            ref("Amount"),
            "USDC a day per whole $ASHAO staked at that rate (18 decimals); null while none is staked",
          ),
          streamEndsAt: nullable(iso(), "when the stream runs dry unless more revenue arrives"),
        },
        "what the reward stream releases now, before any new revenue",
      ),
      trailing7d: ref("YieldWindow"),
      trailing30d: ref("YieldWindow"),
    }),
  },
  {
    $id: "Buyback",
    ...obj({
      signature: signature(),
      explorerUrl: str("the transaction on a block explorer for the configured cluster"),
      slot: int(),
      at: iso(),
      crank: address(),
      usdcSpent: ref("Amount"),
      usdcReturned: ref("Amount"),
      ashaoBurned: ref("Amount"),
      effectivePrice: ref("Amount", "USDC per whole $ASHAO paid (floored)"),
      oraclePrice: nullable(
        ref("Amount"),
        "the oracle's USDC per whole $ASHAO; null before the guard",
      ),
      deviationBps: nullable(num(), "(paid − oracle) / oracle in bps to 0.01"),
      oracle: nullable(
        obj({
          price: str(),
          exponent: int(),
          publishTime: iso(),
          minAshaoOut: ref("Amount"),
        }),
      ),
      buybackCount: int(),
    }),
  },
  {
    $id: "StakerHistoryEntry",
    ...obj({
      signature: signature(),
      explorerUrl: str(),
      slot: int(),
      at: iso(),
      action: { enum: ["stake", "unstakeRequest", "withdrawal", "claim", "close"] },
      amount: nullable(ref("Amount"), "$ASHAO, or USDC for a claim; null for a close"),
      token: { enum: ["$ASHAO", "USDC", null] },
      positionStaked: nullable(ref("Amount")),
      positionUnstaking: nullable(ref("Amount")),
      availableAt: nullable(iso(), "for an unstake request: when it may be withdrawn"),
      unstakeRequests: nullable(
        arr(obj({ amount: ref("Amount"), availableAt: iso() })),
        "for an unstake request or a withdrawal: the requests still waiting after it, oldest first",
      ),
    }),
  },
  {
    $id: "Tier",
    ...obj(
      { minStake: str("base units of $ASHAO"), boostBps: int() },
      "A boost tier: staked principal from minStake earns boostBps on worker pay",
    ),
  },
  {
    $id: "WorkerSettlement",
    ...obj({
      signature: signature(),
      explorerUrl: str(),
      slot: int(),
      at: iso("the settlement's chain time"),
      batchId: describe({ type: "string", pattern: "^\\d+$" }, "the billing authority's batch id"),
      billing: address("the billing authority that settled the batch"),
      base: ref("Amount", "the worker's base share"),
      boostStake: ref("Amount", "the staked principal that counted (warmed up)"),
      boostBps: int("the tier's boost it earned"),
      boost: ref(
        "Amount",
        "the boost paid (scaled down when a batch's boosts exceeded its remainder)",
      ),
      paid: ref("Amount", "base + boost"),
    }),
  },
  {
    $id: "Error",
    ...obj({
      error: str("a name clients can switch on (InvalidWallet, InvalidLimit, RateLimited, …)"),
      message: str("one line"),
    }),
  },
  {
    $id: "InternalError",
    ...obj({
      error: { const: "InternalError" },
      message: str("one line, naming the request id"),
      requestId: str("the id the server logged the error under (also the x-request-id header)"),
    }),
  },
];

/**
 * A route's error answers: `codes` with the named error body, and those every route may give:
 * 429 past the per-client rate limit, 500 with the request id the server logged the error under.
 */
const errors = (...codes: number[]) => ({
  ...Object.fromEntries([...codes, 429].map((code) => [code, ref("Error")])),
  500: ref("InternalError"),
});

// ------------------------------------------------------------------------------ inputs

/** A query or path field's refusal: its error name and what it must be. */
export interface InputError {
  error: string;
  message: string;
}

const TIME_PATTERN =
  "^(\\d{1,15}|\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?)?)$";
const time = (description: string) =>
  describe({ type: "string", pattern: TIME_PATTERN }, description);

const TIME_ERROR: InputError = {
  error: "InvalidTime",
  message: "must be unix seconds or an ISO 8601 date before the year 10000",
};
const LIMIT_ERROR: InputError = {
  error: "InvalidLimit",
  message: `must be an integer from 1 to ${MAX_PAGE_LIMIT}`,
};
const CURSOR_ERROR: InputError = {
  error: "InvalidCursor",
  message: "must be a previous answer's nextCursor",
};
export const WALLET_ERROR: InputError = {
  error: "InvalidWallet",
  message: "is not a base58 Solana address",
};

const pageQuery = (what: string) => ({
  type: "object",
  properties: {
    limit: describe(
      { type: "integer", minimum: 1, maximum: MAX_PAGE_LIMIT, default: 50 },
      `${what} per page`,
    ),
    cursor: describe(
      { type: "string", pattern: "^\\d{1,15}-\\d{1,15}$" },
      "the previous page's nextCursor: the page after it",
    ),
    before: time("only rows strictly before this time (unix seconds or ISO 8601)"),
  },
});
const PAGE_ERRORS = { limit: LIMIT_ERROR, cursor: CURSOR_ERROR, before: TIME_ERROR };

const walletParams = (whose: string) => ({
  type: "object",
  required: ["wallet"],
  properties: { wallet: describe({ type: "string", pattern: BASE58 }, `the ${whose}'s wallet`) },
});

// ------------------------------------------------------------------------------ routes

export interface RouteSpec {
  schema: Schema;
  /** Each input field's named refusal. */
  inputErrors?: Record<string, InputError>;
}

const FIGURES = {
  programId: address(),
  config: address("the TreasuryConfig account"),
  usdcMint: address(),
  ashaoMint: address(),
  slot: int("the newest slot the snapshot was read at"),
  readAt: iso(),
  paused: bool(),
  treasuryUsdc: ref("Amount", "both vaults' USDC"),
  buybackBucket: ref("Amount"),
  rewardsOwed: ref("Amount", "still streaming plus released and unclaimed"),
  totalRevenue: ref("Amount"),
  usageRevenue: ref("Amount", "the part of totalRevenue settled usage brought"),
  directRevenue: ref("Amount", "the rest: deposits and synced plain transfers"),
  usageGross: ref("Amount", "usage settled: gross paid in by billing authorities"),
  paidToWorkers: ref("Amount", "of the usage gross, paid to workers (boosts included)"),
  boostPaid: ref("Amount", "of it, the staking boosts"),
  usageBatches: int(),
  workerPayments: int(),
  totalToBuyback: ref("Amount"),
  totalToStakers: ref("Amount"),
  buybackUsdcSpent: ref("Amount"),
  ashaoBurned: ref("Amount"),
  buybackCount: int(),
  lastBuybackAt: nullable(iso()),
  rewardsPaid: ref("Amount"),
  rewardsReleased: ref("Amount"),
  totalStaked: ref("Amount"),
  totalUnstaking: ref("Amount"),
  stakers: int(),
  totalSupply: ref("Amount"),
  circulatingSupply: ref("Amount"),
  nonCirculating: arr(obj({ name: str(), address: address(), amount: ref("Amount") })),
};

export const ROUTES: Record<string, RouteSpec> = {
  treasury: {
    schema: {
      operationId: "getTreasury",
      tags: ["treasury"],
      summary: "The treasury's figures, yield, supply, solvency and policy",
      description:
        "From the in-memory snapshot. Weak ETag per snapshot version (If-None-Match → 304), " +
        "X-Chain-Time header with the chain's clock.",
      response: {
        200: obj({
          ageMs: int("how old the snapshot is"),
          chainTime: int("the chain's clock, unix seconds"),
          ...FIGURES,
          yield: ref("Yield"),
          supply: ref("Supply"),
          solvency: ref("Solvency"),
          policy: ref("Policy"),
        }),
        304: describe({ type: "null" }, "not modified"),
        ...errors(503),
      },
    },
  },
  history: {
    schema: {
      operationId: "getTreasuryHistory",
      tags: ["treasury"],
      summary: "The treasury's history in time buckets",
      querystring: {
        type: "object",
        properties: {
          range: describe(
            { type: "string", enum: ["24h", "7d", "30d", "all"] },
            "a range ending now (sets from, to and a fitting interval)",
          ),
          from: time("start (default: 24 h before to)"),
          to: time("end, inclusive (default: the chain's now)"),
          interval: describe(
            { type: "string", enum: ["1m", "5m", "15m", "1h", "6h", "1d"] },
            "bucket size (default 1h)",
          ),
        },
      },
      response: {
        200: obj({
          from: iso(),
          to: iso(),
          interval: str(),
          range: nullable(str()),
          commitment: describe(
            { const: "finalized" },
            "the history holds finalized transactions only: none is ever rolled back",
          ),
          unverifiedTransactions: int(
            "transactions whose logs were truncated: their events may be missing",
          ),
          points: arr(
            obj({
              t: iso("the bucket's start"),
              revenue: str(),
              usageRevenue: str("of revenue, what settled usage brought"),
              directRevenue: str("of revenue, deposits and synced transfers"),
              paidToWorkers: str("usage settled: paid to workers, boosts included"),
              boostPaid: str("of it, the staking boosts"),
              toBuyback: str(),
              toStakers: str(),
              buybackUsdcSpent: str(),
              ashaoBurned: str(),
              rewardsPaid: str(),
              totalStaked: str("at the bucket's end"),
              cumulativeRevenue: str(),
              cumulativeBurned: str(),
              cumulativeUsdcSpent: str(),
              cumulativeRewardsPaid: str(),
              cumulativePaidToWorkers: str(),
              unverified: int(
                "transactions in the bucket whose logs were truncated (of the newest 100)",
              ),
            }),
            "amounts in base units",
          ),
        }),
        ...errors(400),
      },
    },
    inputErrors: {
      range: { error: "InvalidRange", message: "must be one of 24h, 7d, 30d, all" },
      from: TIME_ERROR,
      to: TIME_ERROR,
      interval: { error: "InvalidInterval", message: "must be one of 1m, 5m, 15m, 1h, 6h, 1d" },
    },
  },
  buybacks: {
    schema: {
      operationId: "listBuybacks",
      tags: ["treasury"],
      summary: "Every buyback, newest first, paged",
      querystring: pageQuery("buybacks"),
      response: {
        200: obj({
          buybacks: arr(ref("Buyback")),
          nextCursor: nullable(str(), "pass as cursor for the next page; null at the end"),
        }),
        ...errors(400),
      },
    },
    inputErrors: PAGE_ERRORS,
  },
  adminLog: {
    schema: {
      operationId: "listAdminActions",
      tags: ["treasury"],
      summary: "The authority's actions, newest first, paged",
      querystring: pageQuery("actions"),
      response: {
        200: obj({
          actions: arr(
            obj({
              signature: signature(),
              explorerUrl: str(),
              slot: int(),
              at: iso(),
              event: {
                enum: [
                  "treasuryInitialized",
                  "configUpdated",
                  "configChangeQueued",
                  "configChangeApplied",
                  "configChangeCancelled",
                  "authorityProposed",
                  "authorityTransferred",
                  "pauseSet",
                ],
              },
              data: describe({ type: "object" }, "the event's fields"),
            }),
          ),
          nextCursor: nullable(str()),
        }),
        ...errors(400),
      },
    },
    inputErrors: PAGE_ERRORS,
  },
  staker: {
    schema: {
      operationId: "getStaker",
      tags: ["stakers"],
      summary: "A wallet's position at the chain's clock",
      params: walletParams("staker"),
      response: {
        200: obj({
          wallet: address(),
          position: address("the StakePosition account"),
          exists: bool(),
          staked: ref("Amount"),
          unstaking: ref("Amount"),
          pendingRewards: ref("Amount", "claimable now"),
          totalClaimed: ref("Amount"),
          unstakeRequests: arr(
            obj({
              amount: ref("Amount"),
              availableAt: iso("when it may be withdrawn"),
              availableAtUnix: int(),
              matured: bool("its cooldown has passed"),
            }),
            "each unstake request not yet withdrawn, oldest first, each on its own cooldown",
          ),
          unstakeRequestsLeft: int("requests the position can still open (at most 8 at once)"),
          withdrawable: ref("Amount", "what a withdrawal returns now: every matured request"),
          withdrawableNow: bool(),
          nextMaturityAt: nullable(iso(), "when the next request still cooling down matures"),
          nextMaturityAtUnix: nullable(int()),
          closable: bool("nothing staked, unstaking or owed"),
          boostBps: int(),
          boostWarming: ref("Amount", "staked $ASHAO not counting for the boost yet"),
          boostWarmupEndsAt: nullable(iso("when it starts to count")),
          boostBpsOnceWarm: int("the boost once the warm-up ends"),
          nextTier: nullable(obj({ minStake: str(), boostBps: int() })),
          stakeToNextTier: nullable(ref("Amount")),
          asOfChainTime: int(),
          slot: int(),
          readAt: iso(),
        }),
        ...errors(400, 503),
      },
    },
    inputErrors: { wallet: WALLET_ERROR },
  },
  stakerHistory: {
    schema: {
      operationId: "listStakerHistory",
      tags: ["stakers"],
      summary: "A wallet's stakes, unstake requests, withdrawals, claims and close, paged",
      params: walletParams("staker"),
      querystring: pageQuery("actions"),
      response: {
        200: obj({
          wallet: address(),
          entries: arr(ref("StakerHistoryEntry")),
          nextCursor: nullable(str()),
        }),
        ...errors(400),
      },
    },
    inputErrors: { wallet: WALLET_ERROR, ...PAGE_ERRORS },
  },
  stakerHistoryCsv: {
    schema: {
      operationId: "getStakerHistoryCsv",
      tags: ["stakers"],
      summary: "A wallet's whole history as CSV (exact amounts and base units)",
      params: walletParams("staker"),
      produces: ["text/csv"],
      response: {
        200: describe(
          { type: "string" },
          "CSV: time_utc, action, amount, token, amount_base_units, position_staked_ashao, " +
            "position_unstaking_ashao, withdrawable_from_utc, unstake_requests_after " +
            "(amount@time, space-separated), slot, signature",
        ),
        ...errors(400),
      },
    },
    inputErrors: { wallet: WALLET_ERROR },
  },
  worker: {
    schema: {
      operationId: "getWorker",
      tags: ["workers"],
      summary: "A worker's boost now and why, and their settled earnings (paged)",
      description:
        "The boost a settlement would apply now, from the wallet's stake position at the " +
        "snapshot's chain time: staked principal counts once warmed up (one unstake cooldown " +
        "after it was staked); unstaking principal earns none; no position earns none. The " +
        "earnings are the indexed WorkerPaid events, newest first, with their totals.",
      params: walletParams("worker"),
      querystring: pageQuery("settlements"),
      response: {
        200: obj({
          wallet: address(),
          hasPosition: bool("whether the wallet has a stake position"),
          boost: obj({
            boostBps: int("the boost a settlement applies now"),
            tier: nullable(ref("Tier"), "the tier the counted stake reaches; null below the first"),
            countedStake: ref("Amount", "staked principal past its warm-up: what counts now"),
            staked: ref("Amount", "all staked principal"),
            warming: ref("Amount", "staked principal not counting yet"),
            warmupEndsAt: nullable(iso(), "when it starts to count"),
            warmupEndsAtUnix: nullable(int()),
            boostBpsOnceWarm: int("the boost once the warm-up ends"),
            unstaking: ref("Amount", "principal waiting out its cooldown: it earns no boost"),
            nextTier: nullable(ref("Tier"), "the tier above what all staked principal reaches"),
            stakeToNextTier: nullable(ref("Amount"), "$ASHAO still to stake to reach it"),
          }),
          asOfChainTime: int(),
          slot: int(),
          readAt: iso(),
          earnings: obj(
            {
              settlements: int(),
              base: ref("Amount"),
              boost: ref("Amount"),
              paid: ref("Amount"),
            },
            "every settlement indexed that paid the wallet, in total",
          ),
          settlements: arr(ref("WorkerSettlement"), "newest first"),
          nextCursor: nullable(str(), "pass as cursor for the next page; null at the end"),
        }),
        ...errors(400, 503),
      },
    },
    inputErrors: { wallet: WALLET_ERROR, ...PAGE_ERRORS },
  },
  workerEarningsCsv: {
    schema: {
      operationId: "getWorkerEarningsCsv",
      tags: ["workers"],
      summary: "A worker's settled earnings as CSV (exact amounts and base units)",
      params: walletParams("worker"),
      produces: ["text/csv"],
      response: {
        200: describe(
          { type: "string" },
          "CSV: time_utc, batch_id, billing_authority, base_usdc, boost_bps, boost_usdc, " +
            "paid_usdc, paid_base_units, boost_stake_ashao, slot, signature",
        ),
        ...errors(400),
      },
    },
    inputErrors: { wallet: WALLET_ERROR },
  },
  config: {
    schema: {
      operationId: "getConfig",
      tags: ["meta"],
      summary:
        "RPC URLs, the program, its mints and the cluster, for wallet apps and the dashboard",
      response: {
        200: obj({
          rpcUrl: nullable(
            str(),
            "the RPC URL the operator publishes for the dashboard and wallet apps; null: none " +
              "(use the cluster's public endpoint)",
          ),
          wsUrl: nullable(str(), "its websocket URL; null: none (derived from rpcUrl)"),
          cluster: obj({ name: str(), rpcUrl: nullable(str()) }, "for explorer links"),
          explorer: str("the block explorer the links point at"),
          programId: address(),
          config: address(),
          usdcMint: address(),
          ashaoMint: address(),
          ashaoTokenProgram: address(),
          usdcDecimals: int(),
          ashaoDecimals: int(),
        }),
        ...errors(503),
      },
    },
  },
  health: {
    schema: {
      operationId: "getHealth",
      tags: ["meta"],
      summary: "Health: the RPC node, the snapshot and the indexer",
      response: {
        200: { $ref: "Health#" },
        503: { $ref: "Health#" },
        ...errors(),
      },
    },
  },
  metrics: {
    schema: {
      operationId: "getMetrics",
      tags: ["meta"],
      summary: "Prometheus metrics",
      produces: ["text/plain"],
      response: { 200: describe({ type: "string" }, "Prometheus text format"), ...errors() },
    },
  },
};

SHARED_SCHEMAS.push({
  $id: "Health",
  ...obj({
    status: describe(
      { enum: ["ok", "starting", "degraded"] },
      "ok (200): ready and following; starting (503): loading or catching up; degraded (503): " +
        "the RPC node is silent, the indexer lags or cannot go on (a gap)",
    ),
    rpcSlot: nullable(int("the newest slot the RPC node told of")),
    rpcReachable: bool("the RPC node answered over HTTP in the last 30 s"),
    rpcLastAnswerAgoMs: nullable(int()),
    snapshotSlot: int(),
    snapshotLagSlots: nullable(int()),
    snapshotAgeMs: int(),
    startup: obj({
      step: str("what the server is doing until it is ready, then `ready`"),
      lastError: nullable(str("why the step's last attempt failed (it is retried)")),
    }),
    commitments: obj(
      {
        figures: { const: "confirmed" },
        positions: { const: "confirmed" },
        history: { const: "finalized" },
      },
      "the commitment each kind of figure is read at",
    ),
    snapshot: obj({
      ready: bool(),
      positions: obj({
        mode: describe(
          { enum: ["all", "onDemand"] },
          "all: every position read in bulk; onDemand: the node refuses or caps " +
            "getProgramAccounts, so a staker's position is read by its address when asked",
        ),
        held: int("positions held (in onDemand mode, those cached)"),
        reason: nullable(str()),
        cacheSize: nullable(int()),
      }),
    }),
    indexer: obj({
      events: int(),
      lastSignature: nullable(str()),
      lastSlot: int(),
      lagSlots: int(),
      caughtUp: bool("a catch-up has reached the chain's head since start"),
      catchUp: obj({
        running: bool(),
        transactionsToGo: nullable(int("listed and not yet indexed (null while listing)")),
        transactionsDone: int(),
        eventsDone: int(),
        perSec: nullable(num("transactions indexed per second")),
        etaSecs: nullable(num()),
      }),
      gap: nullable(
        obj(
          {
            seenAt: iso(),
            cursor: nullable(str()),
            cursorSlot: nullable(int()),
            message: str(),
          },
          "the node cannot show what follows the stored cursor; the cursor stays until it can",
        ),
      ),
      unverified: obj({
        transactions: int("transactions whose logs were truncated"),
        newest: arr(obj({ signature: signature(), slot: int(), reason: str() })),
      }),
      lastError: nullable(str()),
    }),
  }),
});

declare module "fastify" {
  interface FastifyContextConfig {
    /** Each input field's named refusal (schemas.ts), read by the server's error handler. */
    inputErrors?: Record<string, InputError>;
  }
}
