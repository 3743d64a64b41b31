import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadServiceModel } from '../../infra/local/cfn';
import { DocSpaceSimulator } from '@docspace-flows/simulator';
import { DocSpaceClient } from '../../lib/docspace/client';
import { createFolder, listFolder } from '../../lib/docspace/folders';

/*
 * The whole bundle's DocSpace budget under a mixed load: one client per process every function may run at once
 * (maximumConcurrency from serverless.yml, ceilings from infra/per-function.js), all on one key, against the
 * simulator with DocSpace's limits on (15 writes and 50 reads in flight, 1500 requests a minute, excess answered
 * 429 at once). Each function alone fits the budget; together their ceilings do not, so the adaptive caps must
 * find the share: every request ends, the 429s are counted, and they stay few.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FUNCTIONS } = require('../../infra/per-function.js') as {
  FUNCTIONS: Record<string, { docspace?: { writes: number; reads: number } }>;
};

let sim: DocSpaceSimulator;
/** Limits on, and every request holds its slot for 20 ms (a "hang" after the work), as a real portal's would. */
const SERVICE_TIME = { enforceUserLimits: true, hangRate: 1, hangMs: 20 };

beforeEach(() => {
  sim = new DocSpaceSimulator({ faults: SERVICE_TIME });
});
afterEach(async () => {
  await sim.close();
});

interface Traffic {
  requests: number;
  rateLimited: number;
  peak: { reads: number; writes: number };
}

/** Every process of the given DocSpace functions (all by default), each with its own client, as on AWS. */
function bundle(traffic: Traffic, only?: string[]): DocSpaceClient[] {
  const model = loadServiceModel({ stage: 'budgettest' });
  const inFlight = { reads: 0, writes: 0 };
  const countingFetch: typeof fetch = async (input, init) => {
    const kind = (init?.method ?? 'GET') === 'GET' ? 'reads' : 'writes';
    traffic.requests += 1;
    traffic.peak[kind] = Math.max(traffic.peak[kind], ++inFlight[kind]);
    try {
      const response = await sim.fetch(input, init);
      if (response.status === 429) traffic.rateLimited += 1;
      return response;
    } finally {
      inFlight[kind] -= 1;
    }
  };
  const clients: DocSpaceClient[] = [];
  for (const [functionKey, spec] of Object.entries(FUNCTIONS)) {
    if (!spec.docspace || (only && !only.includes(functionKey))) continue;
    const processes = model.sqsMappings.find((m) => m.functionKey === functionKey)?.maximumConcurrency ?? 1;
    for (let i = 0; i < processes; i += 1) {
      clients.push(
        new DocSpaceClient({
          baseUrl: 'http://docspace.local',
          apiKey: sim.apiKey,
          fetch: countingFetch,
          concurrency: spec.docspace,
          // Real backoff shape, shortened.
          retry: { baseDelayMs: 20, maxDelayMs: 200 },
        }),
      );
    }
  }
  return clients;
}

/** Each process keeps its whole ceiling busy: listings of a 150-file folder and folder creations. */
async function mixedLoad(clients: DocSpaceClient[], rounds: number): Promise<void> {
  const roomId = sim.addRoom({ title: 'Shared' });
  for (let i = 0; i < 150; i += 1) sim.addFile(roomId, `f-${i}.docx`);
  await Promise.all(
    clients.flatMap((client, c) => [
      ...Array.from({ length: client.limits.reads }, async () => {
        for (let r = 0; r < rounds; r += 1) await listFolder(client, roomId);
      }),
      ...Array.from({ length: client.limits.writes }, async (_, w) => {
        for (let r = 0; r < rounds; r += 1) await createFolder(client, roomId, `p${c}-w${w}-r${r}`);
      }),
    ]),
  );
}

const fresh = (): Traffic => ({ requests: 0, rateLimited: 0, peak: { reads: 0, writes: 0 } });

describe('the DocSpace budget shared by the whole bundle', () => {
  it('lets file moves alone use all 15 writes and 48 of the 50 reads, without a single 429', async () => {
    const traffic = fresh();
    const clients = bundle(traffic, ['fileMovesWorker']);
    expect(clients).toHaveLength(3);
    await mixedLoad(clients, 4);
    expect(traffic.peak.writes).toBe(15);
    expect(traffic.peak.reads).toBe(48);
    expect(traffic.rateLimited).toBe(0);
  });

  it('gets a mixed load of every function at once through DocSpace limits: every request ends, each 429 counted, the caps shrink', async () => {
    const traffic = fresh();
    const clients = bundle(traffic);
    // Together the ceilings are more than DocSpace allows: this is the case sharing is for.
    expect(clients.reduce((sum, c) => sum + c.limits.writes, 0)).toBeGreaterThan(15);
    expect(clients.reduce((sum, c) => sum + c.limits.reads, 0)).toBeGreaterThan(50);
    await mixedLoad(clients, 3);
    expect(traffic.rateLimited).toBeGreaterThan(0);
    expect(clients.reduce((sum, c) => sum + c.stats.rateLimited, 0)).toBe(traffic.rateLimited);
    expect(clients.filter((c) => c.adaptiveDecreases.reads + c.adaptiveDecreases.writes > 0).length).toBeGreaterThanOrEqual(3);
    console.info(
      `mixed load, every function at once: ${traffic.rateLimited} x 429 in ${traffic.requests} requests ` +
        `(peak attempted ${traffic.peak.writes} writes / ${traffic.peak.reads} reads; DocSpace serves at most 15 / 50)`,
    );
  });
});
