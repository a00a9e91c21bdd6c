import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'

/**
 * The original Monlight's databases with their final schemas (upstream-contract §2.11 and §5.8) and a few rows,
 * as `deploy/` laid them out: `<dir>/errors/errors.db` and `<dir>/browser-relay/browser-relay.db`.
 */
export function writeUpstreamDatabases(dir: string): void {
  mkdirSync(join(dir, 'errors'), { recursive: true })
  const errors = new Database(join(dir, 'errors', 'errors.db'))
  errors.exec(`
    CREATE TABLE errors (id INTEGER PRIMARY KEY AUTOINCREMENT, fingerprint VARCHAR(32) NOT NULL,
      project VARCHAR(100) NOT NULL, exception_type VARCHAR(200) NOT NULL, message TEXT NOT NULL,
      traceback TEXT NOT NULL, count INTEGER NOT NULL DEFAULT 1,
      first_seen DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
      last_seen DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
      resolved BOOLEAN NOT NULL DEFAULT 0, resolved_at DATETIME NULL);
    CREATE TABLE error_occurrences (id INTEGER PRIMARY KEY AUTOINCREMENT,
      error_id INTEGER NOT NULL REFERENCES errors(id) ON DELETE CASCADE,
      timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')), request_url VARCHAR(500),
      request_method VARCHAR(10), request_headers TEXT, user_id VARCHAR(100), extra TEXT, traceback TEXT NOT NULL);
    CREATE INDEX idx_fingerprint_resolved ON errors(fingerprint, resolved);
  `)
  const traceback =
    'Traceback (most recent call last):\n  File "/app/test.py", line 42, in f\nTestError: boom\n'
  // md5('e2e-test:TestError:/app/test.py:42'), as the original computed it.
  errors
    .prepare(
      `INSERT INTO errors (id, fingerprint, project, exception_type, message, traceback, count, first_seen, last_seen, resolved)
       VALUES (17, 'bfe948320647333075d782d84349909c', 'e2e-test', 'TestError', 'boom', ?, 7, '2025-06-01T10:00:00Z', '2025-06-02 11:30:00', 0)`,
    )
    .run(traceback)
  errors
    .prepare(
      `INSERT INTO errors (id, fingerprint, project, exception_type, message, traceback, count, resolved, resolved_at)
       VALUES (23, 'ffffffffffffffffffffffffffffffff', 'web', 'TypeError', 'x is undefined', '', 1, 1,
               strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day'))`,
    )
    .run()
  const occurrence = errors.prepare(
    `INSERT INTO error_occurrences (error_id, timestamp, request_url, request_method, request_headers, user_id, extra, traceback)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  for (let i = 0; i < 5; i++) {
    occurrence.run(
      17,
      `2025-06-02T11:2${i}:00Z`,
      `/checkout?n=${i}`,
      'POST',
      '{"accept":"*/*"}',
      `u${i}`,
      '{"n":1}',
      traceback,
    )
  }
  // Resolved yesterday: within the retention period, so the server's first retention run keeps it.
  occurrence.run(23, '2025-06-03T08:00:00Z', 'https://shop.example/', 'BROWSER', null, null, null, '')
  errors.close()

  mkdirSync(join(dir, 'browser-relay'), { recursive: true })
  const relay = new Database(join(dir, 'browser-relay', 'browser-relay.db'))
  relay.exec(`
    CREATE TABLE dsn_keys (id INTEGER PRIMARY KEY AUTOINCREMENT, public_key VARCHAR(64) NOT NULL UNIQUE,
      project VARCHAR(100) NOT NULL, created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
      active BOOLEAN NOT NULL DEFAULT 1);
    CREATE TABLE source_maps (id INTEGER PRIMARY KEY AUTOINCREMENT, project VARCHAR(100) NOT NULL,
      release VARCHAR(100) NOT NULL, file_url VARCHAR(500) NOT NULL, map_content TEXT NOT NULL,
      uploaded_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')), UNIQUE(project, release, file_url));
    INSERT INTO dsn_keys (public_key, project, created_at, active) VALUES
      ('0123456789abcdef0123456789abcdef', 'web', '2025-05-01T00:00:00Z', 1),
      ('fedcba9876543210fedcba9876543210', 'old', '2025-01-01T00:00:00Z', 0);
    INSERT INTO source_maps (project, release, file_url, map_content) VALUES
      ('web', '1.0.0', '/static/app.min.js', '{"version":3,"sources":["app.ts"],"names":[],"mappings":"AAAA"}');
  `)
  relay.close()
}
