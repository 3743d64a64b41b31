import { z } from 'zod';
import { acceptFileMove, type Accepted } from './file-moves/accept';
import type { FileMoveDeps, FileMoveInput } from './file-moves/model';

/** DocSpace trims titles and rejects these characters, so such a name could never be the folder's exact title. */
const folderTitle = z
  .string()
  .trim()
  .min(1)
  .max(165)
  .refine((t) => !/[\\/:*?"<>|\u0000-\u001f]/.test(t), { message: 'must not contain \\ / : * ? " < > | or control characters' });

export const dealClosedSchema = z.object({
  dealId: z.string().trim().min(1).max(200),
  clientRoomId: z.number().int().positive(),
  clientName: folderTitle,
  guestUserId: z.uuid().optional(),
  archiveRootFolderId: z.number().int().positive().optional(),
});
export type DealClosed = z.infer<typeof dealClosedSchema>;

/** Workflow 2: archive every file of the client room into <archive root>/<clientName>, then revoke the guest. */
export function acceptDealClosed(
  deps: Pick<FileMoveDeps, 'store' | 'queue' | 'counters' | 'log'>,
  deal: DealClosed,
  settings: { archiveRootFolderId: number },
): Promise<Accepted> {
  return acceptFileMove(deps, 'deal-archive', deal.dealId, dealMoveInput(deal, settings));
}

/** The file move a closed deal asks for (also what POST /previews/deals/closed walks). */
export function dealMoveInput(deal: DealClosed, settings: { archiveRootFolderId: number }): FileMoveInput {
  return {
    sourceFolderId: deal.clientRoomId,
    destination: {
      kind: 'named-child',
      parentId: deal.archiveRootFolderId ?? settings.archiveRootFolderId,
      title: deal.clientName,
    },
    ...(deal.guestUserId ? { guest: { userId: deal.guestUserId, roomId: deal.clientRoomId } } : {}),
    resultKey: 'archiveFolderId',
  };
}
