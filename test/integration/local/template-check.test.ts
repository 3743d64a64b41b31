import { afterAll, describe, expect, it } from 'vitest';
import { DEMO, DocSpaceSimulator, demoFixture } from '@docspace-flows/simulator';
import { formatTemplateCheck, templateMapBannerLine } from '../../../infra/local/template-check';

/*
 * The TEMPLATE_MAP line of `npm start`'s ready banner, against the demo portal through the simulator's in-process
 * fetch (no sockets): the same checkTemplateMap the project-room worker runs at cold start.
 */

const sim = new DocSpaceSimulator({ fixture: demoFixture() });
afterAll(() => sim.close());

const portal = (extra: Record<string, string>) => ({
  DOCSPACE_API_HOST: 'http://portal.invalid',
  DOCSPACE_API_KEY: sim.apiKey,
  ...extra,
});

describe('the TEMPLATE_MAP line of the npm start banner', () => {
  it('marks every mapped type ok when its id is one of the portal templates', async () => {
    const line = await templateMapBannerLine(portal({ TEMPLATE_MAP: JSON.stringify(DEMO.templates) }), { fetch: sim.fetch });
    expect(line).toBe(`TEMPLATE_MAP: legal -> ${DEMO.templates.legal} ok, marketing -> ${DEMO.templates.marketing} ok`);
  });

  it('names a type mapped to a room that is not a template, and one mapped to an id the portal does not have', async () => {
    const map = { legal: DEMO.templates.legal, construction: DEMO.clientRoomId, finance: 999_999 };
    const line = await templateMapBannerLine(portal({ TEMPLATE_MAP: JSON.stringify(map) }), { fetch: sim.fetch });
    expect(line).toBe(
      `TEMPLATE_MAP: legal -> ${DEMO.templates.legal} ok, construction -> ${DEMO.clientRoomId} NOT A TEMPLATE on the portal, ` +
        'finance -> 999999 NOT A TEMPLATE on the portal',
    );
  });

  it('reports a portal that refuses the key instead of throwing, without printing the key', async () => {
    const settings = { ...portal({ TEMPLATE_MAP: '{"legal":1}' }), DOCSPACE_API_KEY: 'sk-wrong0123456789abcdef' };
    const line = await templateMapBannerLine(settings, { fetch: sim.fetch });
    expect(line).toMatch(/^TEMPLATE_MAP: not checked against the portal \(DocSpace GET .*401/);
    expect(line).not.toContain('sk-wrong0123456789abcdef');
  });

  it('reports a portal that does not answer, or a setting that is missing, instead of throwing', async () => {
    const down = (() => Promise.reject(new TypeError('fetch failed'))) as typeof fetch;
    const unreachable = await templateMapBannerLine(portal({ TEMPLATE_MAP: '{"legal":1}' }), { fetch: down });
    expect(unreachable).toMatch(/^TEMPLATE_MAP: not checked against the portal \(.+\)$/);
    expect(await templateMapBannerLine({ DOCSPACE_API_HOST: 'http://portal.invalid', DOCSPACE_API_KEY: 'k' })).toBe(
      'TEMPLATE_MAP: not checked against the portal (Invalid configuration: TEMPLATE_MAP is not set)',
    );
  });

  it('says when the map is empty', () => {
    expect(formatTemplateCheck({}, { check: { missing: [], unmapped: [{ id: 1, title: 'Legal project' }] } })).toBe(
      'TEMPLATE_MAP: maps no project type',
    );
  });
});
