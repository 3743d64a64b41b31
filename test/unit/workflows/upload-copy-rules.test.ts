import { describe, expect, it } from 'vitest';
import { ConfigError, parseSection } from '../../../lib/config';
import { InvalidCopyRuleError, duplicateTitlePattern, validateRules } from '../../../lib/workflows/upload-copy';

const env = (rules: unknown) => ({ DOCSPACE_WEBHOOK_SECRET: 's3cret', COPY_RULES: JSON.stringify(rules) });

describe('COPY_RULES', () => {
  it('accepts several rules, also two destinations for one room', () => {
    const { COPY_RULES } = parseSection('uploads', env([{ sourceRoomId: 1, destFolderId: 2 }, { sourceRoomId: 1, destFolderId: 3 }, { sourceRoomId: 4, destFolderId: 2 }]));
    expect(COPY_RULES).toHaveLength(3);
  });

  it('refuses a rule whose destination is a source room, naming the variable', () => {
    const parse = () => parseSection('uploads', env([{ sourceRoomId: 1, destFolderId: 2 }, { sourceRoomId: 2, destFolderId: 3 }]));
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/COPY_RULES has a destFolderId that is itself a sourceRoomId/);
  });

  it('refuses an empty list and non-numeric ids', () => {
    expect(() => parseSection('uploads', env([]))).toThrow(/COPY_RULES/);
    expect(() => parseSection('uploads', env([{ sourceRoomId: 'x', destFolderId: 2 }]))).toThrow(/COPY_RULES/);
  });

  it('drops repeated rules so a file is not copied twice to one folder', () => {
    expect(validateRules([{ sourceRoomId: 1, destFolderId: 2 }, { sourceRoomId: 1, destFolderId: 2 }])).toEqual([{ sourceRoomId: 1, destFolderId: 2 }]);
    expect(() => validateRules([{ sourceRoomId: 1, destFolderId: 1 }])).toThrow(InvalidCopyRuleError);
  });
});

describe("DocSpace's Duplicate names", () => {
  it('matches the title and its numbered duplicates, and nothing else', () => {
    const pattern = duplicateTitlePattern('Q3 report (final).v2.pdf');
    expect(pattern.test('Q3 report (final).v2.pdf')).toBe(true);
    expect(pattern.test('Q3 report (final).v2 (1).pdf')).toBe(true);
    expect(pattern.test('Q3 report (final).v2 (12).pdf')).toBe(true);
    expect(pattern.test('Q3 report (final).v2.pdf.pdf')).toBe(false);
    expect(pattern.test('Q3 report (final)xv2.pdf')).toBe(false);
    expect(duplicateTitlePattern('README').test('README (2)')).toBe(true);
  });
});
