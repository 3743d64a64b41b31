import { DocSpaceResponseError } from './errors';

/** DocSpace's default and maximum page size; `count=101` is a 400, not clamped (NOTES 2.2). */
export const PAGE_SIZE = 100;

export interface Page<T> {
  items: T[];
  total: number;
  /** Entries the server says this page holds, when it says so; otherwise the length of `items` is used. */
  count?: number | null | undefined;
}

/**
 * Walks a listing by startIndex/count until `total` is reached, advancing by what each page actually held
 * (DocSpace drops still-converting files from a page and lowers `total` to match, NOTES 3.1).
 *
 * A page that is empty while `total` says more remain would loop forever; it is raised instead of ending the
 * walk quietly, because callers use these listings to decide that a folder is empty.
 */
export async function* paginate<T>(
  fetchPage: (startIndex: number, count: number) => Promise<Page<T>>,
  options: { path?: string } = {},
): AsyncGenerator<T> {
  let startIndex = 0;
  for (;;) {
    const page = await fetchPage(startIndex, PAGE_SIZE);
    for (const item of page.items) yield item;
    const advanced = page.count ?? page.items.length;
    if (startIndex + advanced >= page.total) return;
    if (advanced <= 0) {
      throw new DocSpaceResponseError(
        200,
        `empty page at startIndex ${startIndex} although total is ${page.total}`,
        'GET',
        options.path ?? '(paginated listing)',
      );
    }
    startIndex += advanced;
  }
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of it) items.push(item);
  return items;
}

/**
 * `total` for a page whose envelope omitted it: a full page means "at least one more", a short page means "done".
 * Some list actions return IAsyncEnumerable, for which NOTES 2.1 could not confirm the counts.
 */
export function totalOrGuess(total: number | null | undefined, startIndex: number, onPage: number, requested: number): number {
  if (typeof total === 'number' && Number.isFinite(total)) return total;
  return startIndex + onPage + (onPage >= requested ? 1 : 0);
}
