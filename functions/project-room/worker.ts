import { log } from '../../lib/log';
import { sqsWorker } from '../../lib/queue/worker';
import type { DocSpaceClient } from '../../lib/docspace/client';
import { docspaceClient, projectRoomDeps, projectRoomSettings } from '../../lib/runtime';
import {
  checkTemplateMap,
  handleProjectRoomMessage,
  projectRoomMessageSchema,
  type ProjectRoomDeps,
} from '../../lib/workflows/project-room';

let checkedFor: DocSpaceClient | undefined;

/**
 * Once per cold start (per DocSpace client), TEMPLATE_MAP is compared with the portal's templates so a
 * mapping to a template that does not exist shows up in the logs before a project hits it. The check only
 * reports; each job still verifies its own template before creating a room.
 */
async function checkTemplatesOnce(deps: ProjectRoomDeps, templateMap: Record<string, number>): Promise<void> {
  const client = docspaceClient();
  if (checkedFor === client) return;
  checkedFor = client;
  try {
    const check = await checkTemplateMap(deps.rooms, templateMap);
    for (const m of check.missing) {
      log.error('TEMPLATE_MAP names a template the portal does not have', { projectType: m.projectType, templateId: m.templateId });
    }
    if (check.unmapped.length) log.info('portal templates no project type maps to', { templates: check.unmapped });
  } catch (error) {
    log.warn('could not check TEMPLATE_MAP against the portal templates', { error });
  }
}

/** Creates one project's room per message: serialised per portal, confirmed by title, reported back. */
export const handler = sqsWorker(projectRoomMessageSchema, async (message, context) => {
  const deps = projectRoomDeps();
  const settings = projectRoomSettings();
  await checkTemplatesOnce(deps, settings.templateMap);
  await handleProjectRoomMessage(deps, settings, message, context);
});
