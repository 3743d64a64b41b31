import type { DocSpaceClient } from '../../lib/docspace/client';
import { sqsWorker } from '../../lib/queue/worker';
import { docspaceClient, projectRoomDeps, projectRoomSettings } from '../../lib/runtime';
import { handleProjectRoomMessage, logTemplateMapCheck, projectRoomMessageSchema } from '../../lib/workflows/project-room';

// TEMPLATE_MAP is checked against the portal once per cold start (per DocSpace client), not per message.
let checkedFor: DocSpaceClient | undefined;

/** Creates one project's room per message: serialised per portal, confirmed by title, reported back. */
export const handler = sqsWorker(projectRoomMessageSchema, async (message, context) => {
  const deps = projectRoomDeps();
  const settings = projectRoomSettings();
  if (checkedFor !== docspaceClient()) {
    checkedFor = docspaceClient();
    await logTemplateMapCheck(deps, settings.templateMap);
  }
  await handleProjectRoomMessage(deps, settings, message, context);
});
