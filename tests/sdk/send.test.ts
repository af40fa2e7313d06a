/**
 * send.ts (for the crank, CLI and tests): a transaction whose blockhash expires before it lands
 * is rebuilt on a fresh blockhash and sent again, exactly once effective; a transaction that
 * fails on chain surfaces the program's named error with its logs.
 */
import { Wallet } from "@anchor-lang/core";
import {
  BlockhashWithExpiryBlockHeight,
  Commitment,
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  SystemProgram,
} from "@solana/web3.js";
import { expect } from "chai";

import { advanceClock } from "../../app/localnet/validator";
import {
  closeWebSocket,
  depositRevenueIx,
  sendAndConfirm,
  toTreasuryError,
  treasuryErrorCode,
} from "../../app/sdk/src";
import { newStaker, setupTreasury, Staker, TreasuryFixture } from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

/**
 * A connection whose first `expiring` blockhashes expire as soon as they are handed out (the
 * clock jumps past their 150 slots), as if the sender had stalled that long.
 */
class StallingConnection extends Connection {
  handedOut = 0;

  constructor(
    validator: { rpcUrl: string; wsUrl: string },
    private expiring: number,
  ) {
    // The validator's PubSub port is its own: web3.js would otherwise guess the RPC port + 1.
    super(validator.rpcUrl, { commitment: "confirmed", wsEndpoint: validator.wsUrl });
  }

  override async getLatestBlockhash(
    commitment?: Commitment,
  ): Promise<BlockhashWithExpiryBlockHeight> {
    const latest = await super.getLatestBlockhash(commitment);
    this.handedOut++;
    if (this.expiring > 0) {
      this.expiring--;
      await advanceClock(this, 120);
    }
    return latest;
  }
}

describe("sendAndConfirm", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let payer: Keypair;
  let staker: Staker;
  const stalling: Connection[] = [];

  after(() => stalling.forEach(closeWebSocket));

  before(async () => {
    t = await setupTreasury(validator.current);
    payer = await t.validator.fundedKeypair(10 * LAMPORTS_PER_SOL);
    // Made before the clock moves: spl-token's helpers stamp a blockhash web3.js caches.
    staker = await newStaker(t, 0n, 10n);
  });

  it("sends on a fresh blockhash after the first one expired, and the transfer happens once", async () => {
    const connection = new StallingConnection(t.validator, 1);
    stalling.push(connection);
    const to = Keypair.generate().publicKey;
    const signature = await sendAndConfirm(
      connection,
      [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 1_234_567 })],
      { keypairs: [payer] },
    );
    expect(connection.handedOut).to.equal(2);
    expect(await t.validator.connection.getBalance(to)).to.equal(1_234_567);
    const status = await t.validator.connection.getSignatureStatus(signature);
    expect(status.value?.err).to.equal(null);
  });

  it("gives up after the configured attempts, naming the expiry", async () => {
    const connection = new StallingConnection(t.validator, 5);
    stalling.push(connection);
    const to = Keypair.generate().publicKey;
    let error: unknown;
    try {
      await sendAndConfirm(
        connection,
        [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 1 })],
        { keypairs: [payer] },
        { attempts: 2 },
      );
    } catch (err) {
      error = err;
    }
    expect(connection.handedOut).to.equal(2);
    expect(String(error)).to.match(/blockhash not found|block height exceeded/i);
    expect(await t.validator.connection.getBalance(to)).to.equal(0);
  });

  it("signs with a wallet-adapter style wallet as fee payer", async () => {
    const wallet = new Wallet(payer);
    const to = Keypair.generate().publicKey;
    await sendAndConfirm(
      t.validator.connection,
      [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 5_000_000 })],
      { wallet },
    );
    expect(await t.validator.connection.getBalance(to)).to.equal(5_000_000);
  });

  for (const skipPreflight of [false, true]) {
    it(`surfaces a program error by name and code (${skipPreflight ? "failed on chain" : "refused in preflight"})`, async () => {
      let error: unknown;
      try {
        await sendAndConfirm(
          t.validator.connection,
          [
            await depositRevenueIx(t.program, t.accounts, {
              payer: staker.keypair.publicKey,
              source: staker.usdcAccount,
              amount: 0n,
            }),
          ],
          { keypairs: [staker.keypair] },
          { skipPreflight },
        );
      } catch (err) {
        error = err;
      }
      const info = toTreasuryError(error);
      expect(info.name).to.equal("ZeroAmount");
      expect(info.code).to.equal(treasuryErrorCode("ZeroAmount"));
      expect(info.message).to.equal("Amount must be greater than zero");
      expect(info.logs?.some((l) => l.includes("AnchorError"))).to.equal(true);
    });
  }
});
