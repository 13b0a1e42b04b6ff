// The peers table, shared by `status` and `get peers`, and the one-line
// explanations of why a peer is not up.
import type { CandidateAttempt, PeerStatus } from "../../gen/kubespan/v1/api.js";
import { colorState } from "./color.js";
import type { RenderContext } from "./context.js";
import { cell, renderTable } from "./table.js";
import { formatAgo, formatBytes, formatDuration } from "./units.js";

export function peerName(peer: PeerStatus): string {
  return peer.label || peer.nodeId || peer.publicKey;
}

/** "10.0.0.2:51820 timeout 6s, [2001:db8::2]:51820 trying" */
export function describeCandidates(candidates: readonly CandidateAttempt[]): string {
  return candidates
    .map((attempt) => {
      const took =
        attempt.endedAt > attempt.startedAt ? ` ${formatDuration(attempt.endedAt - attempt.startedAt)}` : "";
      // "rejected:<why>" on the wire; the parenthesised form reads better in a comma list.
      const outcome = attempt.outcome.replace(/^rejected:(.*)$/, "rejected ($1)");
      return `${attempt.endpoint} ${outcome}${took}`;
    })
    .join(", ");
}

/** Why a peer is not up: the daemon's reason, then every candidate tried. */
export function notUpReason(peer: PeerStatus): string {
  if (peer.state === "up") return "";
  return [peer.reason, describeCandidates(peer.candidates)].filter((part) => part !== "").join(": ");
}

export function renderPeersTable(peers: readonly PeerStatus[], ctx: RenderContext): string {
  const sorted = [...peers].sort((a, b) => peerName(a).localeCompare(peerName(b)));
  const withReason = sorted.some((peer) => peer.state !== "up");
  const headers = ["NAME", "STATE", "ENDPOINT", "LAST HANDSHAKE", "RX", "TX"];
  const rows = sorted.map((peer) => {
    const row = [
      peerName(peer),
      colorState(ctx.palette, peer.state),
      cell(peer.endpoint),
      formatAgo(ctx.now, peer.lastHandshakeAt),
      formatBytes(peer.receiveBytes),
      formatBytes(peer.transmitBytes),
    ];
    return withReason ? [...row, cell(notUpReason(peer))] : row;
  });
  return renderTable(withReason ? [...headers, "REASON"] : headers, rows);
}

/** "3 peers: 2 up, 1 down" (unknown and other states only when present). */
export function peerSummary(peers: readonly PeerStatus[]): string {
  if (peers.length === 0) return "no peers";
  const counts = new Map<string, number>([
    ["up", 0],
    ["down", 0],
  ]);
  for (const peer of peers) counts.set(peer.state, (counts.get(peer.state) ?? 0) + 1);
  const parts = [...counts].filter(([state, n]) => n > 0 || state === "up" || state === "down");
  const noun = peers.length === 1 ? "peer" : "peers";
  return `${peers.length} ${noun}: ${parts.map(([state, n]) => `${n} ${state}`).join(", ")}`;
}
