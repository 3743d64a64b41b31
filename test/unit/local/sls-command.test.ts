import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { slsCommand, stageFor, workFolderFor } = require('../../../infra/sls-command.js') as {
  slsCommand: (argv: string[]) => string;
  stageFor: (command: string) => string;
  workFolderFor: (command: string) => string;
};

describe('the defaults serverless.yml takes from the command', () => {
  it('reads the command as the words before the first option', () => {
    expect(slsCommand(['invoke', 'local', '-f', 'jobsApi', '--data', '{}'])).toBe('invoke local');
    expect(slsCommand(['offline', 'start', '--stage', 'local'])).toBe('offline start');
    expect(slsCommand(['package'])).toBe('package');
  });

  it('runs invoke local and offline against the local stage, and packages and deploys dev', () => {
    expect(stageFor('invoke local')).toBe('local');
    expect(stageFor('offline')).toBe('local');
    expect(stageFor('offline start')).toBe('local');
    expect(stageFor('package')).toBe('dev');
    expect(stageFor('deploy')).toBe('dev');
    expect(stageFor('invoke')).toBe('dev');
  });

  it('gives offline, invoke local and package each its own build folder, so package cannot delete a live one', () => {
    const folders = ['offline start', 'invoke local', 'package', 'deploy function'].map(workFolderFor);
    expect(folders).toEqual(['.esbuild-offline', '.esbuild-invoke', '.esbuild', '.esbuild']);
  });
});
