import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'

/**
 * The original Monlight's databases with their final schemas (upstream-contract §2.11, §3.9, §4.9, §5.8) and a
 * few rows, as `deploy/` laid them out: `<dir>/errors/errors.db`, `<dir>/logs/logs.db`, `<dir>/metrics/metrics.db`
 * and `<dir>/browser-relay/browser-relay.db`.
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

  mkdirSync(join(dir, 'logs'), { recursive: true })
  const logs = new Database(join(dir, 'logs', 'logs.db'))
  logs.exec(`
    CREATE TABLE log_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp DATETIME NOT NULL,
      container VARCHAR(200) NOT NULL, stream VARCHAR(10) NOT NULL DEFAULT 'stdout',
      level VARCHAR(10) NOT NULL DEFAULT 'INFO', message TEXT NOT NULL, raw TEXT);
    CREATE VIRTUAL TABLE log_entries_fts USING fts5(message, content='log_entries', content_rowid='id');
    CREATE TRIGGER log_entries_ai AFTER INSERT ON log_entries BEGIN
      INSERT INTO log_entries_fts(rowid, message) VALUES (new.id, new.message); END;
    CREATE TABLE cursors (id INTEGER PRIMARY KEY AUTOINCREMENT, container_id VARCHAR(200) NOT NULL UNIQUE,
      file_path TEXT NOT NULL, position INTEGER NOT NULL DEFAULT 0, inode INTEGER NOT NULL DEFAULT 0,
      updated_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));
  `)
  const entry = logs.prepare(
    'INSERT INTO log_entries (timestamp, container, stream, level, message) VALUES (?, ?, ?, ?, ?)',
  )
  for (let i = 0; i < 12; i++) {
    entry.run(
      `2025-06-02T10:00:${String(i).padStart(2, '0')}Z`,
      i % 2 ? 'api' : 'worker',
      'stdout',
      'INFO',
      `request ${i} served`,
    )
  }
  entry.run(
    '2025-06-02 10:01:00',
    'api',
    'stderr',
    'ERROR',
    'Traceback (most recent call last):\nKeyError: order_id',
  )
  logs.close()

  mkdirSync(join(dir, 'metrics'), { recursive: true })
  const metrics = new Database(join(dir, 'metrics', 'metrics.db'))
  metrics.exec(`
    CREATE TABLE metrics_raw (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp DATETIME NOT NULL,
      name VARCHAR(200) NOT NULL, labels TEXT, value REAL NOT NULL, type VARCHAR(20) NOT NULL, project VARCHAR(100));
    CREATE TABLE metrics_aggregated (id INTEGER PRIMARY KEY AUTOINCREMENT, bucket DATETIME NOT NULL,
      resolution VARCHAR(10) NOT NULL, name VARCHAR(200) NOT NULL, labels TEXT, count INTEGER NOT NULL DEFAULT 0,
      sum REAL NOT NULL DEFAULT 0, min REAL NOT NULL DEFAULT 0, max REAL NOT NULL DEFAULT 0,
      avg REAL NOT NULL DEFAULT 0, p50 REAL, p95 REAL, p99 REAL, project VARCHAR(100));
  `)
  const raw = metrics.prepare(
    'INSERT INTO metrics_raw (timestamp, name, labels, value, type, project) VALUES (?, ?, ?, ?, ?, ?)',
  )
  const recent = new Date(Date.now() - 3_600_000).toISOString().slice(0, 19)
  for (let i = 0; i < 10; i++) {
    raw.run(
      `${recent}Z`,
      'http_request_duration_seconds',
      '{"method":"GET","endpoint":"/api","status":"200"}',
      0.1 * (i + 1),
      'histogram',
      'shop',
    )
  }
  // The original stored client timestamps verbatim: this row cannot be placed in time and is skipped.
  raw.run('yesterday-ish', 'http_requests_total', '{}', 1, 'counter', null)
  metrics.close()
}
