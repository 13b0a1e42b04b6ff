// Summarises a V8 .cpuprofile (node --cpu-prof) over a time window: where
// the main thread spent its samples, by function, as a share of the window.
// Self time says what burns the CPU; inclusive time over the project's own
// functions says which step of a pass it is spent in.

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock. */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionShare {
  function: string;
  /** Share of all samples in the window, idle included: ≈ % of one core. */
  pct: number;
}

export interface ProfileSummary {
  samples: number;
  busy_pct: number;
  self_top: FunctionShare[];
  /** Functions under dist/src only, each sample counted once per function. */
  inclusive_top_own_code: FunctionShare[];
}

const TOP = 15;
const OWN_CODE = "/dist/src/";

function label(frame: CallFrame): string {
  const name = frame.functionName || "(anonymous)";
  if (frame.url === "") return name;
  const at = frame.url.indexOf(OWN_CODE);
  const file = at >= 0 ? frame.url.slice(at + OWN_CODE.length) : frame.url.replace(/^.*\//, "");
  return `${name} ${file}:${frame.lineNumber + 1}`;
}

/** Samples taken in [fromUs, toUs] (the profile's monotonic microseconds). */
export function summariseProfile(profile: CpuProfile, fromUs: number, toUs: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let at = profile.startTime;
  for (const [i, id] of profile.samples.entries()) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < fromUs || at > toUs) continue;
    total++;
    const node = byId.get(id)!;
    const name = label(node.callFrame);
    if (node.callFrame.functionName === "(idle)") idle++;
    self.set(name, (self.get(name) ?? 0) + 1);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const frame = byId.get(n)!.callFrame;
      if (!frame.url.includes(OWN_CODE)) continue;
      const key = label(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + 1);
    }
  }
  const top = (counts: Map<string, number>, skip: (name: string) => boolean) =>
    [...counts]
      .filter(([name]) => !skip(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([name, count]) => ({ function: name, pct: pct(count, total) }));
  return {
    samples: total,
    busy_pct: pct(total - idle, total),
    self_top: top(self, (name) => name === "(idle)"),
    inclusive_top_own_code: top(inclusive, () => false),
  };
}

function pct(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;
}
