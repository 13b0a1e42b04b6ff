// State file format (discovery protocol §7.9): a protobuf StateSnapshot
// written as one top-level field-1 record per cluster, so the file can be
// written and read one cluster at a time. Pure conversions; file handling is
// in snapshot-file.ts.
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import type { Duration } from "../gen/google/protobuf/duration.js";
import type { Timestamp } from "../gen/google/protobuf/timestamp.js";
import { ClusterSnapshot } from "../gen/sidero/discovery/storage/state.js";
import { AffiliateRecord } from "./state/affiliate.js";
import { ClusterState } from "./state/cluster.js";
import { durationToMs } from "./validate.js";

/**
 * The largest cluster record a loader accepts: a full cluster (1024
 * affiliates × 64 endpoints) with every field at its largest, counted as the
 * ClusterSnapshot payload without its tag and length prefix.
 */
export const MAX_CLUSTER_RECORD_BYTES = 137_912_579;

/** Tag of StateSnapshot field 1 (`clusters`, length-delimited). */
export const CLUSTER_RECORD_TAG = 0x0a;

export class SnapshotFormatError extends Error {
  override name = "SnapshotFormatError";
}

/** Remaining lifetime truncated to whole seconds; negative when already overdue. */
function remaining(expiresAt: number, now: number): Duration {
  return { seconds: Math.trunc((expiresAt - now) / 1000) || 0, nanos: 0 };
}

export function exportCluster(cluster: ClusterState, now: number): ClusterSnapshot {
  return {
    id: cluster.id,
    affiliates: Array.from(cluster.records(), (record) => ({
      id: record.id,
      expiration: undefined,
      data: record.data,
      endpoints: record.endpoints.map((e) => ({
        expiration: undefined,
        data: e.data,
        ttl: remaining(e.expiresAt, now),
      })),
      ttl: remaining(record.expiresAt, now),
    })),
  };
}

/** Relative ttl wins; else the legacy absolute expiration; else the epoch (collected at once). */
function expiry(ttl: Duration | undefined, expiration: Timestamp | undefined, loadedAt: number): number {
  if (ttl) return loadedAt + durationToMs(ttl);
  if (expiration) return expiration.seconds * 1000 + expiration.nanos / 1e6;
  return 0;
}

export function importCluster(snapshot: ClusterSnapshot, loadedAt: number): ClusterState {
  if (snapshot.id === "") throw new SnapshotFormatError("a cluster record has an empty cluster ID");
  const cluster = new ClusterState(snapshot.id);
  for (const affiliate of snapshot.affiliates) {
    if (affiliate.id === "") {
      throw new SnapshotFormatError(
        `cluster ${JSON.stringify(snapshot.id)} has an affiliate with an empty ID`,
      );
    }
    const record = new AffiliateRecord(affiliate.id, expiry(affiliate.ttl, affiliate.expiration, loadedAt));
    if (affiliate.data.length > 0) record.setData(affiliate.data, record.expiresAt);
    for (const endpoint of affiliate.endpoints) {
      record.restoreEndpoint(endpoint.data, expiry(endpoint.ttl, endpoint.expiration, loadedAt));
    }
    cluster.restore(record);
  }
  return cluster;
}

/** One top-level record: tag, varint length, ClusterSnapshot bytes. */
export function encodeClusterRecord(snapshot: ClusterSnapshot): Uint8Array {
  const writer = new BinaryWriter();
  ClusterSnapshot.encode(snapshot, writer.uint32(CLUSTER_RECORD_TAG).fork()).join();
  return writer.finish();
}

/** Decodes one record's payload, rejecting bytes the decoder would silently stop at. */
export function decodeClusterRecord(payload: Uint8Array): ClusterSnapshot {
  const reader = new BinaryReader(payload);
  let snapshot: ClusterSnapshot;
  try {
    snapshot = ClusterSnapshot.decode(reader);
  } catch (err) {
    throw new SnapshotFormatError(`a cluster record is not valid protobuf: ${(err as Error).message}`);
  }
  if (reader.pos !== payload.length) {
    throw new SnapshotFormatError(
      `a cluster record has trailing garbage at byte ${reader.pos} of ${payload.length}`,
    );
  }
  return snapshot;
}
