import { describe, expect, it } from 'vitest';
import { DocSpaceNotFoundError, DocSpaceResponseError } from '../../../lib/docspace/errors';
import { createFolder, getFolderPath, listFolder, listTree } from '../../../lib/docspace/folders';
import { PAGE_SIZE, collect, paginate } from '../../../lib/docspace/paginate';
import { caught, failure, harness, ok, type FakeRequest } from './fake-docspace';

interface Node {
  id: number;
  title: string;
  folders: Node[];
  files: Array<{ id: number; title: string }>;
}

/** GET files/{id} over an in-memory tree, paged like DocSpace: folders first, then files; count > 100 is a 400. */
function folderServer(root: Node, options: { envelopeCount?: boolean; delayMs?: number } = {}) {
  const byId = new Map<number, Node>();
  const index = (node: Node): void => {
    byId.set(node.id, node);
    node.folders.forEach(index);
  };
  index(root);
  let inFlight = 0;
  const stats = { maxInFlight: 0 };
  const handler = async (request: FakeRequest): Promise<Response> => {
    inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    try {
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      const id = Number(request.path.replace(/^files\//, ''));
      const node = byId.get(id);
      if (!node) return failure(404, 'Folder not found', 'ASC.Common.Web.ItemNotFoundException');
      const count = Number(request.url.searchParams.get('count') ?? 100);
      const startIndex = Number(request.url.searchParams.get('startIndex') ?? 0);
      if (count > 100) return failure(400, 'count must be 1..100', 'System.ArgumentException');
      const entries = [
        ...node.folders.map((f) => ({ kind: 'folder', dto: { id: f.id, title: f.title, parentId: node.id } })),
        ...node.files.map((f) => ({ kind: 'file', dto: { id: f.id, title: f.title, folderId: node.id } })),
      ];
      const page = entries.slice(startIndex, startIndex + count);
      const content: Record<string, unknown> = {
        current: { id: node.id, title: node.title },
        folders: page.filter((e) => e.kind === 'folder').map((e) => e.dto),
        files: page.filter((e) => e.kind === 'file').map((e) => e.dto),
        pathParts: [{ id: 1, title: 'Rooms' }, { id: node.id, title: node.title }],
        startIndex,
        total: entries.length,
      };
      if (options.envelopeCount !== false) content.count = page.length;
      return ok(content);
    } finally {
      inFlight -= 1;
    }
  };
  return { handler, stats };
}

let nextId = 1000;
function files(n: number, prefix = 'doc'): Node['files'] {
  return Array.from({ length: n }, (_, i) => ({ id: nextId++, title: `${prefix}-${i}.docx` }));
}

describe('paginate', () => {
  it('walks pages of at most 100 until total is reached', async () => {
    const asked: Array<[number, number]> = [];
    const items = await collect(
      paginate(async (startIndex, count) => {
        asked.push([startIndex, count]);
        const all = Array.from({ length: 250 }, (_, i) => i);
        return { items: all.slice(startIndex, startIndex + count), total: 250 };
      }),
    );
    expect(PAGE_SIZE).toBe(100);
    expect(asked).toEqual([[0, 100], [100, 100], [200, 100]]);
    expect(items).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('advances by the count the server reports, not by the page size', async () => {
    const asked: number[] = [];
    await collect(
      paginate(async (startIndex) => {
        asked.push(startIndex);
        // A converting file was dropped from the first page and total lowered to match (NOTES 3.1).
        return startIndex === 0 ? { items: Array(99).fill('x'), count: 99, total: 149 } : { items: Array(50).fill('y'), count: 50, total: 149 };
      }),
    );
    expect(asked).toEqual([0, 99]);
  });

  it('throws instead of looping forever when a page is empty before total is reached', async () => {
    let pages = 0;
    const error = await caught(
      collect(
        paginate(
          async () => {
            pages += 1;
            return pages === 1 ? { items: Array(100).fill(0), total: 500 } : { items: [], total: 500 };
          },
          { path: '/api/2.0/files/9' },
        ),
      ),
    );
    expect(error).toBeInstanceOf(DocSpaceResponseError);
    expect((error as Error).message).toContain('empty page at startIndex 100 although total is 500');
    expect(pages).toBe(2);
  });

  it('ends normally when the listing shrank so that the empty page is past the new total', async () => {
    const items = await collect(
      paginate(async (startIndex) => (startIndex === 0 ? { items: Array(100).fill(1), total: 150 } : { items: [], total: 100 })),
    );
    expect(items).toHaveLength(100);
  });
});

describe('listFolder', () => {
  it('lists a 250-item folder completely in 3 pages of at most 100', async () => {
    const root: Node = { id: 10, title: 'Big', folders: [{ id: 11, title: 'Sub', folders: [], files: [] }], files: files(249) };
    const server = folderServer(root);
    const h = harness(server.handler);
    const listing = await listFolder(h.client, 10);
    expect(listing.folders.map((f) => f.id)).toEqual([11]);
    expect(listing.files.map((f) => f.id)).toEqual(root.files.map((f) => f.id));
    expect(listing.current).toMatchObject({ id: 10, title: 'Big' });
    expect(listing.pathParts.map((p) => p.id)).toEqual([1, 10]);
    expect(h.calls.map((c) => [c.url.searchParams.get('startIndex'), c.url.searchParams.get('count')])).toEqual([
      ['0', '100'],
      ['100', '100'],
      ['200', '100'],
    ]);
    // No filter: any filter would search the whole subtree (NOTES 3.1).
    expect([...h.calls[0]!.url.searchParams.keys()].sort()).toEqual(['count', 'startIndex']);
  });

  it('uses the length of the page when the server sends no count', async () => {
    const root: Node = { id: 10, title: 'Big', folders: [], files: files(150) };
    const h = harness(folderServer(root, { envelopeCount: false }).handler);
    expect((await listFolder(h.client, 10)).files).toHaveLength(150);
    expect(h.calls).toHaveLength(2);
  });

  it('raises a missing folder as not found', async () => {
    const h = harness(folderServer({ id: 10, title: 'x', folders: [], files: [] }).handler);
    expect(await caught(listFolder(h.client, 99))).toBeInstanceOf(DocSpaceNotFoundError);
  });
});

describe('getFolderPath', () => {
  it('returns the breadcrumbs root first from one small request', async () => {
    const h = harness(folderServer({ id: 10, title: 'Leaf', folders: [], files: files(300) }).handler);
    const path = await getFolderPath(h.client, 10);
    expect(path.map((p) => p.title)).toEqual(['Rooms', 'Leaf']);
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]!.url.searchParams.get('count')).toBe('1');
  });
});

describe('listTree', () => {
  it('returns every file with its folder and every folder with its parent, across pages, without the root', async () => {
    const deep: Node = { id: 30, title: 'Deep', folders: [], files: files(3, 'deep') };
    const wide: Node = { id: 20, title: 'Wide', folders: [deep], files: files(120, 'wide') };
    const empty: Node = { id: 21, title: 'Empty', folders: [], files: [] };
    const root: Node = { id: 1, title: 'Client', folders: [wide, empty], files: files(101, 'top') };
    const h = harness(folderServer(root).handler);

    const tree = await listTree(h.client, 1);

    expect(tree.folders.sort((a, b) => a.id - b.id)).toEqual([
      { id: 20, parentId: 1, title: 'Wide' },
      { id: 21, parentId: 1, title: 'Empty' },
      { id: 30, parentId: 20, title: 'Deep' },
    ]);
    expect(tree.files).toHaveLength(224);
    const folderOf = new Map(tree.files.map((f) => [f.id, f.folderId]));
    for (const f of root.files) expect(folderOf.get(f.id)).toBe(1);
    for (const f of wide.files) expect(folderOf.get(f.id)).toBe(20);
    for (const f of deep.files) expect(folderOf.get(f.id)).toBe(30);
    expect(new Set(tree.files.map((f) => f.id)).size).toBe(224);
  });

  it('lists folders in parallel, but never more at once than the read cap', async () => {
    const children: Node[] = Array.from({ length: 12 }, (_, i) => ({
      id: 100 + i,
      title: `c${i}`,
      folders: [{ id: 200 + i, title: `g${i}`, folders: [], files: files(2) }],
      files: files(5),
    }));
    const server = folderServer({ id: 1, title: 'root', folders: children, files: [] }, { delayMs: 3 });
    const h = harness(server.handler, { concurrency: { reads: 3, writes: 1 } });
    const tree = await listTree(h.client, 1);
    expect(tree.folders).toHaveLength(24);
    expect(tree.files).toHaveLength(84);
    expect(server.stats.maxInFlight).toBe(3);
  });

  it('fails as a whole when one folder cannot be listed, rather than returning part of the tree', async () => {
    const root: Node = { id: 1, title: 'root', folders: [{ id: 2, title: 'ok', folders: [], files: files(1) }], files: [] };
    const server = folderServer(root);
    const h = harness(async (request) => (request.path === 'files/2' ? failure(403, 'Access denied') : server.handler(request)));
    const error = await caught(listTree(h.client, 1));
    expect(error).toMatchObject({ status: 403 });
  });
});

describe('createFolder', () => {
  it('posts the title to files/folder/{parentId} and returns the new folder', async () => {
    const h = harness(() => ok({ id: 55, title: 'Acme', parentId: 9 }));
    await expect(createFolder(h.client, 9, 'Acme')).resolves.toMatchObject({ id: 55, title: 'Acme' });
    expect(h.calls[0]).toMatchObject({ method: 'POST', path: 'files/folder/9', body: { title: 'Acme' } });
  });
});

describe('odd entries in a folder listing', () => {
  it('sets a third-party or unreadable entry aside with its reason, advances by what the page held, and keeps the rest', async () => {
    const page = (start: number) => {
      const entries = Array.from({ length: 100 }, (_, i) => ({ id: start + i, title: `f${start + i}.pdf`, folderId: 9 }));
      if (start === 0) entries[3] = { id: 'box-4', title: 'on box.pdf', folderId: 9 } as never;
      return entries;
    };
    // No `current`, no envelope counts: the walk relies on what each page held, odd entries included.
    const h = harness((request) => {
      const start = Number(request.url.searchParams.get('startIndex'));
      return ok({ files: start < 200 ? page(start) : [], folders: [], total: 200 });
    });
    const listing = await listFolder(h.client, 9);
    expect(listing.files).toHaveLength(199);
    expect(listing.skipped).toEqual([{ id: 'box-4', title: 'on box.pdf', reason: 'id: Invalid input' }]);
    expect(h.calls.map((c) => c.url.searchParams.get('startIndex'))).toEqual(['0', '100']);
  });
});

describe('odd entries in a tree', () => {
  it('fail the walk naming the entry, since a tree is what decides that nothing was left behind', async () => {
    const h = harness(() => ok({ files: [{ id: 1, title: 'a.pdf' }, { id: 'box-4', title: 'on box.pdf' }], folders: [], count: 2, total: 2 }));
    const error = await caught(listTree(h.client, 9));
    expect(error).toBeInstanceOf(DocSpaceResponseError);
    expect((error as Error).message).toContain('folder 9 holds entries that are not internal files or folders: box-4 "on box.pdf" (id: Invalid input)');
  });
});
