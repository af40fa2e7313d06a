/**
 * The SDK's seeds, PDAs and bounds equal the program's (IDL constants, IDL account seeds, on
 * chain).
 */
import { PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import * as sdk from "../../app/sdk/src";
import {
  ASHAO_TREASURY_PROGRAM_ID,
  BUYBACK_VAULT_SEED,
  IDL,
  POSITION_SEED,
  REWARDS_VAULT_SEED,
  STAKE_VAULT_SEED,
  stakePositionPda,
  TREASURY_SEED,
  treasuryPdas,
  USAGE_LEDGER_SEED,
  usageLedgerPda,
} from "../../app/sdk/src";

const idlConstant = (name: string): Buffer => {
  const constant = IDL.constants.find((c) => c.name === name);
  if (!constant) throw new Error(`IDL has no constant ${name}`);
  return Buffer.from(JSON.parse(constant.value) as number[]);
};

describe("SDK PDAs mirror the program's seeds", () => {
  it("seeds equal the constants.rs values in the IDL", () => {
    expect(TREASURY_SEED.equals(idlConstant("TREASURY_SEED"))).to.equal(true);
    expect(BUYBACK_VAULT_SEED.equals(idlConstant("BUYBACK_VAULT_SEED"))).to.equal(true);
    expect(REWARDS_VAULT_SEED.equals(idlConstant("REWARDS_VAULT_SEED"))).to.equal(true);
    expect(STAKE_VAULT_SEED.equals(idlConstant("STAKE_VAULT_SEED"))).to.equal(true);
    expect(POSITION_SEED.equals(idlConstant("POSITION_SEED"))).to.equal(true);
    expect(USAGE_LEDGER_SEED.equals(idlConstant("USAGE_LEDGER_SEED"))).to.equal(true);
  });

  it("every numeric bound the program names in the IDL has the same value in the SDK", () => {
    const numeric = IDL.constants.filter((c) => c.type !== "bytes");
    expect(numeric.map((c) => c.name)).to.include.members([
      "REACTION_WINDOW_SECS",
      "MIN_TIMELOCK_SECS",
      "MAX_TIMELOCK_SECS",
      "MAX_ORACLE_CLOCK_SKEW_SECS",
      "MAX_UNSTAKE_TICKETS",
    ]);
    for (const constant of numeric) {
      const mirrored = (sdk as Record<string, unknown>)[constant.name];
      expect(String(mirrored), constant.name).to.equal(constant.value);
    }
  });

  it("addresses equal those derived from each instruction's IDL seeds", () => {
    const owner = PublicKey.unique();
    const pdas = treasuryPdas();
    const expected: Record<string, PublicKey> = {
      config: pdas.config,
      buybackVault: pdas.buybackVault,
      rewardsVault: pdas.rewardsVault,
      stakeVault: pdas.stakeVault,
      position: stakePositionPda(owner).address,
      ledger: usageLedgerPda(owner).address,
    };
    let checked = 0;
    for (const ix of IDL.instructions) {
      for (const account of ix.accounts) {
        if (!("pda" in account)) continue;
        const seeds = account.pda.seeds.map((seed) =>
          seed.kind === "const" ? Buffer.from(seed.value) : owner.toBuffer(),
        );
        const [derived] = PublicKey.findProgramAddressSync(seeds, ASHAO_TREASURY_PROGRAM_ID);
        const name = account.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
        expect(expected[name], `${ix.name}.${account.name}`).to.not.equal(undefined);
        expect(derived.toBase58(), `${ix.name}.${account.name}`).to.equal(
          expected[name].toBase58(),
        );
        checked++;
      }
    }
    expect(checked).to.be.greaterThan(15);
  });

  it("derives per owner and per program id", () => {
    const a = stakePositionPda(PublicKey.unique()).address;
    const b = stakePositionPda(PublicKey.unique()).address;
    expect(a.equals(b)).to.equal(false);
    const other = PublicKey.unique();
    expect(treasuryPdas(other).config.equals(treasuryPdas().config)).to.equal(false);
    expect(PublicKey.isOnCurve(treasuryPdas().config)).to.equal(false);
  });
});
