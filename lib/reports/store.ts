import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../jobs/dynamo';

export interface AbandonedRoom {
  /** A number, or a string such as "box-5" for a room on third-party storage. */
  id: number | string;
  title: string;
  updated: string;
  daysInactive: number;
  roomType?: number;
}

export interface AbandonedRoomsReport {
  generatedAt: string;
  inactivityDays: number;
  rooms: AbandonedRoom[];
  /** Present only when the scan was asked to archive (or to pretend to). */
  archive?: { mode: 'dry-run' | 'on'; archived: Array<number | string>; failed: { id: number | string; reason: string }[] };
  /** Entries of the rooms listing that could not be read at all, each with the reason; the scan went on. */
  skipped?: Array<{ id?: string; title?: string; reason: string }>;
}

const PART_SIZE = 400;
const REPORT_TTL_SECONDS = 90 * 86_400;
const LATEST = { pk: 'REPORT#abandoned-rooms', sk: 'LATEST' };

/**
 * A report can list thousands of rooms, more than one 400 KB item holds, so its rooms are written in parts
 * first and the LATEST pointer is switched last: a reader sees the previous report or the new one, never half.
 */
export class ReportStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async save(report: AbandonedRoomsReport): Promise<void> {
    const pk = `REPORT#abandoned-rooms#${report.generatedAt}`;
    const ttl = Math.floor(this.now() / 1000) + REPORT_TTL_SECONDS;
    const parts = Math.max(1, Math.ceil(report.rooms.length / PART_SIZE));
    for (let i = 0; i < parts; i++) {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk, sk: `PART#${String(i).padStart(5, '0')}`, rooms: report.rooms.slice(i * PART_SIZE, (i + 1) * PART_SIZE), ttl },
        }),
      );
    }
    const { rooms: _rooms, ...header } = report;
    await this.ddb.send(new PutCommand({ TableName: this.table, Item: { ...LATEST, ...header, parts, reportPk: pk } }));
  }

  async latest(): Promise<AbandonedRoomsReport | undefined> {
    const head = await this.ddb.send(new GetCommand({ TableName: this.table, Key: LATEST, ConsistentRead: true }));
    if (!head.Item) return undefined;
    const { pk: _pk, sk: _sk, parts: _parts, reportPk, ...header } = head.Item;
    const items = await queryAll(this.ddb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :part)',
      ExpressionAttributeValues: { ':pk': reportPk, ':part': 'PART#' },
      ConsistentRead: true,
    });
    const rooms = items.flatMap((item) => item.rooms as AbandonedRoom[]);
    return { ...(header as Omit<AbandonedRoomsReport, 'rooms'>), rooms };
  }
}
