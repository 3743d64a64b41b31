import type { ProjectRoomDeps } from './model';
import type { RoomsPort } from './rooms-port';
import { messageOf } from '../../errors';

/**
 * Logs what the start-up check finds, so a mapping to a template the portal does not have shows before a
 * project hits it. It only reports: each job still verifies its own template before creating a room, and a
 * portal that cannot be asked must not stop the worker.
 */
export async function logTemplateMapCheck(deps: Pick<ProjectRoomDeps, 'rooms' | 'log'>, templateMap: Record<string, number>): Promise<void> {
  try {
    const check = await checkTemplateMap(deps.rooms, templateMap);
    for (const m of check.missing) {
      deps.log.error('TEMPLATE_MAP names a template the portal does not have', { projectType: m.projectType, templateId: m.templateId });
    }
    if (check.unmapped.length) deps.log.info('portal templates no project type maps to', { templates: check.unmapped });
  } catch (error) {
    deps.log.warn('could not check TEMPLATE_MAP against the portal templates', { error: messageOf(error) });
  }
}

export interface TemplateMapCheck {
  /** Mapped project types whose template is not a room template on the portal. */
  missing: Array<{ projectType: string; templateId: number }>;
  /** Portal templates no project type maps to (informational). */
  unmapped: Array<{ id: number; title: string }>;
}

/** Compares TEMPLATE_MAP with the portal's templates (searchArea=Templates); run once per cold start. */
export async function checkTemplateMap(rooms: Pick<RoomsPort, 'listRooms'>, templateMap: Record<string, number>): Promise<TemplateMapCheck> {
  const templates = await rooms.listRooms({ searchArea: 'Templates' });
  const ids = new Set(templates.map((t) => t.id));
  const mapped = new Set(Object.values(templateMap));
  return {
    missing: Object.entries(templateMap)
      .filter(([, id]) => !ids.has(id))
      .map(([projectType, templateId]) => ({ projectType, templateId })),
    unmapped: templates.filter((t) => !mapped.has(t.id)).map((t) => ({ id: t.id, title: t.title })),
  };
}
