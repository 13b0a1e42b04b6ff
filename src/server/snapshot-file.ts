// State file I/O: atomic writes (temporary file, fsync, rename) and a
// record-by-record reader that never holds more than one cluster in memory
// and refuses oversized records before reading them.
import { open, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { syncDirectory } from "../util/atomic-file.js";
import { CLUSTER_RECORD_TAG, MAX_CLUSTER_RECORD_BYTES, SnapshotFormatError } from "./snapshot.js";

/** Records are written in batches of about this size to keep the syscall count low. */
const WRITE_BATCH_BYTES = 1 << 20;

/**
 * Writes the records to `<path>.tmp`, flushes it to disk and renames it over
 * `path`, so a crash leaves either the old file or the new one, never half of
 * one. Returns the number of bytes written.
 */
export async function writeSnapshotFile(path: string, records: Iterable<Uint8Array>): Promise<number> {
  const tmp = `${path}.tmp`;
  const file = await open(tmp, "w", 0o600);
  let total = 0;
  try {
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    for (const record of records) {
      batch.push(record);
      batchBytes += record.length;
      if (batchBytes >= WRITE_BATCH_BYTES) {
        await file.writev(batch);
        total += batchBytes;
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length > 0) await file.writev(batch);
    total += batchBytes;
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  // Makes the rename durable; not every filesystem allows it, which is harmless.
  await syncDirectory(dirname(path)).catch(() => {});
  return total;
}

interface Varint {
  readonly value: number;
  readonly size: number;
}

/** Reads a varint from `bytes` at `offset`; undefined if it does not end inside `bytes`. */
function readVarint(bytes: Uint8Array, offset: number, limit: number): Varint | undefined {
  let value = 0;
  let scale = 1;
  for (let i = offset; i < limit && i - offset < 10; i++) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return { value, size: i - offset + 1 };
  }
  return undefined;
}

/** Longest record header: a 10-byte tag varint and a 10-byte length varint. */
const HEADER_BYTES = 20;

/**
 * Yields the payload of every cluster record in the file. Other top-level
 * fields are skipped as protobuf requires. Throws SnapshotFormatError on a
 * truncated file, an unknown wire type or a record above the size limit.
 */
export async function* readClusterRecords(path: string): AsyncGenerator<Uint8Array> {
  const file = await open(path, "r");
  try {
    const size = (await file.stat()).size;
    const header = Buffer.alloc(HEADER_BYTES);
    let position = 0;
    while (position < size) {
      const { bytesRead } = await file.read(header, 0, HEADER_BYTES, position);
      const tag = readVarint(header, 0, bytesRead);
      if (!tag || tag.value === 0) throw new SnapshotFormatError(`bad field tag at byte ${position}`);
      const wireType = tag.value % 8;
      let length: number;
      let headerSize = tag.size;
      if (wireType === 0) {
        const skipped = readVarint(header, tag.size, bytesRead);
        if (!skipped) throw new SnapshotFormatError(`truncated varint at byte ${position}`);
        length = 0;
        headerSize += skipped.size;
      } else if (wireType === 1 || wireType === 5) {
        length = wireType === 1 ? 8 : 4;
      } else if (wireType === 2) {
        const prefix = readVarint(header, tag.size, bytesRead);
        if (!prefix) throw new SnapshotFormatError(`truncated length at byte ${position}`);
        length = prefix.value;
        headerSize += prefix.size;
      } else {
        throw new SnapshotFormatError(`unsupported wire type ${wireType} at byte ${position}`);
      }
      if (tag.value === CLUSTER_RECORD_TAG && length > MAX_CLUSTER_RECORD_BYTES) {
        throw new SnapshotFormatError("cluster snapshot is above the maximum size");
      }
      const start = position + headerSize;
      if (start + length > size) {
        throw new SnapshotFormatError(
          `file is truncated: a field at byte ${position} needs ${length} bytes, ${size - start} remain`,
        );
      }
      position = start + length;
      if (tag.value !== CLUSTER_RECORD_TAG) continue;
      const payload = Buffer.allocUnsafe(length);
      const read = await file.read(payload, 0, length, start);
      if (read.bytesRead !== length) throw new SnapshotFormatError(`short read at byte ${start}`);
      yield payload;
    }
  } finally {
    await file.close();
  }
}

/** Moves an unusable state file out of the way so the next save does not destroy the evidence. */
export async function moveAside(path: string, now: Date): Promise<string> {
  const target = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, "-")}`;
  await rename(path, target);
  return target;
}
