// The portals the simulator ships with: an empty one (a single owner) and the demo portal `npm start` loads. Ids
// are allocated in a fixed order, so DEMO holds the same ids every run; only timestamps follow the clock.
import { folderTypeOfRoom } from './enums';
import { guid } from './ids';
import { PortalState } from './state';
import type { Fixture, SimUser } from './types';

const day = 24 * 3600 * 1000;
const hour = 3600 * 1000;

const people = {
  owner: guid(0x05e1f000, 1),
  roomAdmin: guid(0x05e1f000, 2),
  guest: guid(0x05e1f000, 3),
  otherGuest: guid(0x05e1f000, 4),
};

export function defaultFixture(): Fixture {
  return {
    selfUserId: people.owner,
    users: [{ id: people.owner, displayName: 'Portal Owner', email: 'owner@docspace.local', type: 'owner' }],
    folders: [],
    files: [],
  };
}

export interface DemoIds {
  selfUserId: string;
  roomAdminUserId: string;
  guestUserId: string;
  /** A guest invited by the room admin, not by the key owner: DELETE people/guests refuses it. */
  otherGuestUserId: string;
  operationsRoomId: number;
  completedFolderId: number;
  taskFolderId: number;
  archiveRoomId: number;
  archiveRootFolderId: number;
  clientRoomId: number;
  sourceRoomId: number;
  internalRoomId: number;
  templates: { legal: number; marketing: number };
  /** Active rooms last updated 31, 45 and 90 days ago. */
  oldRoomIds: number[];
  recentRoomId: number;
  archivedRoomId: number;
}

function buildDemo(now: number): { fixture: Fixture; ids: DemoIds } {
  const users: SimUser[] = [
    { id: people.owner, displayName: 'Olivia Owner', email: 'olivia@docspace.local', type: 'owner' },
    { id: people.roomAdmin, displayName: 'Ravi Manager', email: 'ravi@docspace.local', type: 'roomAdmin' },
    { id: people.guest, displayName: 'Gabriel Guest', email: 'gabriel@acme.example', type: 'guest', invitedBy: [people.owner] },
    { id: people.otherGuest, displayName: 'Grace Guest', email: 'grace@acme.example', type: 'guest', invitedBy: [people.roomAdmin] },
  ];
  const created = now - 400 * day;
  // Real portals hand out large ids; starting high keeps demo ids from looking like counts or indexes.
  const state = new PortalState({ selfUserId: people.owner, users, folders: [], files: [], nextId: 1000 }, created);
  const by = people.owner;
  const fresh = now - 2 * hour;

  const room = (title: string, area: 'active' | 'archive' | 'templates', roomType: number, updated: number): number => {
    const parent = area === 'archive' ? state.roots.archive : area === 'templates' ? state.roots.templates : state.roots.rooms;
    return state.createFolder(parent, title, by, created, { folderType: folderTypeOfRoom(roomType), roomType, updated }).id;
  };
  const folder = (parentId: number, title: string): number => state.createFolder(parentId, title, by, created, { updated: fresh }).id;
  const files = (folderId: number, titles: string[], author = by): void => {
    titles.forEach((title, i) => {
      const f = state.createFile(folderId, title, author, created, 2048 + 512 * i);
      f.updated = fresh - i * hour;
    });
  };

  const operationsRoomId = room('Operations', 'active', 5, fresh);
  const completedFolderId = folder(operationsRoomId, 'Completed');
  files(completedFolderId, ['Previously completed.docx']);
  const tasks = folder(operationsRoomId, 'Tasks');
  const taskFolderId = folder(tasks, 'T-1001 Quarterly report');
  files(taskFolderId, ['Brief.docx', 'Estimate.xlsx', 'Screenshot.png']);

  const archiveRoomId = room('Archive', 'active', 5, fresh);
  const archiveRootFolderId = folder(archiveRoomId, 'Archive');
  files(folder(archiveRootFolderId, 'Globex'), ['Final report.pdf']);

  const clientRoomId = room('Acme', 'active', 2, fresh);
  files(clientRoomId, ['Welcome.pdf', 'README.txt']);
  const contracts = folder(clientRoomId, 'Contracts');
  files(contracts, ['Master agreement.docx', 'NDA.pdf']);
  files(folder(contracts, '2024'), ['Summary.docx', 'Amendment 1.docx', 'Invoice schedule.xlsx']);
  files(folder(contracts, '2025'), ['Summary.docx', 'Amendment 2.docx', 'Renewal.pdf']);
  files(folder(clientRoomId, 'Invoices'), ['README.txt', 'INV-1001.pdf', 'INV-1002.pdf', 'INV-1003.pdf', 'Payments.xlsx']);
  const correspondence = folder(clientRoomId, 'Correspondence');
  files(correspondence, ['Kickoff notes.docx', 'Meeting notes.docx'], people.guest);
  files(folder(correspondence, 'Emails'), ['Kickoff notes.docx', 'Thread export.txt'], people.guest);
  files(folder(clientRoomId, 'Design'), ['Logo.png', 'Brand guide.pptx']);
  folder(clientRoomId, 'Empty folder');

  const sourceRoomId = room('Uploads', 'active', 5, fresh);
  files(sourceRoomId, ['Scanned contract.pdf']);
  const internalRoomId = room('Internal copies', 'active', 5, fresh);

  const legal = room('Legal project', 'templates', 2, now - 60 * day);
  files(legal, ['Engagement letter.docx']);
  files(folder(legal, 'Contracts'), ['NDA template.docx']);
  folder(legal, 'Correspondence');
  const marketing = room('Marketing project', 'templates', 5, now - 60 * day);
  files(marketing, ['Campaign plan.pptx']);
  files(folder(marketing, 'Briefs'), ['Creative brief.docx']);
  folder(marketing, 'Assets');

  const oldRoomIds = [
    room('Project Phoenix', 'active', 2, now - 45 * day),
    room('Q1 Board pack', 'active', 8, now - 31 * day),
    room('Vendor onboarding', 'active', 1, now - 90 * day),
  ];
  const recentRoomId = room('Sales playbook', 'active', 6, now - 3 * day);
  const archivedRoomId = room('Initech (closed)', 'archive', 5, now - 120 * day);
  files(archivedRoomId, ['Closing memo.docx']);

  state.setShare({ roomId: clientRoomId, userId: people.guest, access: 10, grantedBy: people.owner });
  state.setShare({ roomId: clientRoomId, userId: people.otherGuest, access: 2, grantedBy: people.roomAdmin });
  state.setShare({ roomId: clientRoomId, userId: people.roomAdmin, access: 9, grantedBy: people.owner });
  state.setShare({ roomId: operationsRoomId, userId: people.roomAdmin, access: 9, grantedBy: people.owner });

  return {
    fixture: state.toFixture(),
    ids: {
      selfUserId: people.owner,
      roomAdminUserId: people.roomAdmin,
      guestUserId: people.guest,
      otherGuestUserId: people.otherGuest,
      operationsRoomId,
      completedFolderId,
      taskFolderId,
      archiveRoomId,
      archiveRootFolderId,
      clientRoomId,
      sourceRoomId,
      internalRoomId,
      templates: { legal, marketing },
      oldRoomIds,
      recentRoomId,
      archivedRoomId,
    },
  };
}

/** The demo portal with timestamps relative to `now` (so the old rooms are old today). */
export function demoFixture(now: number = Date.now()): Fixture {
  return buildDemo(now).fixture;
}

export const DEMO: Readonly<DemoIds> = Object.freeze(buildDemo(0).ids);
