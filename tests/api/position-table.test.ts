/**
 * The snapshot's compact table of positions (rows of bytes found by owner): a position reads
 * back exactly as stored, whatever its fields hold (a 128-bit checkpoint, every ticket, a
 * negative time), rows freed by a deletion are reused without leaking the old position, a
 * position is found by its address past the first buffer of rows, and the on-demand cache's
 * order (least recently used first) follows writes and touches.
 */
import { randomBytes } from "crypto";

import { PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import { type PositionEntry, PositionTable } from "../../app/server/src/position-table";
import { MAX_UNSTAKE_TICKETS } from "../../app/sdk/src";

const anAddress = () => new PublicKey(randomBytes(32)).toBase58();

function position(i: number, overrides: Partial<PositionEntry> = {}): PositionEntry {
  return {
    address: anAddress(),
    owner: anAddress(),
    bump: 250 - (i % 200),
    staked: BigInt(i) * 1_000_000_007n,
    unstaking: 0n,
    rewardCheckpoint: BigInt(i),
    owedRewards: 3n,
    totalClaimed: 4n,
    unstakeTickets: [],
    boostWarmupAmount: 0n,
    boostWarmupEndsAt: 0n,
    slot: 1_000 + i,
    read: i % 3,
    ...overrides,
  };
}

describe("API snapshot: the compact table of positions", () => {
  it("reads a position back exactly as stored, at the limits of every field", () => {
    const table = new PositionTable();
    const full = position(1, {
      staked: (1n << 64n) - 1n,
      unstaking: 12_345n,
      rewardCheckpoint: (1n << 128n) - 3n,
      unstakeTickets: Array.from({ length: MAX_UNSTAKE_TICKETS }, (_, i) => ({
        amount: BigInt(i + 1),
        availableAt: BigInt(1_700_000_000 + i),
      })),
      boostWarmupAmount: 9n,
      boostWarmupEndsAt: -(1n << 63n),
      slot: 2 ** 40,
      read: 2 ** 32 - 1,
    });
    const empty = position(2);
    table.set(full);
    table.set(empty);
    expect(table.get(full.owner)).to.deep.equal(full);
    expect(table.get(empty.owner)).to.deep.equal(empty);
    expect(table.size).to.equal(2);
    expect(table.get(anAddress())).to.equal(undefined);

    // Rewritten with fewer tickets: none of the old ones is left behind.
    const fewer = { ...full, unstakeTickets: full.unstakeTickets.slice(0, 1), staked: 5n };
    table.set(fewer);
    expect(table.get(full.owner)).to.deep.equal(fewer);
    table.seen(full.owner, 7, 2);
    expect([table.slotOf(full.owner), table.readOf(full.owner)]).to.deep.equal([7, 2]);
  });

  it("reuses deleted rows, finds positions by address across buffers, and keeps the order of use", async () => {
    const table = new PositionTable();
    // More than one buffer of rows (8,192 each).
    const positions = Array.from({ length: 9_000 }, (_, i) => position(i));
    for (const p of positions) table.set(p);
    const between = () => new Promise<void>((resolve) => setImmediate(resolve));
    const last = positions[8_999];
    expect(await table.ownerAt(last.address, between)).to.equal(last.owner);

    expect(table.delete(positions[5].owner)).to.equal(true);
    expect(table.delete(positions[5].owner)).to.equal(false);
    expect(await table.ownerAt(positions[5].address, between)).to.equal(undefined);
    const reused = position(9_000);
    table.set(reused);
    expect(table.size).to.equal(9_000);
    expect(table.get(reused.owner)).to.deep.equal(reused);
    expect(table.get(positions[5].owner)).to.equal(undefined);
    expect(await table.ownerAt(reused.address, between)).to.equal(reused.owner);

    expect(table.oldest()).to.equal(positions[0].owner);
    table.touch(positions[0].owner);
    expect(table.oldest()).to.equal(positions[1].owner);
    table.set({ ...positions[1], staked: 1n });
    expect(table.oldest()).to.equal(positions[2].owner);
    const keys = [...table.keys()];
    expect(keys.slice(-2)).to.deep.equal([positions[0].owner, positions[1].owner]);
  });
});
