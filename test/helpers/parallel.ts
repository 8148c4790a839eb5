/** Runs `work` on every item with `n` workers, each taking the next item when it is free. */
export async function inParallel<T>(items: readonly T[], n: number, work: (item: T, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async (_, worker) => {
      while (next < items.length) await work(items[next++]!, worker);
    }),
  );
}
