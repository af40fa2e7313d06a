/**
 * begin_buyback / finish_buyback on the local validator with the real test AMM between them:
 * the burn, the books and the event; then every way around the rules, each refused by name with
 * nothing moved.
 */
import { createTransferCheckedInstruction } from "@solana/spl-token";
import { PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import { expect } from "chai";

import { advanceClock } from "../../app/localnet/validator";
import {
  beginBuybackIx,
  buybackCapacity,
  crankAccounts,
  finishBuybackIx,
  setPausedIx,
} from "../../app/sdk/src";
import { fundedTokenAccount } from "../utils/tokens";
import { expectTreasuryError, send, transactionEvent } from "../utils/treasury";
import { useTestValidator } from "../utils/validator";
import { ASHAO, type BuybackFixture, setupBuyback, USDC } from "./fixture";

/** programs/test-buyback-proxy: forwards an instruction through a CPI. */
const TEST_BUYBACK_PROXY_ID = new PublicKey("GEKKSQoD85mdqSLpRbhLZHYfW3Ct3godEM8vdxo5j2Pt");

describe("buyback: begin_buyback, a swap, finish_buyback", () => {
  const validator = useTestValidator();
  let f: BuybackFixture;

  before(async () => {
    // No interval, so each test may buy back; the interval has its own suite below.
    f = await setupBuyback(validator.current, { minBuybackIntervalSecs: 0 });
  });

  /** Sends `ixs` as the crank and expects the named error with every balance unchanged. */
  async function refused(ixs: TransactionInstruction[], name: string) {
    const before = await f.balances();
    await expectTreasuryError(send(validator.current, ixs, f.crank), name);
    expect(await f.balances()).to.deep.equal(before);
  }

  it("burns exactly what the swap bought, spends the bucket and books both", async () => {
    const before = await f.balances();
    const usdcAmount = 400n * USDC;
    const expectedOut = await f.quote(usdcAmount);
    const signature = await send(
      validator.current,
      await f.buybackIxs({ usdcAmount, minAshaoOut: expectedOut }),
      f.crank,
    );
    const after = await f.balances();

    expect(after.supply).to.equal(before.supply - expectedOut);
    expect(after.bucket).to.equal(before.bucket - usdcAmount);
    expect(after.buybackVault).to.equal(after.bucket);
    expect(after.spent).to.equal(before.spent + usdcAmount);
    expect(after.burned).to.equal(before.burned + expectedOut);
    expect(after.buybacks).to.equal(before.buybacks + 1n);
    // The crank ends where it started: it only passes the treasury's USDC and $ASHAO through.
    expect([after.crankUsdc, after.crankAshao]).to.deep.equal([
      before.crankUsdc,
      before.crankAshao,
    ]);

    const event = await transactionEvent(f.t, signature, "buybackExecuted");
    expect(event.crank.equals(f.crank.publicKey)).to.equal(true);
    expect(event.usdcSpent).to.equal(usdcAmount);
    expect(event.usdcReturned).to.equal(0n);
    expect(event.ashaoBurned).to.equal(expectedOut);
    expect(event.priceUsdcPerAshao).to.equal((usdcAmount * ASHAO) / expectedOut);
    expect(event.totalBuybackUsdcSpent).to.equal(after.spent);
    expect(event.totalAshaoBurned).to.equal(after.burned);
    expect(event.buybackBucket).to.equal(after.bucket);
  });

  it("returns what the swap did not spend to the bucket", async () => {
    const before = await f.balances();
    const swapIn = 150n * USDC;
    const out = await f.quote(swapIn);
    await send(
      validator.current,
      await f.buybackIxs({ usdcAmount: 500n * USDC, swapIn, minAshaoOut: out }),
      f.crank,
    );
    const after = await f.balances();
    expect(after.bucket).to.equal(before.bucket - swapIn);
    expect(after.buybackVault).to.equal(after.bucket);
    expect(after.supply).to.equal(before.supply - out);
    expect(after.crankUsdc).to.equal(before.crankUsdc);
  });

  it("refuses a crank not on the allow-list (CrankNotAllowed)", async () => {
    const stranger = await validator.current.fundedKeypair(1e9);
    const c = crankAccounts(stranger.publicKey, f.t.accounts);
    await fundedTokenAccount(
      validator.current.connection,
      f.t.authority,
      f.t.usdc,
      stranger.publicKey,
    );
    await fundedTokenAccount(
      validator.current.connection,
      f.t.authority,
      f.t.ashao,
      stranger.publicKey,
    );
    const before = await f.balances();
    await expectTreasuryError(
      send(validator.current, await f.buybackIxs({ usdcAmount: USDC, crank: c }), stranger),
      "CrankNotAllowed",
    );
    expect(await f.balances()).to.deep.equal(before);
  });

  it("refuses begin without finish (MissingFinishBuyback)", async () => {
    const [begin, swap] = await f.buybackIxs({ usdcAmount: 10n * USDC });
    await refused([begin, swap], "MissingFinishBuyback");
    await refused([begin], "MissingFinishBuyback");
  });

  it("refuses finish without begin (NoBuybackInProgress)", async () => {
    // The crank swaps 1 USDC of its own; finish has nothing to close.
    const [, swap, finish] = await f.buybackIxs({ usdcAmount: USDC });
    await refused([swap, finish], "NoBuybackInProgress");
  });

  it("refuses two begins sharing one finish (BuybackInstructionNotAllowed)", async () => {
    const [begin, swap, finish] = await f.buybackIxs({ usdcAmount: 10n * USDC });
    await refused([begin, begin, swap, finish], "BuybackInstructionNotAllowed");
  });

  it("refuses begin called through another program (BuybackNotTopLevel)", async () => {
    const [begin, swap, finish] = await f.buybackIxs({ usdcAmount: 10n * USDC });
    const viaProxy = new TransactionInstruction({
      programId: TEST_BUYBACK_PROXY_ID,
      keys: [{ pubkey: begin.programId, isSigner: false, isWritable: false }, ...begin.keys],
      data: begin.data,
    });
    await refused([viaProxy, swap, finish], "BuybackNotTopLevel");
  });

  it("refuses a program off the allow-list between the halves (BuybackInstructionNotAllowed)", async () => {
    const [begin, swap, finish] = await f.buybackIxs({ usdcAmount: 10n * USDC });
    const lamports = SystemProgram.transfer({
      fromPubkey: f.crank.publicKey,
      toPubkey: f.t.authority.publicKey,
      lamports: 1,
    });
    await refused([begin, lamports, swap, finish], "BuybackInstructionNotAllowed");
  });

  it("refuses an allow-listed instruction naming a treasury account or moving the crank's USDC or $ASHAO (BuybackTouchesTreasury)", async () => {
    const usdcAmount = 10n * USDC;
    const [begin, swap, finish] = await f.buybackIxs({ usdcAmount });
    const intoVault = createTransferCheckedInstruction(
      f.crankAccounts.crankUsdc,
      f.t.usdc.mint,
      f.t.accounts.buybackVault,
      f.crank.publicKey,
      1n,
      6,
    );
    await refused([begin, intoVault, swap, finish], "BuybackTouchesTreasury");

    // A token transfer out of the crank's account beside the swap: walking away with the taken
    // USDC, or diverting the $ASHAO it bought (and meeting min_ashao_out from its own holdings).
    const [beginTiny, , finishTiny] = await f.buybackIxs({ usdcAmount, minAshaoOut: 1n });
    for (const [mint, from, amount] of [
      [f.t.usdc, f.crankAccounts.crankUsdc, usdcAmount],
      [f.t.ashao, f.crankAccounts.crankAshao, 1n],
    ] as const) {
      const elsewhere = await fundedTokenAccount(
        validator.current.connection,
        f.t.authority,
        mint,
        f.t.authority.publicKey,
      );
      const out = createTransferCheckedInstruction(
        from,
        mint.mint,
        elsewhere,
        f.crank.publicKey,
        amount,
        mint.decimals,
      );
      await refused([beginTiny, out, finishTiny], "BuybackTouchesTreasury");
    }
  });

  it("refuses a swap that delivers less than min_ashao_out (MinAshaoOutNotMet)", async () => {
    const usdcAmount = 10n * USDC;
    const out = await f.quote(usdcAmount);
    await refused(await f.buybackIxs({ usdcAmount, minAshaoOut: out + 1n }), "MinAshaoOutNotMet");
  });

  it("refuses more than the cap, and zero amounts (BuybackTooLarge, ZeroAmount)", async () => {
    const state = await f.t.state();
    await refused(
      await f.buybackIxs({ usdcAmount: state.maxBuybackUsdc + 1n, swapIn: USDC }),
      "BuybackTooLarge",
    );
    const c = f.crankAccounts;
    const swap = await f.swapIx(USDC);
    const finish = await finishBuybackIx(f.t.program, f.t.accounts, c);
    const begin = (usdcAmount: bigint, minAshaoOut: bigint) =>
      beginBuybackIx(f.t.program, f.t.accounts, { ...c, usdcAmount, minAshaoOut });
    await refused([await begin(0n, 1n), swap, finish], "ZeroAmount");
    await refused([await begin(USDC, 0n), swap, finish], "ZeroAmount");
    expect(state.buybackBucket > state.maxBuybackUsdc).to.equal(true);
  });

  it("refuses buybacks while paused (Paused), and runs again once unpaused", async () => {
    const { t } = f;
    await send(
      validator.current,
      await setPausedIx(t.program, t.accounts, { authority: t.authority.publicKey, paused: true }),
      t.authority,
    );
    await refused(await f.buybackIxs({ usdcAmount: 10n * USDC }), "Paused");
    await send(
      validator.current,
      await setPausedIx(t.program, t.accounts, { authority: t.authority.publicKey, paused: false }),
      t.authority,
    );
    await send(validator.current, await f.buybackIxs({ usdcAmount: 10n * USDC }), f.crank);
  });
});

describe("buyback: size and interval bounds", () => {
  const validator = useTestValidator();
  let f: BuybackFixture;

  before(async () => {
    f = await setupBuyback(
      validator.current,
      { minBuybackIntervalSecs: 600, maxBuybackUsdc: 5_000n * USDC },
      1_000n * USDC,
    );
  });

  it("refuses more than the bucket holds (BuybackExceedsBucket)", async () => {
    const before = await f.balances();
    await expectTreasuryError(
      send(
        validator.current,
        await f.buybackIxs({ usdcAmount: before.bucket + 1n, swapIn: USDC }),
        f.crank,
      ),
      "BuybackExceedsBucket",
    );
    expect(await f.balances()).to.deep.equal(before);
  });

  it("refuses a buyback inside the interval (BuybackTooSoon), allows it once the interval passed", async () => {
    await send(validator.current, await f.buybackIxs({ usdcAmount: 100n * USDC }), f.crank);
    const state = await f.t.state();
    const capacity = buybackCapacity(state, state.lastBuybackTs + 1n);
    expect(capacity.blocked).to.equal("interval");
    expect(capacity.nextAllowedAtSecs).to.equal(state.lastBuybackTs + 600n);

    const before = await f.balances();
    await expectTreasuryError(
      send(validator.current, await f.buybackIxs({ usdcAmount: 100n * USDC }), f.crank),
      "BuybackTooSoon",
    );
    expect(await f.balances()).to.deep.equal(before);

    await advanceClock(validator.current.connection, 600);
    await send(validator.current, await f.buybackIxs({ usdcAmount: 100n * USDC }), f.crank);
    expect((await f.balances()).buybacks).to.equal(before.buybacks + 1n);
  });
});
