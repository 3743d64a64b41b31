// The DocSpace simulator's public surface (see /work/spec.md): the simulator, the demo portal and its ids, types.
export { DocSpaceSimulator } from './simulator';
export { DEMO, defaultFixture, demoFixture, type DemoIds } from './demo';
export { signBody } from './webhooks';
export { PortalState } from './state';
export type * from './types';
