// Reads the bytes of a packed frame's `packed` (docs/api.md, "Packed frames"): the flags, the
// group's totals, the chain hash, and the children's patches, which only read against the
// snapshot held (a child's number of votes is in the snapshot, not in the bytes).
import type { ChildPatch, Packed, PackedTotals } from './types';

/** Bytes that do not read as the packed layout: the frame cannot be applied. */
class Malformed extends Error {}

/**
 * Reads the numbers of a `packed`: `uint`, an unsigned LEB128 varint (7 bits a byte, least
 * significant first, the high bit set when more follow), and `sint`, a zigzag-mapped one
 * (0, -1, 1, -2 … as 0, 1, 2, 3 …, like protobuf's sint64).
 */
export class PackedReader {
  private at = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.at === this.bytes.length;
  }

  byte(): number {
    const b = this.bytes[this.at];
    if (b === undefined) throw new Malformed('bytes missing');
    this.at++;
    return b;
  }

  /** Multiplies where a varint reader usually shifts: 32-bit bit operations would cut counts past 2^31. */
  uint(): number {
    let value = 0;
    // Eight bytes carry 56 bits: room for every number a JS number holds exactly (below 2^53).
    for (let scale = 1; scale < 2 ** 56; scale *= 128) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(value)) throw new Malformed('a number past 2^53');
        return value;
      }
    }
    throw new Malformed('a varint longer than 8 bytes');
  }

  sint(): number {
    const u = this.uint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  sints(count: number): number[] {
    // Every number takes a byte at least: a count past the bytes left is garbage, not a list to allocate.
    if (count > this.bytes.length - this.at) throw new Malformed(`${count} numbers in ${this.bytes.length - this.at} bytes`);
    return Array.from({ length: count }, () => this.sint());
  }

  hex(length: number): string {
    return Array.from({ length }, () => this.byte().toString(16).padStart(2, '0')).join('');
  }

  rest(): Uint8Array {
    const rest = this.bytes.subarray(this.at);
    this.at = this.bytes.length;
    return rest;
  }
}

/** Reads all of `bytes` with `read`; null when they are malformed, too few or too many. */
function readAll<T>(bytes: Uint8Array, read: (r: PackedReader) => T): T | null {
  const r = new PackedReader(bytes);
  try {
    const out = read(r);
    return r.done ? out : null;
  } catch (e) {
    if (e instanceof Malformed) return null;
    throw e;
  }
}

const HAS_HASH = 1;
const HAS_CHILDREN = 2;
const HASH_BYTES = 32;

/** A frame's `packed`: flags, the group's totals, the chain hash and the children (left packed); null when malformed. */
export function readPacked(bytes: Uint8Array): Packed | null {
  return readAll(bytes, (r) => {
    const flags = r.byte();
    // Another bit would mean another layout: what it adds cannot be skipped safely.
    if (flags & ~(HAS_HASH | HAS_CHILDREN)) throw new Malformed(`flags ${flags}`);
    const [reported, quarantined, total, valid, invalid] = r.sints(5) as [number, number, number, number, number];
    const totals: PackedTotals = { stations: { total, reported, quarantined }, valid, invalid, votes: r.sints(r.uint()) };
    const chainHash = flags & HAS_HASH ? r.hex(HASH_BYTES) : null;
    return { totals, chainHash, children: flags & HAS_CHILDREN ? r.rest() : null };
  });
}

/**
 * A `Delta`'s children, read against the children held: `voteCounts[i]` is how many votes
 * child i holds, which is how many its patch lists. Null when a patch names an index past them,
 * or the bytes do not end with the last patch (a count we hold differs from the server's).
 */
export function readChildren(bytes: Uint8Array, voteCounts: readonly number[]): ChildPatch[] | null {
  return readAll(bytes, (r) => {
    const patches: ChildPatch[] = [];
    let index = -1;
    for (let n = r.uint(); n > 0; n--) {
      // key = (gap << 1) | absolute: the gap is the number of unchanged children skipped.
      const key = r.uint();
      index += 1 + Math.floor(key / 2);
      const votes = voteCounts[index];
      if (votes === undefined) throw new Malformed(`child ${index} of ${voteCounts.length}`);
      const [reported, quarantined, valid, invalid] = r.sints(4) as [number, number, number, number];
      patches.push({ index, absolute: key % 2 === 1, reported, quarantined, valid, invalid, votes: r.sints(votes) });
    }
    return patches;
  });
}
