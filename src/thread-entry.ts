/**
 * Starts a worker thread on one of our modules, from dist/ (`.js`, what `npm start` runs) or from
 * the TypeScript sources (tests and `tsx`), where the thread must register tsx before it imports.
 * `entry` is the module's `.js` URL next to the caller (new URL('./x-main.js', import.meta.url)).
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startThread(entry: URL, options: WorkerOptions): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(entry, options);
  const source = entry.href.replace(/\.js$/, '.ts');
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
