// Atomic file writes: write a temporary file beside the target, then rename over it, so a reader sees the old
// file or the new one, never half of one (rename is atomic within a file system).
import {randomUUID} from 'node:crypto';
import {mkdir, open, rename, rm} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';

export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`);
}

/** Writes chunks to `target` atomically; the temporary file is removed on any failure. */
export async function writeFileAtomic(target: string, chunks: Iterable<Uint8Array | string> | Uint8Array | string): Promise<void> {
  await mkdir(dirname(target), {recursive: true});
  const temp = tempPathFor(target);
  const handle = await open(temp, 'w');
  try {
    const list = typeof chunks === 'string' || chunks instanceof Uint8Array ? [chunks] : chunks;
    for (const chunk of list) await handle.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    await handle.sync();
    await handle.close();
    await rename(temp, target);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, {force: true});
    throw error;
  }
}
