// Bounded metric label for a client's version string (discovery protocol
// §7.13): "v1.8.3" → "v1.8", "v1.8.0-beta.1" → "v1.8-pre", else "unknown".
//
// The spec bounds major and minor to three characters each; we also require
// them to be digits so that a client cannot mint arbitrary label values.
const RELEASE = /^v(\d{1,3})\.(\d{1,3})\./;

export function clientVersionLabel(version: string): string {
  const dash = version.indexOf("-");
  const release = dash < 0 ? version : version.slice(0, dash);
  const match = RELEASE.exec(release);
  if (!match) return "unknown";
  return `v${match[1]}.${match[2]}${dash < 0 ? "" : "-pre"}`;
}
