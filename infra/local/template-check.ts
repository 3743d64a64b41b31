import { parseSection } from '../../lib/config';
import { DocSpaceClient } from '../../lib/docspace/client';
import { checkTemplateMap, docspaceRooms, type TemplateMapCheck } from '../../lib/workflows/project-room';

/*
 * The TEMPLATE_MAP line of `npm start`'s ready banner: the check the project-room worker runs at cold start
 * (checkTemplateMap over lib/docspace), shown up front so a mapping to a template the portal does not have is seen
 * before the first project hits it. It only reports: nothing it finds, and no failure to run it, stops the stack.
 */

export type TemplateCheckOutcome = { check: TemplateMapCheck } | { error: unknown };

/** `TEMPLATE_MAP: legal -> 1050 ok, construction -> 999 NOT A TEMPLATE on the portal`. */
export function formatTemplateCheck(templateMap: Record<string, number>, outcome: TemplateCheckOutcome): string {
  if ('error' in outcome) {
    const reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    return `TEMPLATE_MAP: not checked against the portal (${reason})`;
  }
  const entries = Object.entries(templateMap);
  if (entries.length === 0) return 'TEMPLATE_MAP: maps no project type';
  const missing = new Set(outcome.check.missing.map((m) => m.projectType));
  return `TEMPLATE_MAP: ${entries
    .map(([type, id]) => `${type} -> ${id} ${missing.has(type) ? 'NOT A TEMPLATE on the portal' : 'ok'}`)
    .join(', ')}`;
}

/**
 * Reads DOCSPACE_API_HOST/KEY and TEMPLATE_MAP from the settings the functions get, asks the portal for its
 * templates and formats the answer. Never throws: a missing setting or an unreachable portal becomes the line.
 */
export async function templateMapBannerLine(
  settings: Record<string, string | undefined>,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<string> {
  let templateMap: Record<string, number> = {};
  try {
    templateMap = parseSection('templateMap', settings).TEMPLATE_MAP;
    const docspace = parseSection('docspace', settings);
    const client = new DocSpaceClient({
      baseUrl: docspace.DOCSPACE_API_HOST,
      apiKey: docspace.DOCSPACE_API_KEY,
      // A banner line is not worth the workers' full retry budget against a portal that does not answer.
      timeoutMs: options.timeoutMs ?? 5_000,
      retry: { maxAttempts: 2, budgetMs: 10_000 },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    return formatTemplateCheck(templateMap, { check: await checkTemplateMap(docspaceRooms(client), templateMap) });
  } catch (error) {
    return formatTemplateCheck(templateMap, { error });
  }
}
