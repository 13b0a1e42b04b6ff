// An ApiSource over plain data, shared by the API and CLI tests. Tests mutate
// the data with update(), which notifies listeners like the daemon would.
import { EventEmitter } from "node:events";
import type { ApiSource } from "../../src/api/source.js";
import type {
  Affiliate,
  EndpointRecord,
  Identity,
  Member,
  PeerSpec,
  PeerStatus,
  Status,
} from "../../src/gen/kubespan/v1/api.js";

export interface FakeData {
  status: Status;
  affiliates: Affiliate[];
  rawAffiliates: Affiliate[];
  members: Member[];
  peerSpecs: PeerSpec[];
  endpoints: EndpointRecord[];
}

export function emptyStatus(): Status {
  return {
    identity: undefined,
    discovery: [],
    backend: "",
    backendReason: "",
    interface: "",
    peers: [],
    reconcileError: "",
    lastReconcileAt: 0,
    rejections: [],
    version: "",
  };
}

export function emptyIdentity(): Identity {
  return { nodeId: "", publicKey: "", address: "", subnet: "", macSource: "", machineId: "" };
}

export function peer(label: string, state: string, fields: Partial<PeerStatus> = {}): PeerStatus {
  return {
    publicKey: `${label}-key`,
    label,
    state,
    endpoint: "",
    lastHandshakeAt: 0,
    receiveBytes: 0,
    transmitBytes: 0,
    lastEndpointChangeAt: 0,
    lastUsedEndpoint: "",
    candidates: [],
    reason: "",
    nodeId: `${label}-id`,
    ...fields,
  };
}

export class FakeSource extends EventEmitter<{ unsubscribed: [] }> implements ApiSource {
  /** When set, every getter throws it. */
  failure: unknown;
  leaveFailure: unknown;
  leaveCalls = 0;
  private readonly subscribers = new Set<() => void>();

  constructor(public data: FakeData) {
    super();
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  update(mutate: (data: FakeData) => void): void {
    mutate(this.data);
    for (const listener of [...this.subscribers]) listener();
  }

  status(): Status {
    return this.read(() => this.data.status);
  }
  identity(): Identity {
    return this.read(() => this.data.status.identity ?? emptyIdentity());
  }
  affiliates(raw: boolean): Affiliate[] {
    return this.read(() => (raw ? this.data.rawAffiliates : this.data.affiliates));
  }
  members(): Member[] {
    return this.read(() => this.data.members);
  }
  peerSpecs(): PeerSpec[] {
    return this.read(() => this.data.peerSpecs);
  }
  peerStatuses(): PeerStatus[] {
    return this.read(() => this.data.status.peers);
  }
  endpoints(): EndpointRecord[] {
    return this.read(() => this.data.endpoints);
  }

  onChange(listener: () => void): () => void {
    const own = () => listener();
    this.subscribers.add(own);
    return () => {
      if (this.subscribers.delete(own)) this.emit("unsubscribed");
    };
  }

  async leave(): Promise<void> {
    this.leaveCalls++;
    if (this.leaveFailure !== undefined) throw this.leaveFailure;
  }

  private read<T>(get: () => T): T {
    if (this.failure !== undefined) throw this.failure;
    return get();
  }
}
