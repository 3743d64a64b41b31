import { describe, expect, it } from 'vitest';
import { ConfigError, parseSection } from '../../../lib/config';
import { distinctRules, duplicateTitlePattern } from '../../../lib/workflows/upload-copy';

const env = (rules: unknown) => ({ DOCSPACE_WEBHOOK_SECRET: 's3cret', COPY_RULES: JSON.stringify(rules) });

describe('COPY_RULES', () => {
  it('accepts several rules, also two destinations for one room', () => {
    const { COPY_RULES } = parseSection('uploads', env([{ sourceRoomId: 1, destFolderId: 2 }, { sourceRoomId: 1, destFolderId: 3 }, { sourceRoomId: 4, destFolderId: 2 }]));
    expect(COPY_RULES).toHaveLength(3);
  });

  it('accepts the two-way exchange: each destination inside the other rule\'s source room, or that room itself', () => {
    const twoWay = [{ sourceRoomId: 104, destFolderId: 1003 }, { sourceRoomId: 103, destFolderId: 1044 }];
    expect(parseSection('uploads', env(twoWay)).COPY_RULES).toEqual(twoWay);
    const roomToRoom = [{ sourceRoomId: 1, destFolderId: 2 }, { sourceRoomId: 2, destFolderId: 1 }];
    expect(parseSection('uploads', env(roomToRoom)).COPY_RULES).toEqual(roomToRoom);
    // A destination folder inside the rule's own source room.
    expect(parseSection('copyRules', { COPY_RULES: JSON.stringify([{ sourceRoomId: 104, destFolderId: 1044 }]) }).COPY_RULES).toHaveLength(1);
  });

  it('refuses a rule into its own source room, which could never copy anything, naming the variable and the rule', () => {
    const parse = () => parseSection('uploads', env([{ sourceRoomId: 1, destFolderId: 2 }, { sourceRoomId: 3, destFolderId: 3 }]));
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/^Invalid configuration: COPY_RULES rule 2 has destFolderId 3, its own sourceRoomId/);
    // The worker reads the same variable without the webhook secret, and refuses it the same way.
    expect(() => parseSection('copyRules', { COPY_RULES: JSON.stringify([{ sourceRoomId: 3, destFolderId: 3 }]) })).toThrow(/COPY_RULES rule 1/);
  });

  it('refuses an empty list and non-numeric ids', () => {
    expect(() => parseSection('uploads', env([]))).toThrow(/COPY_RULES/);
    expect(() => parseSection('uploads', env([{ sourceRoomId: 'x', destFolderId: 2 }]))).toThrow(/COPY_RULES/);
  });

  it('drops repeated rules so a file is not copied twice to one folder', () => {
    expect(distinctRules([{ sourceRoomId: 1, destFolderId: 2 }, { sourceRoomId: 1, destFolderId: 2 }])).toEqual([{ sourceRoomId: 1, destFolderId: 2 }]);
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

describe("npm start's banner", () => {
  it('lists the rules it will run, or says the set is refused and why', async () => {
    const { copyRulesBannerLine } = await import('../../../infra/local/copy-rules-line');
    expect(copyRulesBannerLine({ COPY_RULES: JSON.stringify([{ sourceRoomId: 104, destFolderId: 1003 }, { sourceRoomId: 103, destFolderId: 1044 }]) })).toBe(
      'COPY_RULES: room 104 -> folder 1003, room 103 -> folder 1044',
    );
    expect(copyRulesBannerLine({ COPY_RULES: JSON.stringify([{ sourceRoomId: 104, destFolderId: 104 }]) })).toMatch(
      /^REFUSED, uploads are answered 503 until it is fixed: Invalid configuration: COPY_RULES rule 1 has destFolderId 104, its own sourceRoomId/,
    );
    expect(copyRulesBannerLine({})).toMatch(/COPY_RULES is not set/);
  });
});
