import type { z } from 'zod';
import { jobViewSchema } from '../../lib/http/openapi';
import { apiTarget, fail, getJson, type ApiTarget } from './api';

/*
 * `npm run jobs -- <jobId> [--watch] [--json]`: a job's status, progress, result and errors through the read API
 * (GET /jobs/{jobId}). --watch polls every 2 s until the job has succeeded or failed, and exits 1 on failed.
 */
type JobView = z.infer<typeof jobViewSchema>;
const JOB = { schema: jobViewSchema, what: 'a job' };

export function formatJob(job: JobView): string {
  const { total, done, failed } = job.progress;
  const out = [
    `${job.jobId}  ${job.workflow}  ${job.status.toUpperCase()}`,
    `  created ${job.createdAt}, updated ${job.updatedAt}`,
    `  progress ${done}/${total} done, ${failed} failed`,
  ];
  if (job.result && Object.keys(job.result).length) out.push(`  result ${JSON.stringify(job.result)}`);
  if (job.errors.length) {
    out.push(`  errors (${job.errors.length}):`);
    for (const e of job.errors.slice(0, 50)) {
      out.push(`    ${e.fileId === undefined ? '' : `file ${e.fileId} `}${e.title ? `"${e.title}" ` : ''}${e.reason}`);
    }
    if (job.errors.length > 50) out.push(`    … ${job.errors.length - 50} more (--json shows all)`);
  }
  return out.join('\n');
}

async function watch(target: ApiTarget, jobId: string, asJson: boolean): Promise<JobView> {
  let last = '';
  for (;;) {
    const job = await getJson(target, `/jobs/${encodeURIComponent(jobId)}`, JOB);
    const text = asJson ? JSON.stringify(job, null, 2) : formatJob(job);
    if (text !== last) process.stdout.write(`${text}\n`);
    last = text;
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

async function main(argv: string[]): Promise<void> {
  const jobId = argv.find((a) => !a.startsWith('--'));
  if (!jobId) throw new Error('usage: npm run jobs -- <jobId> [--watch] [--json]');
  const target = apiTarget();
  const asJson = argv.includes('--json');
  const job = argv.includes('--watch')
    ? await watch(target, jobId, asJson)
    : await getJson(target, `/jobs/${encodeURIComponent(jobId)}`, JOB);
  if (!argv.includes('--watch')) process.stdout.write(`${asJson ? JSON.stringify(job, null, 2) : formatJob(job)}\n`);
  if (job.status === 'failed') process.exitCode = 1;
}

if (require.main === module) main(process.argv.slice(2)).catch((error: unknown) => fail('npm run jobs', error));
