/*
 * The workflow settings a local stack runs with when nothing else is given: ids from the simulator's demo portal
 * and well-known local secrets. Shared by `npm start` and the test stack so both point at the same demo objects.
 */

/** The ids of the demo portal (@docspace-flows/simulator DEMO) that the settings refer to. */
export interface DemoIds {
  completedFolderId: number;
  archiveRootFolderId: number;
  /** Workflow 3: uploads into this room ('Uploads') ... */
  sourceRoomId: number;
  /** ... are copied into this one ('Internal copies'). */
  internalRoomId: number;
  templates: Record<string, number>;
}

/** COMPLETED_FOLDER_ID, ARCHIVE_ROOT_FOLDER_ID, COPY_RULES and TEMPLATE_MAP for the demo portal. */
export function demoSettings(demo: DemoIds): Record<string, string> {
  return {
    COMPLETED_FOLDER_ID: String(demo.completedFolderId),
    ARCHIVE_ROOT_FOLDER_ID: String(demo.archiveRootFolderId),
    COPY_RULES: JSON.stringify([{ sourceRoomId: demo.sourceRoomId, destFolderId: demo.internalRoomId }]),
    TEMPLATE_MAP: JSON.stringify(demo.templates),
  };
}

export interface LocalSecrets {
  tasks: string;
  deals: string;
  projects: string;
  docspace: string;
  admin: string;
}

export function secretSettings(secrets: LocalSecrets): Record<string, string> {
  return {
    TASKS_WEBHOOK_SECRET: secrets.tasks,
    DEALS_WEBHOOK_SECRET: secrets.deals,
    PROJECTS_WEBHOOK_SECRET: secrets.projects,
    DOCSPACE_WEBHOOK_SECRET: secrets.docspace,
    ADMIN_API_TOKEN: secrets.admin,
  };
}

/** What `npm start` uses unless the environment says otherwise. Local only: never deploy these. */
export const LOCAL_SECRETS: LocalSecrets = {
  tasks: 'local-tasks-secret',
  deals: 'local-deals-secret',
  projects: 'local-projects-secret',
  docspace: 'local-docspace-secret',
  admin: 'local-admin-token-0123456789',
};
