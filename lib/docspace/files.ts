import type { DocSpaceClient } from './client';
import { FileDto } from './schemas';

/** One file's entry; 404 (DocSpaceNotFoundError) when it was deleted or never existed. */
export async function getFile(client: DocSpaceClient, fileId: number): Promise<FileDto> {
  return client.request('GET', `files/file/${fileId}`, { schema: FileDto });
}
