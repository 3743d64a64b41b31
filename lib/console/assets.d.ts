// Imports that infra/esbuild-plugins.js (Lambda bundles) and vitest.config.mts (tests) turn into strings.
declare module '*?raw' {
  const text: string;
  export default text;
}
declare module '*?browser' {
  const script: string;
  export default script;
}
