import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { LAST_ATTEMPT, MAX_RECEIVE_COUNT } from '../../../lib/queue/attempts';
import { LAST_COPY_ATTEMPT } from '../../../lib/workflows/upload-copy';
import { LAST_ATTEMPT as FILE_MOVES_LAST_ATTEMPT } from '../../../lib/workflows/file-moves/model';
import { DEFAULT_TIMING } from '../../../lib/workflows/project-room/model';

type Resources = { Resources: Record<string, { Type: string; Properties?: { RedrivePolicy?: { maxReceiveCount?: number } } }> };

// CloudFormation's short-form tags (!GetAtt, !Ref, …) are read as plain values: only the numbers matter here.
const cfnTags = ['!GetAtt', '!Ref', '!Sub', '!Join', '!Select', '!If', '!Equals', '!Not', '!FindInMap'];
function readResources(): Resources {
  let text = readFileSync(join(__dirname, '../../../infra/resources.yml'), 'utf8');
  for (const tag of cfnTags) text = text.replaceAll(`${tag} `, '');
  return load(text) as Resources;
}

describe('the attempts a step gets', () => {
  it('counts from the maxReceiveCount every work queue in infra/resources.yml has', () => {
    const queues = Object.entries(readResources().Resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue' && r.Properties?.RedrivePolicy);
    expect(queues.map(([name]) => name).sort()).toEqual(['FileMovesQueue', 'ProjectRoomQueue', 'UploadCopyQueue']);
    for (const [name, queue] of queues) expect(queue.Properties!.RedrivePolicy!.maxReceiveCount, name).toBe(MAX_RECEIVE_COUNT);
  });

  it('gives every workflow the same last attempt, one before SQS parks the message', () => {
    expect(LAST_ATTEMPT).toBe(MAX_RECEIVE_COUNT - 1);
    expect(FILE_MOVES_LAST_ATTEMPT).toBe(LAST_ATTEMPT);
    expect(DEFAULT_TIMING.lastAttempt).toBe(LAST_ATTEMPT);
  });

  it('lets an upload copy fail on the very last delivery, so the message reaches the DLQ and its alarm', () => {
    expect(LAST_COPY_ATTEMPT).toBe(MAX_RECEIVE_COUNT);
  });
});
