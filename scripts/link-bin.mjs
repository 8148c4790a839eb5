// After the build: make `npx mailwarden` work inside this checkout. npm links the bins of
// dependencies into node_modules/.bin, but not the project's own; this does that one link.
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', 'cli', 'main.js');
const bin = join(root, 'node_modules', '.bin', 'mailwarden');
chmodSync(target, 0o755);
mkdirSync(dirname(bin), { recursive: true });
rmSync(bin, { force: true });
symlinkSync(relative(dirname(bin), target), bin);
