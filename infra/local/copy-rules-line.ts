import { ConfigError, parseSection } from '../../lib/config';

/*
 * The COPY_RULES line of `npm start`'s ready banner: the rules as the upload-copy functions will read them, or why
 * they refuse them (the same parse, so a refused set is seen before the first upload answers 503).
 */
export function copyRulesBannerLine(settings: Record<string, string | undefined>): string {
  try {
    const rules = parseSection('copyRules', settings).COPY_RULES;
    return `COPY_RULES: ${rules.map((r) => `room ${r.sourceRoomId} -> folder ${r.destFolderId}`).join(', ')}`;
  } catch (error) {
    if (error instanceof ConfigError) return `REFUSED, uploads are answered 503 until it is fixed: ${error.message}`;
    throw error;
  }
}
