import { describe, expect, it } from 'vitest';
import { ConfigError, parseSection } from '../../../lib/config';

describe('settings', () => {
  it('names the missing variable without echoing any value', () => {
    const error = (() => {
      try {
        parseSection('deals', { ARCHIVE_ROOT_FOLDER_ID: '42' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('DEALS_WEBHOOK_SECRET');
    expect((error as Error).message).toBe('Invalid configuration: DEALS_WEBHOOK_SECRET is not set');
  });

  it('rejects a malformed COPY_RULES and says why', () => {
    expect(() => parseSection('uploads', { DOCSPACE_WEBHOOK_SECRET: 's', COPY_RULES: '[{"sourceRoomId": 1}' })).toThrow(
      'COPY_RULES must be valid JSON',
    );
    expect(() => parseSection('uploads', { DOCSPACE_WEBHOOK_SECRET: 's', COPY_RULES: '[{"sourceRoomId": "x", "destFolderId": 2}]' })).toThrow(
      /COPY_RULES/,
    );
  });

  it('parses TEMPLATE_MAP into numeric template ids', () => {
    const projects = parseSection('projects', { PROJECTS_WEBHOOK_SECRET: 's', TEMPLATE_MAP: '{"legal": 11, "marketing": "12"}' });
    expect(projects.TEMPLATE_MAP).toEqual({ legal: 11, marketing: 12 });
    expect(projects.PROJECT_CALLBACK_ALLOW_PRIVATE).toBe(false);
  });

  it('refuses a portal URL that already carries /api/2.0 and strips trailing slashes', () => {
    expect(() => parseSection('docspace', { DOCSPACE_API_HOST: 'https://p.example.com/api/2.0', DOCSPACE_API_KEY: 'k' })).toThrow(
      /DOCSPACE_API_HOST must be the portal origin/,
    );
    expect(parseSection('docspace', { DOCSPACE_API_HOST: 'https://p.example.com//', DOCSPACE_API_KEY: 'k' }).DOCSPACE_API_HOST).toBe(
      'https://p.example.com',
    );
  });

  it('defaults INACTIVITY_DAYS to 10 and rejects a non-number', () => {
    expect(parseSection('scan', {}).INACTIVITY_DAYS).toBe(10);
    expect(() => parseSection('scan', { INACTIVITY_DAYS: 'ten' })).toThrow(/INACTIVITY_DAYS/);
  });

  it('requires an admin token long enough not to be guessed', () => {
    expect(() => parseSection('admin', { ADMIN_API_TOKEN: 'short' })).toThrow('ADMIN_API_TOKEN must be at least 16 characters');
  });
});
