import { InvalidCopyRuleError, type CopyRule } from './model';

/**
 * Rules are checked when they are loaded: a destination that is itself a source room would copy into the room
 * it copies from. (A destination nested deeper inside a source room needs DocSpace to see; `copyUpload` checks
 * that with the same cache it resolves rooms with.)
 */
export function validateRules(rules: CopyRule[]): CopyRule[] {
  const sources = new Set(rules.map((r) => r.sourceRoomId));
  const unique = new Map<string, CopyRule>();
  for (const rule of rules) {
    if (sources.has(rule.destFolderId)) {
      throw new InvalidCopyRuleError(`destFolderId ${rule.destFolderId} is itself a source room`);
    }
    unique.set(`${rule.sourceRoomId}:${rule.destFolderId}`, rule);
  }
  return [...unique.values()];
}
