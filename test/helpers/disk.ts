import { open } from 'node:fs/promises';

/** Writes `path` until its file system is full to the last byte (halving the write size at each ENOSPC). */
export async function fillToTheLastByte(path: string): Promise<void> {
  const fh = await open(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  try {
    for (let size = chunk.length; size >= 1; size = Math.floor(size / 2)) {
      for (;;) {
        try {
          await fh.write(chunk.subarray(0, size));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          break;
        }
      }
    }
  } finally {
    await fh.close();
  }
}
