/*
 * Workflow 2, `deal-archive`: a closed deal's client room is archived into <archive root>/<clientName>, then the
 * client's guest loses access. One name throughout: functions/deal-archive/handler.ts (function
 * dealArchiveWebhook, POST /webhooks/deals/closed), this module, and jobs `deal-archive-<hash of dealId>`.
 *
 * The whole path of a deal:
 *   1. accept (here): the signed body, validated by `dealClosedSchema`, becomes one job keyed by `dealId` and its
 *      first message on the file-move queue (lib/jobs/accept.ts: create once, resume a failed or stale job);
 *   2. `dealMoveInput` (here) is all a deal asks of the engine: the client room as source, the folder titled
 *      `clientName` under the archive root as destination, the guest to revoke, and `archiveFolderId` as result;
 *   3. the file-move engine, shared with workflow 1 (task-complete.ts), runs the job in functions/file-moves/worker.ts:
 *      lib/workflows/file-moves/index.ts lists its steps (plan: the destination found or created once; scans;
 *      chunks of moves; finalize: the guest revoked only once no file is left behind, revoke-guest.ts).
 */
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

/** The event: the CRM says a deal was closed (the body of POST /webhooks/deals/closed and POST /previews/deals/closed). */
export const dealClosedSchema = z.object({
  dealId: z.string().trim().min(1).max(200),
  clientRoomId: z.number().int().positive(),
  clientName: folderTitle,
  guestUserId: z.uuid().optional(),
  archiveRootFolderId: z.number().int().positive().optional(),
});
export type DealClosed = z.infer<typeof dealClosedSchema>;

/** Starts (once) the deal-archive job of a closed deal. */
export function acceptDealArchive(
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
