/**
 * The foundation end to end: TypeScript talks to the program on the local validator through the
 * Anchor client over JSON-RPC and websockets, as a wallet app would.
 */
import { AnchorError, AnchorProvider, BN, EventParser, Program, Wallet } from "@anchor-lang/core";
import {
  createAssociatedTokenAccount,
  createMint,
  getAccount,
  mintTo,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import { advanceClock } from "../../app/localnet/validator";
import IDL from "../../app/sdk/src/idl/ashao_treasury.json";
import type { AshaoTreasury } from "../../app/sdk/src/idl/ashao_treasury";
import { startTestValidator, type TestValidator } from "../utils/validator";

const BPF_LOADER_UPGRADEABLE = new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");

const pda = (programId: PublicKey, ...seeds: (string | PublicKey)[]) =>
  PublicKey.findProgramAddressSync(
    seeds.map((seed) => (typeof seed === "string" ? Buffer.from(seed) : seed.toBuffer())),
    programId,
  )[0];

describe("initialize, events, errors and PDA-signed CPIs on the local validator", () => {
  let validator: TestValidator;
  let program: Program<AshaoTreasury>;
  let authority: Keypair;
  let usdcMint: PublicKey;
  let ashaoMint: PublicKey;
  let config: PublicKey;
  let programData: PublicKey;

  // The program's floors: a one-hour stream and cooldown, a timelock of the cooldown plus the
  // one-day reaction window, no price guard.
  const params = (overrides: Partial<{ unstakeCooldownSecs: number }> = {}) => ({
    streamPeriodSecs: 3_600,
    unstakeCooldownSecs: overrides.unstakeCooldownSecs ?? 3_600,
    boostTiers: [{ minStake: new BN(1_000_000_000), boostBps: 500 }],
    maxBuybackUsdc: new BN(1_000_000_000),
    minBuybackIntervalSecs: 60,
    maxSlippageBps: 100,
    swapProgram: PublicKey.default,
    cranks: [],
    priceGuard: { none: {} },
    timelockSecs: (overrides.unstakeCooldownSecs ?? 3_600) + 86_400,
    billingAuthorities: [],
  });

  before(async () => {
    validator = await startTestValidator();
    // Only the program's upgrade authority may initialise (its ProgramData names it).
    authority = validator.upgradeAuthority;
    const provider = new AnchorProvider(validator.connection, new Wallet(authority), {
      commitment: "confirmed",
    });
    program = new Program<AshaoTreasury>(IDL as AshaoTreasury, provider);
    const conn = validator.connection;
    usdcMint = await createMint(conn, authority, authority.publicKey, null, 6);
    ashaoMint = await createMint(conn, authority, authority.publicKey, null, 9);
    config = pda(program.programId, "treasury");
    programData = PublicKey.findProgramAddressSync(
      [program.programId.toBuffer()],
      BPF_LOADER_UPGRADEABLE,
    )[0];
  });

  after(async () => validator?.stop());

  it("rejects equal mints with the Anchor error name and code, and creates nothing", async () => {
    try {
      await program.methods
        .initialize(params())
        .accounts({
          programData,
          usdcMint,
          ashaoMint: usdcMint,
          ashaoTokenProgram: TOKEN_PROGRAM_ID,
        })
        .rpc();
      expect.fail("initialize with equal mints succeeded");
    } catch (err) {
      expect(err).to.be.instanceOf(AnchorError);
      const anchorError = err as AnchorError;
      expect(anchorError.error.errorCode.code).to.equal("SameMint");
      expect(anchorError.error.errorCode.number).to.equal(
        6000 + IDL.errors.findIndex((e) => e.name === "SameMint"),
      );
    }
    expect(await validator.connection.getAccountInfo(config)).to.equal(null);
  });

  it("initialises the treasury and its vaults, and the event arrives over the websocket", async () => {
    const parser = new EventParser(program.programId, program.coder);
    const events: { name: string; data: Record<string, unknown> }[] = [];
    const received = new Promise<void>((resolve) => {
      const id = validator.connection.onLogs(program.programId, (logs) => {
        for (const event of parser.parseLogs(logs.logs)) events.push(event);
        if (events.length > 0) {
          void validator.connection.removeOnLogsListener(id);
          resolve();
        }
      });
    });
    // Let the subscription register before sending (its id resolves once the server acked).
    await new Promise<void>((resolve) => setImmediate(resolve));

    await program.methods
      .initialize(params())
      .accounts({ programData, usdcMint, ashaoMint, ashaoTokenProgram: TOKEN_PROGRAM_ID })
      .rpc();
    await received;

    const state = await program.account.treasuryConfig.fetch(config);
    expect(state.authority.toBase58()).to.equal(authority.publicKey.toBase58());
    expect(state.usdcMint.toBase58()).to.equal(usdcMint.toBase58());
    expect(state.ashaoMint.toBase58()).to.equal(ashaoMint.toBase58());
    expect(state.buybackVault.toBase58()).to.equal(
      pda(program.programId, "buyback_vault").toBase58(),
    );
    expect(state.paused).to.equal(false);
    expect(state.totalRevenue.toString()).to.equal("0");
    const vault = await getAccount(validator.connection, state.stakeVault);
    expect(vault.owner.toBase58()).to.equal(config.toBase58());
    expect(vault.mint.toBase58()).to.equal(ashaoMint.toBase58());

    expect(events[0].name).to.equal("treasuryInitialized");
    expect((events[0].data.authority as PublicKey).toBase58()).to.equal(
      authority.publicKey.toBase58(),
    );
  });

  it("refuses a second initialize and changes nothing", async () => {
    const before = await validator.connection.getAccountInfo(config);
    let logs: string[] = [];
    try {
      await program.methods
        .initialize(params({ unstakeCooldownSecs: 7_200 }))
        .accounts({ programData, usdcMint, ashaoMint, ashaoTokenProgram: TOKEN_PROGRAM_ID })
        .rpc();
      expect.fail("second initialize succeeded");
    } catch (err) {
      logs = (err as { logs?: string[] }).logs ?? [];
    }
    expect(logs.join("\n")).to.match(/already in use/);
    const after = await validator.connection.getAccountInfo(config);
    expect(after?.data.equals(before!.data)).to.equal(true);
  });

  it("moves real tokens through a PDA-signed CPI (stake, then withdraw from the vault after the cooldown)", async () => {
    const conn = validator.connection;
    const staker = await validator.fundedKeypair(2 * LAMPORTS_PER_SOL);
    const stakerAshao = await createAssociatedTokenAccount(
      conn,
      authority,
      ashaoMint,
      staker.publicKey,
    );
    await mintTo(conn, authority, ashaoMint, stakerAshao, authority, 5_000_000_000n);
    const stakerProgram = new Program<AshaoTreasury>(
      IDL as AshaoTreasury,
      new AnchorProvider(conn, new Wallet(staker), { commitment: "confirmed" }),
    );
    const stakeVault = pda(program.programId, "stake_vault");

    await stakerProgram.methods
      .stake(new BN(2_000_000_000))
      .accounts({ ownerAshao: stakerAshao, tokenProgram: TOKEN_PROGRAM_ID })
      .rpc();
    expect((await getAccount(conn, stakeVault)).amount).to.equal(2_000_000_000n);
    expect((await getAccount(conn, stakerAshao)).amount).to.equal(3_000_000_000n);

    await stakerProgram.methods.requestUnstake(new BN(2_000_000_000)).rpc();
    await advanceClock(conn, 3_600); // the cooldown
    await stakerProgram.methods
      .withdraw()
      .accounts({ destination: stakerAshao, tokenProgram: TOKEN_PROGRAM_ID })
      .rpc();
    expect((await getAccount(conn, stakeVault)).amount).to.equal(0n);
    expect((await getAccount(conn, stakerAshao)).amount).to.equal(5_000_000_000n);
  });
});
