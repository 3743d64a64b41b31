import { describe, expect, it } from 'vitest';
import { DocSpaceNotFoundError } from '../../../lib/docspace/errors';
import { getFile } from '../../../lib/docspace/files';
import { caught, failure, harness, ok } from './fake-docspace';

describe('getFile', () => {
  it('reads one file by id and says which folder it is in', async () => {
    const { client, calls } = harness(() => ok({ id: 42, title: 'scan.pdf', folderId: 7, pureContentLength: 1024 }));
    await expect(getFile(client, 42)).resolves.toMatchObject({ id: 42, title: 'scan.pdf', folderId: 7, pureContentLength: 1024 });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET files/file/42']);
  });

  it('reports a deleted file as not found, without retrying', async () => {
    const { client, calls } = harness(() => failure(404, 'File not found', 'ASC.Common.Web.ItemNotFoundException'));
    expect(await caught(getFile(client, 42))).toBeInstanceOf(DocSpaceNotFoundError);
    expect(calls).toHaveLength(1);
  });
});
