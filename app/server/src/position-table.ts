/**
 * The snapshot's positions, held compactly: each one a fixed-size row of bytes in large buffers
 * (its address, amounts, tickets, and the slot and full read it was seen at), found by its
 * owner's address through one Map of row numbers. A million positions were a million records of
 * a dozen heap objects each (the record, its strings, its amounts as bigints, its tickets): a
 * 430 MiB heap of small objects that every full collection marked. Here the garbage collector
 * sees the Map's keys (the owners' addresses, which a lookup needs as strings anyway) and a few
 * hundred buffers it never looks into. A record is built when one is asked for.
 */
import { MAX_UNSTAKE_TICKETS, type StakePositionRecord, type UnstakeTicket } from "../../sdk/src";

/** A position with the slot it was read at and the full read that last saw it. */
export type PositionEntry = StakePositionRecord & { slot: number; read: number };

// A row: the position's address (its base58 text, as the node gives it: no base58 arithmetic to
// store or read it back), its fields (little-endian), its tickets, its slot and read.
const ADDRESS_LENGTH = 0;
const ADDRESS = 1;
/** The longest base58 text of 32 bytes. */
const ADDRESS_MAX = 44;
const BUMP = ADDRESS + ADDRESS_MAX;
const STAKED = BUMP + 1;
const UNSTAKING = STAKED + 8;
const REWARD_CHECKPOINT = UNSTAKING + 8; // u128: low, then high 64 bits
const OWED_REWARDS = REWARD_CHECKPOINT + 16;
const TOTAL_CLAIMED = OWED_REWARDS + 8;
const BOOST_WARMUP_AMOUNT = TOTAL_CLAIMED + 8;
const BOOST_WARMUP_ENDS_AT = BOOST_WARMUP_AMOUNT + 8;
const TICKET_COUNT = BOOST_WARMUP_ENDS_AT + 8;
const TICKETS = TICKET_COUNT + 1; // each: amount u64, availableAt i64
const SLOT = TICKETS + 16 * MAX_UNSTAKE_TICKETS;
const READ = SLOT + 8;
const ROW = READ + 4;
/** Rows per buffer (about 2 MB each). */
const CHUNK_ROWS = 8_192;
const U64 = (1n << 64n) - 1n;

export class PositionTable {
  /** Owner → row, in the order the rows were last written or touched (oldest first). */
  private readonly rows = new Map<string, number>();
  /** Row → owner (the Map's own key strings), for finding a position by its address. */
  private readonly owners: (string | undefined)[] = [];
  private readonly chunks: Buffer[] = [];
  private readonly free: number[] = [];

  get size(): number {
    return this.rows.size;
  }

  has(owner: string): boolean {
    return this.rows.has(owner);
  }

  /** Owners, least recently written or touched first (a Map's iterator: see `Map`). */
  keys(): IterableIterator<string> {
    return this.rows.keys();
  }

  /** The least recently written or touched owner. */
  oldest(): string | undefined {
    return this.rows.keys().next().value;
  }

  /** `owner`'s position, built from its row. */
  get(owner: string): PositionEntry | undefined {
    const row = this.rows.get(owner);
    if (row === undefined) return undefined;
    const [chunk, at] = this.place(row);
    const u64 = (offset: number) => chunk.readBigUInt64LE(at + offset);
    const tickets: UnstakeTicket[] = [];
    for (let i = 0, t = at + TICKETS; i < chunk[at + TICKET_COUNT]; i++, t += 16) {
      tickets.push({ amount: chunk.readBigUInt64LE(t), availableAt: chunk.readBigInt64LE(t + 8) });
    }
    return {
      address: chunk.toString("latin1", at + ADDRESS, at + ADDRESS + chunk[at + ADDRESS_LENGTH]),
      owner,
      bump: chunk[at + BUMP],
      staked: u64(STAKED),
      unstaking: u64(UNSTAKING),
      rewardCheckpoint: u64(REWARD_CHECKPOINT) | (u64(REWARD_CHECKPOINT + 8) << 64n),
      owedRewards: u64(OWED_REWARDS),
      totalClaimed: u64(TOTAL_CLAIMED),
      unstakeTickets: tickets,
      boostWarmupAmount: u64(BOOST_WARMUP_AMOUNT),
      boostWarmupEndsAt: chunk.readBigInt64LE(at + BOOST_WARMUP_ENDS_AT),
      slot: chunk.readDoubleLE(at + SLOT),
      read: chunk.readUInt32LE(at + READ),
    };
  }

