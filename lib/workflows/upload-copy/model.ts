import { z } from 'zod';
import { docspaceWebhookSchema } from '../../docspace/webhook';

export interface CopyRule {
  sourceRoomId: number;
  destFolderId: number;
}

/** The endpoint's body schema: DocSpace's envelope, with the payload left to the trigger (a user event has a GUID id). */
export const uploadWebhookSchema = docspaceWebhookSchema.extend({ payload: z.looseObject({}) });
export type UploadWebhook = z.infer<typeof uploadWebhookSchema>;

export const uploadCopyInputSchema = z.object({
  sourceFileId: z.number().int().positive(),
  title: z.string().optional(),
  /** The folder the webhook said the file was uploaded to; the worker re-reads the file anyway. */
  folderId: z.number().int().positive().optional(),
  webhookId: z.number().int(),
  eventId: z.number().int(),
  createOn: z.string(),
});
export type UploadCopyInput = z.infer<typeof uploadCopyInputSchema>;

export const uploadCopyMessageSchema = z.object({ jobId: z.string().min(1), run: z.number().int().positive() });
export type UploadCopyMessage = z.infer<typeof uploadCopyMessageSchema>;

export class InvalidCopyRuleError extends Error {
  override readonly name = 'InvalidCopyRuleError';
}

/** A failure that no retry can fix; the job fails at once instead of cycling through SQS into the DLQ. */
export class PermanentCopyError extends Error {
  override readonly name = 'PermanentCopyError';
}

/** The copy may still be under way in DocSpace; try again later rather than copy a second time. */
export class CopyNotSettledError extends Error {
  override readonly name = 'CopyNotSettledError';
  /** When it can have settled: SQS brings the message back no sooner (lib/queue/redelivery.ts). */
  constructor(
    message: string,
    readonly redeliverAfterSeconds?: number,
  ) {
    super(message);
  }
}

export class CopyFailedError extends Error {
  override readonly name = 'CopyFailedError';
}
