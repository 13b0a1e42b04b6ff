// HTML for the landing listener. The inspect page shows exactly what List
// returns (IDs and ciphertext in hex) and is off unless the operator enables it.
import type { AffiliateView } from "./state/affiliate.js";

export const LANDING_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>KubeSpan discovery service</title></head>
<body>
<h1>KubeSpan discovery service</h1>
<p>This server helps the members of a KubeSpan (WireGuard) mesh find each other. It speaks the
Talos discovery protocol over gRPC.</p>
<p>Members encrypt everything they publish with their cluster's secret before sending it. The server
stores and forwards ciphertext only: it sees cluster and member identifiers, client addresses,
the sizes and timing of updates and whether two encrypted endpoints are equal, but never node
names, addresses, keys or any other content.</p>
<p>Records expire after at most 30 minutes without an update.</p>
<p><a href="/stats">/stats</a> reports how many members are registered.</p>
</body>
</html>
`;

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function inspectPage(clusterId: string, affiliates: readonly AffiliateView[]): string {
  const rows = affiliates
    .map(
      (a) =>
        `<tr><td>${escapeHtml(a.id)}</td><td><code>${a.data.toString("hex")}</code></td>` +
        `<td>${a.endpoints.map((e) => `<code>${e.toString("hex")}</code>`).join("<br>")}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Cluster ${escapeHtml(clusterId)}</title></head>
<body>
<h1>Cluster ${escapeHtml(clusterId)}</h1>
<p>${affiliates.length} affiliate(s); data and endpoints are ciphertext, shown in hex.</p>
<table>
<tr><th>ID</th><th>data</th><th>endpoints</th></tr>
${rows}
</table>
</body>
</html>
`;
}
