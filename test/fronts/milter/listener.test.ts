/**
 * The milter listener on its two transports: what it asks of the MTA at negotiation (every step
 * answered on TCP, only the end of the body on a unix socket, where no Nagle/delayed-ACK stall
 * exists), the unix socket's permissions, and a stale socket left by a killed process.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader } from '../../../src/fronts/milter/codec.js';
import { MILTER_ACTIONS, MILTER_MACROS, milterProtocolFor } from '../../../src/fronts/milter/negotiation.js';
import { Protocol } from '../../../src/fronts/milter/protocol.js';
import { groupId, listenMilter, type MilterListen, type MilterServer } from '../../../src/fronts/milter/server.js';
import { memoryLogger } from '../smtp/harness.js';

const ALL_NO_REPLY = Protocol.NoReplyConnect | Protocol.NoReplyHelo | Protocol.NoReplyMail | Protocol.NoReplyRcpt | Protocol.NoReplyData | Protocol.NoReplyHeader | Protocol.NoReplyEndOfHeaders | Protocol.NoReplyBody;

let dir: string;
let servers: MilterServer[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-milter-listener-'));
  servers = [];
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close(100)));
  await rm(dir, { recursive: true, force: true });
});

async function start(listen: MilterListen, socketMode?: number, socketGroup?: string): Promise<MilterServer> {
  const { logger } = memoryLogger();
  const server = await listenMilter({
    listen,
    ...(socketMode !== undefined ? { socketMode } : {}),
    ...(socketGroup !== undefined ? { socketGroup } : {}),
    session: { actions: MILTER_ACTIONS, protocol: milterProtocolFor(listen), macroLists: MILTER_MACROS },
    handler: () => ({ startMessage: () => Promise.reject(new Error('no messages in this test')) }),
    maxConnections: 10,
    idleTimeoutMs: 5_000,
    logger,
  });
  servers.push(server);
  return server;
}

/** Offers version 6, every action and every protocol flag, as a generous MTA; returns the protocol flags granted. */
async function negotiate(socket: Socket): Promise<number> {
  await once(socket, 'connect');
  const offer = Buffer.alloc(12);
  offer.writeUInt32BE(6, 0);
  offer.writeUInt32BE(0x1ff, 4);
  offer.writeUInt32BE(0x1fffff, 8);
  socket.write(encodeFrame('O', offer));
  const reader = new FrameReader();
  for await (const chunk of socket) {
    const [frame] = reader.push(chunk as Buffer);
    if (!frame) continue;
    socket.destroy();
    expect(frame.code).toBe('O');
    return frame.data.readUInt32BE(8);
  }
  throw new Error('no negotiation reply');
}

describe('milter listener', () => {
  it('on TCP asks for no "no reply" flag: every step is answered (Nagle and delayed ACK would stall Postfix)', async () => {
    const server = await start({ host: '127.0.0.1', port: 0 });
    const { port } = server.address() as { port: number };
    const granted = await negotiate(connect(port, '127.0.0.1'));
    expect(granted & ALL_NO_REPLY).toBe(0);
    expect(granted & Protocol.HeaderLeadingSpace).toBe(Protocol.HeaderLeadingSpace);
  });

  it('on a unix socket asks the MTA not to wait for any step before the end of the body', async () => {
    const path = join(dir, 'milter.sock');
    await start({ path }, 0o660);
    const granted = await negotiate(connect(path));
    expect(granted & ALL_NO_REPLY).toBe(ALL_NO_REPLY);
    expect(granted & Protocol.HeaderLeadingSpace).toBe(Protocol.HeaderLeadingSpace);
  });

  it('sets the unix socket to the configured mode (Postfix connects as its own user)', async () => {
    const path = join(dir, 'milter.sock');
    await start({ path }, 0o666);
    expect((await stat(path)).mode & 0o777).toBe(0o666);
  });

  it('gives the unix socket the configured group, by name or by gid, and refuses a group that does not exist', async () => {
    // A group other than ours, from this machine's own /etc/group (Debian always has several).
    const mine = (await stat(dir)).gid;
    const other = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
      .find(([name, , gid]) => name && gid && Number(gid) !== mine && Number(gid) > 0);
    expect(other).toBeDefined();
    const [name, , gid] = other!;
    const byName = join(dir, 'by-name.sock');
    await start({ path: byName }, 0o660, name);
    expect((await stat(byName)).gid).toBe(Number(gid));
    expect((await stat(byName)).mode & 0o777).toBe(0o660);
    const byGid = join(dir, 'by-gid.sock');
    await start({ path: byGid }, 0o660, gid);
    expect((await stat(byGid)).gid).toBe(Number(gid));
    await expect(start({ path: join(dir, 'none.sock') }, 0o660, 'no-such-group-here')).rejects.toThrow(/milter.socketGroup: no group 'no-such-group-here' in \/etc\/group/);
  });

  it('looks a group name up in the group file, and says so when the file cannot be read', () => {
    expect(groupId('1234')).toBe(1234);
    expect(() => groupId('postfix', join(dir, 'missing-group-file'))).toThrow(/cannot read .*missing-group-file.*give its numeric gid/);
  });

  it('replaces a stale socket left by a killed process, and refuses to take one that is in use', async () => {
    const path = join(dir, 'milter.sock');
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(child.stdout!, 'data');
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(existsSync(path)).toBe(true); // the dead process could not remove it
    await start({ path }, 0o660);
    expect(await negotiate(connect(path))).toBeGreaterThan(0);
    await expect(start({ path }, 0o660)).rejects.toThrow(/EADDRINUSE/);
  });
});
