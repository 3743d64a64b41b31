import type { CopyRule } from './model';

/**
 * The rules as the worker uses them: a rule listed twice would otherwise copy each upload twice to one folder.
 * (Which rule sets are refused, and why, is decided where COPY_RULES is parsed: lib/config.ts.)
 */
export function distinctRules(rules: CopyRule[]): CopyRule[] {
  const unique = new Map<string, CopyRule>();
  for (const rule of rules) unique.set(`${rule.sourceRoomId}:${rule.destFolderId}`, rule);
  return [...unique.values()];
}