  /** Stores `entry` as its owner's position (the most recently written). */
  set(entry: PositionEntry): void {
    let row = this.rows.get(entry.owner);
    if (row === undefined) {
      row = this.free.pop() ?? this.owners.length;
      if (row === this.owners.length) this.owners.push(undefined);
    } else {
      this.rows.delete(entry.owner);
    }
    this.rows.set(entry.owner, row);
    this.owners[row] = entry.owner;
    const [chunk, at] = this.place(row);
    chunk.fill(0, at, at + ROW);
    chunk[at + ADDRESS_LENGTH] = chunk.write(entry.address, at + ADDRESS, ADDRESS_MAX, "latin1");
    chunk[at + BUMP] = entry.bump;
    chunk.writeBigUInt64LE(entry.staked, at + STAKED);
    chunk.writeBigUInt64LE(entry.unstaking, at + UNSTAKING);
    chunk.writeBigUInt64LE(entry.rewardCheckpoint & U64, at + REWARD_CHECKPOINT);
    chunk.writeBigUInt64LE(entry.rewardCheckpoint >> 64n, at + REWARD_CHECKPOINT + 8);
    chunk.writeBigUInt64LE(entry.owedRewards, at + OWED_REWARDS);
    chunk.writeBigUInt64LE(entry.totalClaimed, at + TOTAL_CLAIMED);
    chunk.writeBigUInt64LE(entry.boostWarmupAmount, at + BOOST_WARMUP_AMOUNT);
    chunk.writeBigInt64LE(entry.boostWarmupEndsAt, at + BOOST_WARMUP_ENDS_AT);
    chunk[at + TICKET_COUNT] = entry.unstakeTickets.length;
    entry.unstakeTickets.forEach((ticket, i) => {
      chunk.writeBigUInt64LE(ticket.amount, at + TICKETS + 16 * i);
      chunk.writeBigInt64LE(ticket.availableAt, at + TICKETS + 16 * i + 8);
    });
    chunk.writeDoubleLE(entry.slot, at + SLOT);
    chunk.writeUInt32LE(entry.read, at + READ);
  }

  delete(owner: string): boolean {
    const row = this.rows.get(owner);
    if (row === undefined) return false;
    this.rows.delete(owner);
    this.owners[row] = undefined;
    this.free.push(row);
    return true;
  }

  /** Makes `owner` the most recently used (the on-demand cache drops the oldest). */
  touch(owner: string): void {
    const row = this.rows.get(owner);
    if (row === undefined) return;
    this.rows.delete(owner);
    this.rows.set(owner, row);
  }

  /** The slot `owner`'s position was read at (undefined: none held). */
  slotOf(owner: string): number | undefined {
    const row = this.rows.get(owner);
    if (row === undefined) return undefined;
    const [chunk, at] = this.place(row);
    return chunk.readDoubleLE(at + SLOT);
  }

  /** The full read that last saw `owner`'s position (undefined: none held). */
  readOf(owner: string): number | undefined {
    const row = this.rows.get(owner);
    if (row === undefined) return undefined;
    const [chunk, at] = this.place(row);
    return chunk.readUInt32LE(at + READ);
  }

  /** Records that `owner`'s position was seen at `slot` and by full read `read` (if given). */
  seen(owner: string, slot: number, read?: number): void {
    const row = this.rows.get(owner);
    if (row === undefined) return;
    const [chunk, at] = this.place(row);
    chunk.writeDoubleLE(slot, at + SLOT);
    if (read !== undefined) chunk.writeUInt32LE(read, at + READ);
  }

  /**
   * The owner of the position at `address`, if held: a search of the rows' bytes, one buffer
   * per turn of the event loop (`between`).
   */
  async ownerAt(address: string, between: () => Promise<void>): Promise<string | undefined> {
    const bytes = Buffer.from(address, "latin1");
    for (let c = 0; c < this.chunks.length; c++) {
      if (c > 0) await between();
      const chunk = this.chunks[c];
      for (let found = chunk.indexOf(bytes); found >= 0; found = chunk.indexOf(bytes, found + 1)) {
        const at = found - ADDRESS;
        if (at % ROW !== 0 || chunk[at + ADDRESS_LENGTH] !== bytes.length) continue;
        const owner = this.owners[c * CHUNK_ROWS + at / ROW];
        if (owner !== undefined) return owner;
      }
    }
    return undefined;
  }

  /** The buffer holding `row` and the row's offset in it (allocated as rows are first used). */
  private place(row: number): [Buffer, number] {
    const c = Math.floor(row / CHUNK_ROWS);
    while (this.chunks.length <= c) this.chunks.push(Buffer.alloc(CHUNK_ROWS * ROW));
    return [this.chunks[c], (row % CHUNK_ROWS) * ROW];
  }
}
