// `kubespanctl status`: the whole node on one screen.
import type { DiscoveryService, Rejection, Status } from "../../gen/kubespan/v1/api.js";
import { colorState } from "./color.js";
import type { RenderContext } from "./context.js";
import { peerSummary, renderPeersTable } from "./peers.js";
import { cell, renderFields, renderTable } from "./table.js";
import { formatAgo } from "./units.js";

function identitySection(status: Status): string {
  const identity = status.identity;
  const subnet = identity?.subnet ? ` (subnet ${identity.subnet})` : "";
  const fields: [string, string][] = [
    ["Node ID", identity?.nodeId ?? ""],
    ["Public key", identity?.publicKey ?? ""],
    ["Address", identity?.address ? `${identity.address}${subnet}` : ""],
  ];
  if (status.version) fields.push(["Daemon", `kubespand ${status.version}`]);
  return renderFields(fields);
}

function discoverySection(services: readonly DiscoveryService[], ctx: RenderContext): string {
  const title = `${ctx.palette.bold("Discovery")}\n`;
  if (services.length === 0) return `${title}no discovery service configured\n`;
  const rows = services.map((service) => [
    service.endpoint,
    colorState(ctx.palette, service.state),
    formatAgo(ctx.now, service.dataUpdatedAt),
    cell(service.publicIp),
    String(service.affiliates),
    service.lastError ? ctx.palette.red(service.lastError) : "-",
  ]);
  return (
    title + renderTable(["SERVICE", "STATE", "LAST DATA", "PUBLIC IP", "AFFILIATES", "LAST ERROR"], rows)
  );
}

function meshSection(status: Status, ctx: RenderContext): string {
  const backend = status.backend
    ? `${status.backend} on ${cell(status.interface)}${status.backendReason ? ` (${status.backendReason})` : ""}`
    : "not set up yet";
  const lastPass = status.lastReconcileAt ? `last pass ${formatAgo(ctx.now, status.lastReconcileAt)}` : "";
  let reconcile = lastPass ? `ok, ${lastPass}` : "not run yet";
  if (status.reconcileError) {
    reconcile = ctx.palette.red(`error: ${status.reconcileError}`) + (lastPass ? ` (${lastPass})` : "");
  }
  return renderFields([
    ["WireGuard", backend],
    ["Reconcile", reconcile],
  ]);
}

function peersSection(status: Status, ctx: RenderContext): string {
  const title = `${ctx.palette.bold("Peers")}\n`;
  const table = status.peers.length > 0 ? renderPeersTable(status.peers, ctx) : "";
  return `${title}${table}${peerSummary(status.peers)}\n`;
}

function rejectionsSection(status: Status, ctx: RenderContext): string {
  // Overlap winners are node IDs; show the peer's name when we know it.
  const names = new Map(status.peers.filter((p) => p.label).map((p) => [p.nodeId, p.label]));
  const name = (nodeId: string, label = "") => label || names.get(nodeId) || nodeId;
  const rows = status.rejections.map((r: Rejection) => [
    name(r.nodeId, r.label),
    cell(r.claim),
    ctx.palette.red(r.reason),
    r.winner ? name(r.winner) : "-",
  ]);
  const title = `${ctx.palette.bold("Rejected claims and overlaps")}\n`;
  return title + renderTable(["NODE", "CLAIM", "REASON", "KEPT BY"], rows);
}

export function renderStatus(status: Status, ctx: RenderContext): string {
  const sections = [
    identitySection(status),
    discoverySection(status.discovery, ctx),
    meshSection(status, ctx),
    peersSection(status, ctx),
  ];
  if (status.rejections.length > 0) sections.push(rejectionsSection(status, ctx));
  return sections.join("\n");
}
