import { afterEach, describe, expect, it } from 'vitest';
import type { DocSpaceSimulator } from '../src';
import { client, fastSim, sleep } from './helpers';

let sim: DocSpaceSimulator;
afterEach(() => sim?.close());

describe('faults', () => {
  it('answers 429 with no body and no Retry-After, unless retryAfter429 is set', async () => {
    sim = fastSim({ faults: { next429: 2 } });
    const api = client(sim);
    for (let i = 0; i < 2; i++) {
      const r = await api.get('people/@self');
      expect(r.status).toBe(429);
      expect(r.text).toBe('');
      expect(r.headers.get('retry-after')).toBeNull();
      expect(r.headers.get('x-ratelimit-limit')).toBeTruthy();
    }
    expect((await api.get('people/@self')).status).toBe(200);
    sim.setFaults({ next429: 1, retryAfter429: 7 });
    expect((await api.get('people/@self')).headers.get('retry-after')).toBe('7');
  });

  it('answers 502/503/504 with an HTML page and does not process the request', async () => {
    sim = fastSim({ faults: { rate5xx: 1 } });
    const room = sim.addRoom({ title: 'R' });
    const r = await client(sim).post(`files/folder/${room}`, { title: 'never' });
    expect([502, 503, 504]).toContain(r.status);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.text).toContain('<html>');
    expect(r.json).toBeUndefined();
    expect(sim.state.childFolderIds(room).size).toBe(0);
    expect(sim.mutations()).toEqual([]);
  });

  it('holds a response back on a hang: the caller times out although the write happened', async () => {
    sim = fastSim({ faults: { hangRate: 1, hangMs: 150 } });
    const room = sim.addRoom({ title: 'R' });
    const call = sim.fetch(`http://p/api/2.0/files/folder/${room}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'ambiguous' }),
      signal: AbortSignal.timeout(30),
    });
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(sim.state.childFolderIds(room).size).toBe(1);
  });

  it('can hang before handling instead, so nothing has happened when the caller gives up', async () => {
    sim = fastSim({ faults: { hangRate: 1, hangMs: 100, hangBeforeHandling: true } });
    const room = sim.addRoom({ title: 'R' });
    const call = sim.fetch(`http://p/api/2.0/files/folder/${room}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}` },
      body: JSON.stringify({ title: 'late' }),
      signal: AbortSignal.timeout(20),
    });
    await expect(call).rejects.toThrow();
    expect(sim.state.childFolderIds(room).size).toBe(0);
  });

  it('adds latencyMs to every API request', async () => {
    sim = fastSim({ faults: { latencyMs: 40 } });
    const started = Date.now();
    await client(sim).get('people/@self');
    expect(Date.now() - started).toBeGreaterThanOrEqual(38);
  });

  it('enforces 50 concurrent GETs and 15 concurrent writes per user with 429s', async () => {
    sim = fastSim({ faults: { enforceUserLimits: true, hangRate: 1, hangMs: 60 } });
    const room = sim.addRoom({ title: 'R' });
    const api = client(sim);
    const gets = await Promise.all(Array.from({ length: 60 }, () => api.get(`files/${room}`)));
    expect(gets.filter((r) => r.status === 429)).toHaveLength(10);
    const writes = await Promise.all(Array.from({ length: 20 }, (_, i) => api.post(`files/folder/${room}`, { title: `f${i}` })));
    expect(writes.filter((r) => r.status === 429)).toHaveLength(5);
    expect(sim.state.childFolderIds(room).size).toBe(15);
    expect(sim.stats.maxConcurrentGets).toBe(60);
    expect(sim.stats.maxConcurrentWrites).toBe(20);
  });

  it('never puts Retry-After on a per-user limit 429, even while injected 429s carry one', async () => {
    sim = fastSim({ faults: { enforceUserLimits: true, hangRate: 1, hangMs: 60, retryAfter429: 7 } });
    const room = sim.addRoom({ title: 'R' });
    const writes = await Promise.all(Array.from({ length: 16 }, (_, i) => client(sim).post(`files/folder/${room}`, { title: `f${i}` })));
    const limited = writes.filter((r) => r.status === 429);
    expect(limited).toHaveLength(1);
    expect(limited[0]!.headers.get('retry-after')).toBeNull();
    expect(limited[0]!.headers.get('x-ratelimit-limit')).toBe('15');
  });

  it('enforces 1500 requests per sliding minute per user', async () => {
    let t = 1_000_000;
    sim = fastSim({ now: () => t, faults: { enforceUserLimits: true } });
    const api = client(sim);
    for (let i = 0; i < 1500; i++) await api.get('people/@self');
    expect((await api.get('people/@self')).status).toBe(429);
    t += 60_001;
    expect((await api.get('people/@self')).status).toBe(200);
  });

  it('replays the same faults for the same seed', async () => {
    const statuses = async (seed: number) => {
      const s = fastSim({ seed, faults: { rate429: 0.3, rate5xx: 0.2 } });
      const api = client(s);
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await api.get('people/@self')).status);
      await s.close();
      return out;
    };
    const a = await statuses(7);
    expect(await statuses(7)).toEqual(a);
    expect(await statuses(8)).not.toEqual(a);
    expect(a.some((s) => s === 429)).toBe(true);
    expect(a.some((s) => s >= 502)).toBe(true);
    sim = fastSim();
  });

  it('keeps completing file operations in the background while no one polls', async () => {
    sim = fastSim();
    const room = sim.addRoom({ title: 'R' });
    const f = sim.addFile(room, 'a.docx');
    const dest = sim.addFolder(room, 'dest');
    await client(sim).put('files/fileops/move', { fileIds: [f], destFolderId: dest, returnSingleOperation: true });
    await sleep(60);
    expect(sim.state.files.get(f)!.folderId).toBe(dest);
  });
});
