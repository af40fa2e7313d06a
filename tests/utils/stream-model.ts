/**
 * An exact model of what stakers are owed, independent of the program's integer math: revenue's
 * stakers' half is released linearly until `streamEnd` (nothing is released, and the end moves
 * out, while nobody stakes), and each release is shared by earning stake at that moment, in exact
 * rationals. A deposit adds to what remains, and the stream then ends where the protocol's rule
 * puts it (`mergedStreamEnd`: within a period, never slowing what was already streaming). The
 * program floors at every step; the difference per staker is its rounding, at most one unit per
 * interaction.
 */
import { mergedStreamEnd } from "../../app/sdk/src";

export class Fraction {
  constructor(
    readonly num: bigint,
    readonly den: bigint = 1n,
  ) {}

  add(o: Fraction): Fraction {
    return new Fraction(this.num * o.den + o.num * this.den, this.den * o.den).reduced();
  }

  sub(o: Fraction): Fraction {
    return this.add(new Fraction(-o.num, o.den));
  }

  mul(n: bigint, d: bigint = 1n): Fraction {
    return new Fraction(this.num * n, this.den * d).reduced();
  }

  /** Rounded down to an integer. */
  floor(): bigint {
    const q = this.num / this.den;
    return this.num < 0n && q * this.den !== this.num ? q - 1n : q;
  }

  toNumber(): number {
    return Number(this.num) / Number(this.den);
  }

  private reduced(): Fraction {
    const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
    const g = gcd(this.num, this.den) || 1n;
    return new Fraction(this.num / g, this.den / g);
  }
}

export class StreamModel {
  private remaining = new Fraction(0n);
  private streamEnd = 0;
  private last = 0;
  private readonly stake = new Map<string, bigint>();
  readonly earned = new Map<string, Fraction>();

  constructor(private readonly periodSecs: number) {}

  private get totalStake(): bigint {
    let total = 0n;
    for (const s of this.stake.values()) total += s;
    return total;
  }

  /** Releases the stream up to `t` and shares it by stake. */
  advance(t: number): void {
    if (t <= this.last) return;
    const total = this.totalStake;
    if (total === 0n) {
      if (this.remaining.num > 0n) this.streamEnd += t - this.last;
    } else if (this.remaining.num > 0n) {
      const released =
        t >= this.streamEnd
          ? this.remaining
          : this.remaining.mul(BigInt(t - this.last), BigInt(this.streamEnd - this.last));
      this.remaining = this.remaining.sub(released);
      for (const [who, s] of this.stake) {
        if (s === 0n) continue;
        this.earned.set(
          who,
          (this.earned.get(who) ?? new Fraction(0n)).add(released.mul(s, total)),
        );
      }
    }
    this.last = t;
  }

  /**
   * `toStakers` of revenue at time `t`; returns when the stream now ends. The end rule reads
   * what remains in whole base units, as the program holds it (`heldRemaining`, the stream's
   * remaining just before the deposit): the program's floors leave that within about a unit of
   * the model's exact remaining, and the rule's floor of seconds would otherwise differ by one.
   */
  deposit(t: number, toStakers: bigint, heldRemaining: bigint): number {
    this.advance(t);
    this.streamEnd = Number(
      mergedStreamEnd(
        heldRemaining,
        BigInt(this.streamEnd),
        toStakers,
        BigInt(t),
        BigInt(this.periodSecs),
      ),
    );
    this.remaining = this.remaining.add(new Fraction(toStakers));
    return this.streamEnd;
  }

  /** When the stream ends. */
  get end(): number {
    return this.streamEnd;
  }

  /** `who`'s earning stake becomes `stake` at time `t`. */
  setStake(t: number, who: string, stake: bigint): void {
    this.advance(t);
    this.stake.set(who, stake);
  }

  earnedBy(who: string): Fraction {
    return this.earned.get(who) ?? new Fraction(0n);
  }
}
