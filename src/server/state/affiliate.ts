// One affiliate as the server stores it: an opaque data blob and an
// append-only list of opaque endpoint blobs, each with its own expiry
// (discovery protocol §3.2, §7.3, §7.4). Times are milliseconds since the
// epoch and always passed in.

import { type DiscoveryError, MESSAGES, resourceExhausted } from "./errors.js";
import { MAX_ENDPOINTS_PER_AFFILIATE } from "./limits.js";

/** The server's view of an affiliate, shaped like the wire `Affiliate`. */
export interface AffiliateView {
  readonly id: string;
  readonly data: Buffer;
  readonly endpoints: readonly Buffer[];
}

export interface EndpointRecord {
  readonly data: Buffer;
  expiresAt: number;
}

export interface MergeResult {
  /** At least one new endpoint was appended. */
  readonly changed: boolean;
  /** Set when the endpoint cap stopped the merge; earlier endpoints stay applied. */
  readonly error?: DiscoveryError;
}

/** What one garbage-collection pass did to an affiliate. */
export type CollectOutcome = "expired" | "trimmed" | "kept";

const EMPTY = Buffer.alloc(0);

export class AffiliateRecord {
  private currentData: Buffer = EMPTY;
  private readonly endpointList: EndpointRecord[] = [];

  constructor(
    readonly id: string,
    public expiresAt: number,
  ) {}

  get data(): Buffer {
    return this.currentData;
  }

  get endpoints(): readonly EndpointRecord[] {
    return this.endpointList;
  }

  /** Replaces the data; the expiry follows the update even when it moves earlier. */
  setData(data: Buffer, expiresAt: number): void {
    this.currentData = data;
    this.expiresAt = expiresAt;
  }

  /**
   * Merges endpoints in request order: a byte-equal one only has its expiry
   * raised, a new one is appended. The affiliate's own expiry is raised too,
   * because an endpoint update proves the affiliate is still reported.
   */
  mergeEndpoints(endpoints: readonly Buffer[], expiresAt: number): MergeResult {
    let changed = false;
    let error: DiscoveryError | undefined;
    for (const data of endpoints) {
      const existing = this.endpointList.find((e) => e.data.equals(data));
      if (existing) {
        existing.expiresAt = Math.max(existing.expiresAt, expiresAt);
        continue;
      }
      if (this.endpointList.length >= MAX_ENDPOINTS_PER_AFFILIATE) {
        error = resourceExhausted(MESSAGES.tooManyEndpoints);
        break;
      }
      this.endpointList.push({ data, expiresAt });
      changed = true;
    }
    this.extendExpiry(expiresAt);
    return error ? { changed, error } : { changed };
  }

  extendExpiry(expiresAt: number): void {
    this.expiresAt = Math.max(this.expiresAt, expiresAt);
  }

  /** Restores an endpoint exactly as saved (state file load); no limits apply. */
  restoreEndpoint(data: Buffer, expiresAt: number): void {
    this.endpointList.push({ data, expiresAt });
  }

  /**
   * The affiliate expires strictly after its expiry time; an endpoint expires
   * at its expiry time (the protocol's asymmetry, kept on purpose).
   */
  collect(now: number): CollectOutcome {
    if (this.expiresAt < now) return "expired";
    const before = this.endpointList.length;
    let kept = 0;
    for (const endpoint of this.endpointList) {
      if (endpoint.expiresAt > now) this.endpointList[kept++] = endpoint;
    }
    this.endpointList.length = kept;
    return kept === before ? "kept" : "trimmed";
  }

  view(): AffiliateView {
    return { id: this.id, data: this.currentData, endpoints: this.endpointList.map((e) => e.data) };
  }
}
