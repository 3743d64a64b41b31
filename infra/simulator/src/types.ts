// Public types of the DocSpace simulator. Entity timestamps are epoch milliseconds; the API renders them as
// ApiDateTime strings.

export type UserType = 'owner' | 'admin' | 'roomAdmin' | 'user' | 'guest';

export interface SimUser {
  id: string;
  displayName: string;
  email: string;
  type: UserType;
  /** Guests only: the users who invited the guest (DocSpace's user relations). */
  invitedBy?: string[];
}

export interface SimFolder {
  id: number;
  /** 0 for the portal's system roots (VirtualRooms, Archive, RoomTemplates, My documents, Trash). */
  parentId: number;
  title: string;
  /** FolderType of the folder itself: 0 plain, 5 My documents, 14 VirtualRooms, 20 Archive, 30 RoomTemplates,
   *  15/16/19/22/29/31 for rooms and templates. */
  folderType: number;
  /** RoomType for rooms and room templates (1, 2, 5, 6, 8, 9). */
  roomType?: number;
  createdBy: string;
  created: number;
  updated: number;
  tags?: string[];
  /** A room on third-party storage: it and everything in it have string ids `<prefix>-<n>` ("box-5"). */
  provider?: ThirdPartyProvider;
}

export interface ThirdPartyProvider {
  /** `providerKey` as DocSpace writes it: Box, DropboxV2, GoogleDrive, OneDrive, WebDav, kDrive, … */
  key: string;
  /** The id prefix of its entries, e.g. `box`. */
  prefix: string;
  providerId: number;
}

export interface SimFile {
  id: number;
  folderId: number;
  title: string;
  version: number;
  contentLength: number;
  createdBy: string;
  created: number;
  updated: number;
}

export interface SimShare {
  roomId: number;
  userId: string;
  access: number;
  /** Who granted the access; DELETE /people/guests only removes the caller's own grants. */
  grantedBy: string;
}

/** A whole portal. Plain JSON, so it can travel through `POST /__sim/fixture`. */
export interface Fixture {
  /** The key owner: every API call acts as this user. */
  selfUserId: string;
  users: SimUser[];
  folders: SimFolder[];
  files: SimFile[];
  shares?: SimShare[];
  /** Next id to hand out; defaults to one past the largest id in the fixture. */
  nextId?: number;
}

export interface Faults {
  /** Probability of a 429 with no body and no Retry-After. */
  rate429: number;
  /** The next N API requests get a 429. */
  next429: number;
  /** When set, the injected 429s (rate429, next429) carry `Retry-After: <seconds>`, as the daily write limiter's
   *  do; the enforceUserLimits 429s never do (NOTES 2.4). */
  retryAfter429?: number;
  /** Probability of a 502/503/504 with an HTML body (from the "reverse proxy": nothing is processed). */
  rate5xx: number;
  /** Probability that a response is held back for hangMs. */
  hangRate: number;
  hangMs: number;
  /** When true a hung request is delayed before it is processed; by default the server does the work and only the
   *  response is late, like a real timeout after the write happened. */
  hangBeforeHandling: boolean;
  /** Added to every API request. */
  latencyMs: number;
  /** Files a move/copy leaves in place, setting the operation's `error`. */
  failFileIds: number[];
  /** Per key owner: 50 concurrent GET, 15 concurrent non-GET, 1500 requests per sliding minute → 429. */
  enforceUserLimits: boolean;
  /** The next room-from-template creations fail (the room is created, then deleted, `error` set). */
  failNextTemplates: number;
}

export interface SimulatorOptions {
  apiKey?: string;
  now?: () => number;
  fileOpDurationMs?: number;
  resultIdleTtlMs?: number;
  templateDurationMs?: number;
  faults?: Partial<Faults>;
  seed?: number;
  deliverWebhook?: (
    url: string,
    init: { headers: Record<string, string>; body: string },
  ) => Promise<number | { status: number; body?: string }>;
  /** Base of the webhook retry backoff (1, 2, 4, 8, 16 × base). Default 1000. */
  webhookRetryBaseMs?: number;
  /** The portal's time zone as minutes east of UTC: REST dates carry it as `+03:00` (NOTES 1). Default 180. */
  timeZoneOffsetMinutes?: number;
  /** The portal loaded at start and by reset(). Default: an empty portal with one admin. */
  fixture?: Fixture;
  /** The HEAD check POST settings/webhook runs against the URL (default: global fetch, 10 s timeout). */
  probeWebhookUrl?: (url: string) => Promise<number>;
}

export interface MutationLog {
  seq: number;
  at: number;
  method: string;
  /** Path and query as requested, e.g. `/api/2.0/files/fileops/move`. */
  path: string;
  body: unknown;
  /** The status the handler answered with (a handled call may still be refused, e.g. 403). */
  status: number;
}

export interface WebhookDelivery {
  webhookId: number;
  eventId: number;
  trigger: string;
  /** 1 for the first attempt, 2.. for automatic retries. */
  attempt: number;
  /** HTTP status, or 0 when delivery threw. */
  status: number;
  body: string;
  signature: string;
  at: number;
  /** What the receiver answered (DocSpace's webhook log keeps it as responsePayload); absent when it threw. */
  responseBody?: string;
}

export interface WebhookConfigInput {
  url: string;
  secretKey: string;
  /** Trigger names; absent, empty or `['*']` subscribes to all. */
  triggers?: string[];
  name?: string;
  /** Only events whose entity id equals this (DocSpace matches the exact id, not a subtree). */
  targetId?: string;
  enabled?: boolean;
}

export interface RoomInput {
  title: string;
  /** RoomType: 1 FillingForms, 2 Editing, 5 Custom (default), 6 Public, 8 VirtualData, 9 Ai. */
  roomType?: number;
  area?: 'active' | 'archive' | 'templates';
  created?: number;
  updated?: number;
  tags?: string[];
  /** Connect the room to third-party storage (FolderDtoString/FileDtoString: string ids such as "box-5"). */
  provider?: 'box' | 'dropbox' | 'gdrive' | 'onedrive';
}

export interface FileInput {
  contentLength?: number;
  created?: number;
  updated?: number;
  /** Author (and webhook `event.createBy` for uploads); default the key owner. */
  createdBy?: string;
}
