-- The collector's database schema version 1, as tools/collector/db.c created
-- it before records were keyed by provisioning generation (commit 132f150).
-- collector_db_migration.sh makes a version 1 database from it with the
-- sqlite3 command and opens it with today's collector.
CREATE TABLE IF NOT EXISTS device (
 serial TEXT PRIMARY KEY, psk_identity TEXT NOT NULL UNIQUE, psk BLOB NOT NULL,
 trial TEXT NOT NULL, region TEXT NOT NULL, keep_devices INTEGER NOT NULL,
 model TEXT NOT NULL DEFAULT '', enrolled_at INTEGER NOT NULL,
 last_contact INTEGER);
CREATE TABLE IF NOT EXISTS provisioning (
 serial TEXT PRIMARY KEY REFERENCES device(serial), model TEXT NOT NULL,
 hw_revision TEXT NOT NULL, mac TEXT NOT NULL, fw_version TEXT NOT NULL,
 trial TEXT NOT NULL, region TEXT NOT NULL, locale TEXT NOT NULL,
 licence_state TEXT NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
 reports INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS usage (
 serial TEXT NOT NULL, id INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
 calls INTEGER NOT NULL, call_seconds INTEGER NOT NULL, calls_blocked INTEGER NOT NULL,
 emergency_calls INTEGER NOT NULL, meetings INTEGER NOT NULL,
 meeting_seconds INTEGER NOT NULL, share_seconds INTEGER NOT NULL,
 people_peak INTEGER NOT NULL, uptime_seconds INTEGER NOT NULL,
 received_at INTEGER NOT NULL, PRIMARY KEY (serial, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event (
 serial TEXT NOT NULL, id INTEGER NOT NULL, t INTEGER NOT NULL, kind TEXT NOT NULL,
 detail TEXT NOT NULL, received_at INTEGER NOT NULL,
 PRIMARY KEY (serial, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS licence (
 serial TEXT PRIMARY KEY REFERENCES device(serial), org TEXT NOT NULL,
 typ TEXT NOT NULL CHECK (typ IN ('trial','paid')), trial_exp INTEGER,
 ext INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL, iat INTEGER,
 updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS licence_service (
 serial TEXT NOT NULL REFERENCES device(serial), id TEXT NOT NULL,
 exp INTEGER NOT NULL, PRIMARY KEY (serial, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('licence_version', 0);
PRAGMA user_version = 1;
