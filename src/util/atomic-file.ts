// Durable file writes: a crash leaves either the old or the new content, never
// a torn one. Write a temporary file next to the target and fsync it, rename
// it over the target, then fsync the directory so the rename itself survives.
import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** A fresh temporary name next to `path` (hidden, so tools listing the directory skip it). */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
}

/** Creates `path` (failing if it exists), writes `content` and fsyncs it. */
export async function writeNewFile(path: string, content: string | Uint8Array, mode = 0o600): Promise<void> {
  const handle = await open(path, "wx", mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function replaceFileAtomically(
  path: string,
  content: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  const temp = temporaryPath(path);
  try {
    await writeNewFile(temp, content, mode);
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
  await syncDirectory(dirname(path));
}

/** Makes directory entries (a rename, a new file) durable, not just file data. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
