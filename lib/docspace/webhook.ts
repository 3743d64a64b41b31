import { z } from 'zod';
import { AnyEntryId } from './schemas';

/**
 * The header DocSpace signs with: `x-docspace-signature-256: sha256=<UPPERCASE HEX>` over the exact body (NOTES 4.1).
 * It is verified like every other sender's (lib/http/auth.ts), on the raw bytes: retries re-sign a re-serialised body.
 */
export const DOCSPACE_SIGNATURE_HEADER = 'x-docspace-signature-256';


/**
 * `WebhookPayload` (NOTES 4.1, 4.3). DocSpace omits default values (false, 0, null), so everything but the
 * identifiers is optional, and every object is loose: the payload is the internal FileEntry, whose keys vary by
 * version.
 */
export const docspaceWebhookSchema = z.looseObject({
  event: z.looseObject({
    /** The delivery-log id: the same across automatic retries, new on a manual re-send. */
    id: z.number().int(),
    createOn: z.string(),
    createBy: z.string().nullish(),
    trigger: z.string(),
    /** A bit value: int up to v3.6, long in v3.7. */
    triggerId: z.number().nullish(),
  }),
  payload: z.looseObject({
    /** A number, or a string such as "box-5" for an entry on third-party storage. */
    id: AnyEntryId,
    title: z.string().nullish(),
    parentId: AnyEntryId.nullish(),
    folderId: AnyEntryId.nullish(),
    folderIdDisplay: AnyEntryId.nullish(),
    rootId: AnyEntryId.nullish(),
    rootFolderType: z.number().int().nullish(),
    /** 1 folder, 2 file. */
    fileEntryType: z.number().int().nullish(),
    createBy: z.string().nullish(),
    createOn: z.string().nullish(),
  }),
  webhook: z.looseObject({
    id: z.number().int(),
    name: z.string().nullish(),
    url: z.string().nullish(),
    triggers: z.array(z.string()).nullish(),
    target: z.looseObject({ id: z.union([z.string(), z.number()]).nullish(), type: z.string().nullish() }).nullish(),
    retryCount: z.number().int().nullish(),
    retryOn: z.string().nullish(),
    lastFailureOn: z.string().nullish(),
    lastFailureContent: z.string().nullish(),
    lastSuccessOn: z.string().nullish(),
  }),
});
