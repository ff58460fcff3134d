import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DB_FILE } from './database.js';
import { openTestStore } from './test-fixture.js';

describe('background checkpoints', () => {
  it('copy committed writes into the database file while the writer never checkpoints', async () => {
    const test = openTestStore();
    try {
      const file = join(test.dataDir, DB_FILE);
      const before = statSync(file).size;
      for (let i = 0; i < 200; i++) {
        const answer = await test.call('POST', '/Patient', { resourceType: 'Patient', name: [{ family: `Checkpoint${i}` }] });
        expect(answer.status).toBe(201);
      }
      // 200 Patients make far fewer WAL pages than the writer's own backstop (10,000): only the
      // worker thread can have grown the database file.
      await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before + 100 * 1024), { timeout: 5_000, interval: 50 });
    } finally {
      await test.close();
    }
  });

  it('stop with the store, which still reopens with every answered write', async () => {
    const first = openTestStore();
    const created = await first.call<{ id: string }>('POST', '/Patient', { resourceType: 'Patient', name: [{ family: 'Reopened' }] });
    await first.store.close();
    const again = openTestStore(first.dataDir);
    try {
      expect((await again.call('GET', `/Patient/${created.body.id}`)).status).toBe(200);
    } finally {
      await again.close();
      await first.close();
    }
  });
});
