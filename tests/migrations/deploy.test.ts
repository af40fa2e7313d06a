/** migrations/deploy.ts: initialises the treasury from a params file, once. */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

import { AnchorProvider, Wallet } from "@anchor-lang/core";
import { Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import { expect } from "chai";

import deploy from "../../migrations/deploy";
import { createAshaoMint, createUsdcMint } from "../../app/localnet/tokens";
import { fetchTreasury, treasuryProgram } from "../../app/sdk/src";
import { useTestValidator } from "../utils/validator";

describe("migrations/deploy.ts", () => {
  const validator = useTestValidator();

  it("initialises the treasury from ASHAO_PARAMS, then leaves it alone", async () => {
    const { connection } = validator.current;
    const authority = await validator.current.fundedKeypair(10 * LAMPORTS_PER_SOL);
    const usdc = await createUsdcMint(connection, authority);
    const ashao = await createAshaoMint(connection, authority);
    const crank = Keypair.generate().publicKey;
    const params = join(mkdtempSync(join(tmpdir(), "ashao-deploy-")), "params.json");
    writeFileSync(
      params,
      JSON.stringify({
        streamPeriodSecs: 86_400,
        unstakeCooldownSecs: 172_800,
        boostTiers: [{ minStake: "1000000000000", boostBps: 500 }],
        maxBuybackUsdc: "5000000000",
        minBuybackIntervalSecs: 3_600,
        maxSlippageBps: 100,
        swapProgram: "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4",
        cranks: [crank.toBase58()],
      }),
    );
    Object.assign(process.env, {
      ASHAO_USDC_MINT: usdc.mint.toBase58(),
      ASHAO_ASHAO_MINT: ashao.mint.toBase58(),
      ASHAO_PARAMS: params,
    });
    const provider = new AnchorProvider(connection, new Wallet(authority), {
      commitment: "confirmed",
    });
    await deploy(provider);
    const state = (await fetchTreasury(treasuryProgram(connection)))!;
    expect(state.authority.equals(authority.publicKey)).to.equal(true);
    expect(state.unstakeCooldownSecs).to.equal(172_800);
    expect(state.maxBuybackUsdc).to.equal(5_000_000_000n);
    expect(state.cranks.map((c) => c.toBase58())).to.deep.equal([crank.toBase58()]);

    const before = (await connection.getAccountInfo(state.address))!.data;
    await deploy(provider);
    expect((await connection.getAccountInfo(state.address))!.data.equals(before)).to.equal(true);
  });
});
