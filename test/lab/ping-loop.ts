// A continuous ping through the mesh for scenarios that count lost packets
// while something is broken and repaired underneath.
import type { ChildProcess } from "node:child_process";
import type { Lab, Netns } from "./netns.js";

// Longer than any scenario's run: the ping is always stopped with SIGINT.
const PING_COUNT_LIMIT = 5_000;

export interface PingResult {
  transmitted: number;
  /** Sequence numbers that were sent and never answered (the last one excepted, see stop()). */
  lost: number[];
  /** The longest time between two consecutive replies, in seconds: how long traffic stopped. */
  longestGapS: number;
  replies: number;
}

/** A continuous ping at 5/s; late replies (up to 3 s) still count as received. */
export function startPing(lab: Lab, ns: Netns, address: string): { stop(): Promise<PingResult> } {
  const pinger: ChildProcess = lab.spawn(ns, [
    "ping",
    "-6",
    "-D",
    "-i",
    "0.2",
    "-W",
    "3",
    "-c",
    String(PING_COUNT_LIMIT),
    address,
  ]);
  let output = "";
  pinger.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  return {
    async stop() {
      // "close", not "exit": stdout may still hold output when the process exits.
      const exited = new Promise((r) => pinger.once("close", r));
      pinger.kill("SIGINT");
      await exited;
      const transmitted = Number(/(\d+) packets transmitted/.exec(output)?.[1] ?? 0);
      // Only echo replies count: "From …: icmp_seq=N Destination unreachable" is a loss.
      const replies = [...output.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+)/gm)];
      const replied = new Set(replies.map((m) => Number(m[2])));
      // The last request may still be in flight when SIGINT arrives; that is
      // the measurement ending, not the mesh dropping it.
      const lost: number[] = [];
      for (let seq = 1; seq < transmitted; seq++) if (!replied.has(seq)) lost.push(seq);
      const times = replies.map((m) => Number(m[1]));
      let longestGapS = 0;
      for (let i = 1; i < times.length; i++) longestGapS = Math.max(longestGapS, times[i]! - times[i - 1]!);
      return { transmitted, lost, longestGapS, replies: replies.length };
    },
  };
}
