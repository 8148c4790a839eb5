/**
 * Regenerates the fixture corpus (fixtures/*.eml and fixtures/manifest.yaml).
 * Usage: npx tsx scripts/build-fixtures.ts [--out DIR]   (npm run fixtures)
 */
import { fileURLToPath } from 'node:url';
import { buildFixtures } from './fixture-lib/build.js';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = outIndex >= 0 && args[outIndex + 1] ? args[outIndex + 1]! : fileURLToPath(new URL('../fixtures', import.meta.url));

const result = await buildFixtures(outDir);
console.log(`wrote ${result.files} fixtures (${(result.bytes / 1024 / 1024).toFixed(2)} MB) and manifest.yaml to ${outDir}`);
