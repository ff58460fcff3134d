/**
 * What a newcomer sees when something is missing: one readable line and exit code 1, never a
 * stack trace.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function runGateway(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts', ...args], {
      cwd: new URL('..', import.meta.url),
      env: { ...process.env, PORT: '0', MLLP_PORT: '0', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('start-up failures', () => {
  it('says in one line that Redis is unreachable and how to start one', async () => {
    const { code, stderr } = await runGateway({ REDIS_URL: 'redis://127.0.0.1:1' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.1:1 .*redis-server/);
  });

  it('names the bad variable in one line', async () => {
    const { code, stderr } = await runGateway({ PORT: 'eighty' });
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^passerelle: invalid configuration: PORT: /);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses an unknown role', async () => {
    const { code, stderr } = await runGateway({}, ['--role', 'boss']);
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^passerelle: invalid --role "boss"/);
  });

  it('asks for FHIR_BASE_URL when a split role has no FHIR server', async () => {
    const { code, stderr } = await runGateway({ QUEUE_PREFIX: 'startup-test' }, ['--role', 'worker']);
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/--role worker needs FHIR_BASE_URL/);
  });

  it('names the faulty field of a bad clients file', async () => {
    const { code, stderr } = await runGateway({ CLIENTS_FILE: new URL('../package.json', import.meta.url).pathname });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/package\.json: .*clients/);
  });
});
