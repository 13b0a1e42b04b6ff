// Applies Watch messages to the map of known affiliates (discovery spec §6.6).
// Pure: decryption is injected, so hostile records can be tested without a server.
import type { Affiliate } from "../cluster/affiliate.js";

/** A server-side affiliate record: ID in clear, data and endpoints encrypted. */
export interface SealedAffiliate {
  id: string;
  data: Uint8Array;
  endpoints: Uint8Array[];
}

export type OpenResult =
  | { ok: true; affiliate: Affiliate; skippedEndpoints: number }
  | { ok: false; reason: string };

export type Opener = (record: SealedAffiliate) => OpenResult;

export interface WatchMessage {
  affiliates: SealedAffiliate[];
  deleted: boolean;
}

export interface SkippedRecord {
  id: string;
  reason: string;
}

export interface ApplyOutcome {
  affiliates: Map<string, Affiliate>;
  /** With `retainAbsent`: IDs known before that the snapshot did not list (kept, for now). */
  absent: string[];
  skipped: SkippedRecord[];
  skippedEndpoints: number;
}

/**
 * Returns the new map after one message. The first message of every stream
 * is a snapshot and replaces the map (with `retainAbsent`, records it does not
 * list are kept and reported in `absent`, for the caller to expire); later ones carry one upsert or deletion.
 * Our own ID is skipped, data-less records leave any existing entry alone, and
 * records whose decrypted node ID differs from the server-side ID are dropped
 * (a member could otherwise publish under another node's ID).
 */
export function applyWatchMessage(
  current: ReadonlyMap<string, Affiliate>,
  message: WatchMessage,
  isSnapshot: boolean,
  selfId: string,
  open: Opener,
  retainAbsent = false,
): ApplyOutcome {
  const affiliates = isSnapshot && !retainAbsent ? new Map<string, Affiliate>() : new Map(current);
  const skipped: SkippedRecord[] = [];
  let skippedEndpoints = 0;
  for (const record of message.affiliates) {
    if (record.id === selfId) continue;
    if (message.deleted && !isSnapshot) {
      affiliates.delete(record.id);
      continue;
    }
    // Data-less records (created by endpoint-only updates) carry nothing to decrypt.
    if (record.data.length === 0) continue;
    const result = open(record);
    if (!result.ok) {
      skipped.push({ id: record.id, reason: result.reason });
      continue;
    }
    if (result.affiliate.nodeId !== record.id) {
      skipped.push({
        id: record.id,
        reason: `node ID ${JSON.stringify(result.affiliate.nodeId)} differs from record ID`,
      });
      continue;
    }
    skippedEndpoints += result.skippedEndpoints;
    affiliates.set(record.id, result.affiliate);
  }
  const listed = new Set(message.affiliates.map((a) => a.id));
  const absent = isSnapshot && retainAbsent ? [...current.keys()].filter((id) => !listed.has(id)) : [];
  return { affiliates, skipped, skippedEndpoints, absent };
}
