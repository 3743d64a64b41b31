import type { DocSpaceClient } from './client';
import { NoContent } from './schemas';

/**
 * `DELETE people/guests` (NOTES 3.4): removes the caller's relation to the guests and the shares the caller
 * granted; the accounts stay. On v3.7 one id that is not a guest of the caller makes the whole request a 403.
 * Not marked idempotent: a repeat after an unseen success is exactly that 403.
 */
export async function deleteGuests(client: DocSpaceClient, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await client.request('DELETE', 'people/guests', { body: { userIds }, schema: NoContent });
}
