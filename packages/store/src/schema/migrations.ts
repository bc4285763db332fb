import type { IndexSpec, Migration, TableSpec } from './schema-description.js';

/**
 * Every schema change, in order. Never edit a released migration; add the next one.
 */
/** The EPCIS events table as migration 11 made it (migration 12 widens its unique key). */
const EPCIS_EVENTS_V11 = {
  // An EPCIS event, captured or written by serialtrace: the fields the standard query
  // selects on as columns, the event itself as JSON text. Events are never changed nor
  // deleted (an error declaration is an event of its own).
  name: 'epcis_events',
  columns: {
    id: { type: 'id' },
    company_id: { type: 'integer', references: 'companies(id)' },
    // The eventID as captured, or the event hash when it had none.
    event_id: { type: 'text' },
    // The CBV 2.0 event hash, whatever the eventID: a second capture of one event is found by it.
    event_hash: { type: 'text' },
    type: { type: 'text' },
    // UTC instants at millisecond precision, so that they sort as text.
    event_time: { type: 'instant' },
    event_time_zone_offset: { type: 'text' },
    record_time: { type: 'instant' },
    action: { type: 'text', nullable: true },
    biz_step: { type: 'text', nullable: true },
    disposition: { type: 'text', nullable: true },
    read_point: { type: 'text', nullable: true },
    biz_location: { type: 'text', nullable: true },
    error_declared: { type: 'boolean' },
    capture_id: { type: 'integer', nullable: true, references: 'epcis_captures(id)' },
    document: { type: 'json' },
  },
  unique: [['company_id', 'event_id']],
} as const satisfies TableSpec;

/** The indexes of the EPCIS events table besides its unique key. */
const EPCIS_EVENTS_INDEXES: readonly IndexSpec[] = [
  { name: 'epcis_events_company_hash', table: 'epcis_events', columns: ['company_id', 'event_hash'] },
  { name: 'epcis_events_company_event_time', table: 'epcis_events', columns: ['company_id', 'event_time', 'id'] },
  { name: 'epcis_events_company_record_time', table: 'epcis_events', columns: ['company_id', 'record_time', 'id'] },
];

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'series, counters, records, history, audit, idempotency',
    steps: [
      {
        kind: 'table',
        table: {
          name: 'companies',
          columns: {
            id: { type: 'id' },
            name: { type: 'text' },
            created_at: { type: 'instant' },
          },
          unique: [['name']],
        },
      },
      { kind: 'rows', table: 'companies', rows: [{ id: 1, name: 'default', created_at: '1970-01-01T00:00:00.000Z' }] },
      {
        kind: 'table',
        table: {
          name: 'series',
          columns: {
            id: { type: 'id' },
            company_id: { type: 'integer', references: 'companies(id)' },
            name: { type: 'text' },
            description: { type: 'text', default: '' },
            format: { type: 'text' },
            base: { type: 'text' },
            // Sequence numbers may exceed 64 bits (13 base-36 characters do), so they are decimal text.
            start_value: { type: 'text' },
            increment: { type: 'text' },
            min_length: { type: 'integer' },
            reset_rule: { type: 'text' },
            time_zone: { type: 'text' },
            shift_starts: { type: 'json', nullable: true },
            is_global: { type: 'boolean' },
            allow_growth: { type: 'boolean' },
            version: { type: 'integer' },
            created_at: { type: 'instant' },
            created_by: { type: 'text' },
            updated_at: { type: 'instant' },
            updated_by: { type: 'text' },
          },
          unique: [['company_id', 'name']],
        },
      },
      {
        kind: 'table',
        table: {
          name: 'series_versions',
          columns: {
            series_id: { type: 'integer', references: 'series(id)' },
            version: { type: 'integer' },
            settings: { type: 'json' },
            changed_at: { type: 'instant' },
            changed_by: { type: 'text' },
            reason: { type: 'text', nullable: true },
          },
          primaryKey: ['series_id', 'version'],
          clustered: true,
        },
      },
      {
        kind: 'table',
        table: {
          name: 'counters',
          columns: {
            series_id: { type: 'integer', references: 'series(id)' },
            period: { type: 'text' },
            value: { type: 'text' },
            updated_at: { type: 'instant' },
          },
          primaryKey: ['series_id', 'period'],
          clustered: true,
        },
      },
      {
        kind: 'table',
        table: {
          name: 'records',
          columns: {
            id: { type: 'id' },
            company_id: { type: 'integer', references: 'companies(id)' },
            series_id: { type: 'integer', references: 'series(id)' },
            serial: { type: 'text' },
            sequence: { type: 'text' },
            period: { type: 'text' },
            status: { type: 'text' },
            work_order: { type: 'text', nullable: true },
            part_number: { type: 'text', nullable: true },
            context: { type: 'json', nullable: true },
            metadata: { type: 'json', nullable: true },
            generated_at: { type: 'instant' },
            generated_by: { type: 'text' },
            station: { type: 'text', nullable: true },
            updated_at: { type: 'instant' },
            // The audit entry that recorded this serial's issue.
            audit_seq: { type: 'integer', nullable: true },
          },
        },
      },
      // One index does three jobs: it makes a serial unique within its series (a series belongs to
      // one company, so (company, serial, series) is unique exactly when (series, serial) is), it
      // finds a serial across series, and it answers the company-wide check of global series.
      {
        kind: 'index',
        index: { name: 'records_company_serial', table: 'records', columns: ['company_id', 'serial', 'series_id'], unique: true },
      },
      {
        kind: 'index',
        index: {
          name: 'records_company_work_order',
          table: 'records',
          columns: ['company_id', 'work_order'],
          where: 'work_order IS NOT NULL',
        },
      },
      {
        kind: 'index',
        index: {
          name: 'records_company_part',
          table: 'records',
          columns: ['company_id', 'part_number'],
          where: 'part_number IS NOT NULL',
        },
      },
      {
        kind: 'table',
        table: {
          name: 'record_history',
          columns: {
            id: { type: 'id' },
            record_id: { type: 'integer', references: 'records(id)' },
            from_status: { type: 'text', nullable: true },
            to_status: { type: 'text' },
            at: { type: 'instant' },
            actor: { type: 'text' },
            station: { type: 'text', nullable: true },
            reason: { type: 'text', nullable: true },
            data: { type: 'json', nullable: true },
            audit_seq: { type: 'integer', nullable: true },
          },
        },
      },
      { kind: 'index', index: { name: 'record_history_record', table: 'record_history', columns: ['record_id'] } },
      {
        kind: 'table',
        table: {
          name: 'audit_log',
          columns: {
            company_id: { type: 'integer', references: 'companies(id)' },
            seq: { type: 'integer' },
            at: { type: 'instant' },
            actor: { type: 'text' },
            station: { type: 'text', nullable: true },
            line: { type: 'text', nullable: true },
            plant: { type: 'text', nullable: true },
            reason: { type: 'text', nullable: true },
            action: { type: 'text' },
            entity_type: { type: 'text' },
            entity_id: { type: 'text' },
            data: { type: 'json', nullable: true },
            prev_hash: { type: 'text' },
            hash: { type: 'text' },
          },
          // No index on the entity: each index is one more page written by every commit on the
          // hot path. Records and their history reach their entries by audit_seq instead.
          primaryKey: ['company_id', 'seq'],
          clustered: true,
        },
      },
      {
        kind: 'table',
        table: {
          name: 'idempotency_keys',
          columns: {
            company_id: { type: 'integer', references: 'companies(id)' },
            key: { type: 'text' },
            request_hash: { type: 'text' },
            response: { type: 'json' },
            created_at: { type: 'instant' },
          },
          primaryKey: ['company_id', 'key'],
          clustered: true,
        },
      },
    ],
  },
  {
    version: 2,
    name: 'users, sessions and API keys',
    steps: [
      {
        kind: 'table',
        table: {
          name: 'users',
          columns: {
            id: { type: 'id' },
            company_id: { type: 'integer', references: 'companies(id)' },
            username: { type: 'text' },
            password_hash: { type: 'text' },
            role: { type: 'text' },
            system_admin: { type: 'boolean', default: false },
            disabled: { type: 'boolean', default: false },
            must_change_password: { type: 'boolean', default: false },
            created_at: { type: 'instant' },
            created_by: { type: 'text' },
            updated_at: { type: 'instant' },
          },
          unique: [['username']],
        },
      },
      { kind: 'index', index: { name: 'users_company', table: 'users', columns: ['company_id'] } },
      {
        kind: 'table',
        table: {
          name: 'sessions',
          columns: {
            token_hash: { type: 'text' },
            user_id: { type: 'integer', references: 'users(id)' },
            company_id: { type: 'integer', references: 'companies(id)' },
            created_at: { type: 'instant' },
            expires_at: { type: 'instant' },
          },
          primaryKey: ['token_hash'],
          clustered: true,
        },
      },
      { kind: 'index', index: { name: 'sessions_user', table: 'sessions', columns: ['user_id'] } },
      {
        kind: 'table',
        table: {
          name: 'api_keys',
          columns: {
            id: { type: 'text' },
            company_id: { type: 'integer', references: 'companies(id)' },
            name: { type: 'text' },
            role: { type: 'text' },
            secret_hash: { type: 'text' },
            station: { type: 'text', nullable: true },
            expires_at: { type: 'instant', nullable: true },
            created_at: { type: 'instant' },
            created_by: { type: 'text' },
            revoked_at: { type: 'instant', nullable: true },
            revoked_by: { type: 'text', nullable: true },
          },
          primaryKey: ['id'],
          clustered: true,
        },
      },
      { kind: 'index', index: { name: 'api_keys_company', table: 'api_keys', columns: ['company_id'] } },
    ],
  },
  {
    version: 3,
    name: 'leased allocation',
    steps: [
      { kind: 'column', table: 'series', name: 'allocation', column: { type: 'text', default: 'gapless' } },
      { kind: 'column', table: 'series', name: 'lease_size', column: { type: 'integer', default: 100 } },
      // The head of the company's audit chain and its number of global series, kept by the
      // PostgreSQL adapter: its writers lock this row to extend the chain, and one statement then
      // both locks and reads them. (Since version 6 SQLite keeps the head too; it still counts
      // global series itself.)
      { kind: 'column', table: 'companies', name: 'chain_seq', column: { type: 'integer', nullable: true } },
      { kind: 'column', table: 'companies', name: 'chain_hash', column: { type: 'text', nullable: true } },
      { kind: 'column', table: 'companies', name: 'global_series', column: { type: 'integer', default: 0 } },
      {
        kind: 'table',
        table: {
          // A block of a period's values taken from the counter by one server under leased
          // allocation. Values after `used` up to `last_value` are the server's to issue until the
          // lease is released; then the rest are recorded as skipped.
          name: 'counter_leases',
          columns: {
            id: { type: 'id' },
            company_id: { type: 'integer', references: 'companies(id)' },
            series_id: { type: 'integer', references: 'series(id)' },
            period: { type: 'text' },
            // The server process holding the lease.
            owner: { type: 'text' },
            // Decimal text, like the counters: the last value issued from the lease (the counter's
            // value before the lease when none was) and the last value it holds.
            used: { type: 'text' },
            last_value: { type: 'text' },
            leased_at: { type: 'instant' },
            // A lease its owner stops renewing (a crashed server) may be released by anyone after this.
            expires_at: { type: 'instant' },
            released_at: { type: 'instant', nullable: true },
          },
        },
      },
      {
        kind: 'index',
        index: { name: 'counter_leases_open', table: 'counter_leases', columns: ['series_id', 'period', 'owner'], where: 'released_at IS NULL' },
      },
    ],
  },
  {
    version: 4,
    name: 'GS1 series, randomised keys, label templates and prints',
    steps: [
      // GS1 binding: the GTIN whose serials (AI 21) the series issues, or SSCCs built from the
      // company prefix and extension digit.
      { kind: 'column', table: 'series', name: 'gtin', column: { type: 'text', nullable: true } },
      { kind: 'column', table: 'series', name: 'sscc', column: { type: 'boolean', default: false } },
      { kind: 'column', table: 'series', name: 'company_prefix', column: { type: 'text', nullable: true } },
      { kind: 'column', table: 'series', name: 'extension_digit', column: { type: 'integer', nullable: true } },
      { kind: 'column', table: 'series', name: 'randomized', column: { type: 'boolean', default: false } },
      // A randomised series' key, encrypted under the server master key. Not a setting: it is
      // neither versioned nor audited.
      { kind: 'column', table: 'series', name: 'wrapped_key', column: { type: 'text', nullable: true } },
      // The GS1 batch/lot (AI 10) and expiry (AI 17, YYYY-MM-DD) of a record, and how many times
      // its label was printed.
      { kind: 'column', table: 'records', name: 'lot', column: { type: 'text', nullable: true } },
      { kind: 'column', table: 'records', name: 'expiry', column: { type: 'text', nullable: true } },
      { kind: 'column', table: 'records', name: 'label_prints', column: { type: 'integer', default: 0 } },
      // A recall asks for the records of one lot; most records have none, so the index holds
      // only those that do.
      {
        kind: 'index',
        index: { name: 'records_company_lot', table: 'records', columns: ['company_id', 'lot'], where: 'lot IS NOT NULL' },
      },
      {
        kind: 'table',
        table: {
          name: 'label_templates',
          columns: {
            id: { type: 'id' },
            company_id: { type: 'integer', references: 'companies(id)' },
            name: { type: 'text' },
            // The template as JSON text, validated by the service before it is saved.
            definition: { type: 'json' },
            version: { type: 'integer' },
            created_at: { type: 'instant' },
            created_by: { type: 'text' },
            updated_at: { type: 'instant' },
            updated_by: { type: 'text' },
          },
          unique: [['company_id', 'name']],
        },
      },
    ],
  },
  {
    version: 5,
    name: 'stored scripts, their versions and runs',
    steps: [
      {
        kind: 'table',
        table: {
          // A customer script (JavaScript defining `main(context)`), by name per company: the
          // current version here, every version (this one too) in script_versions.
          name: 'scripts',
          columns: {
            id: { type: 'id' },
            company_id: { type: 'integer', references: 'companies(id)' },
            name: { type: 'text' },
            version: { type: 'integer' },
            source: { type: 'text' },
            description: { type: 'text', default: '' },
            created_at: { type: 'instant' },
            created_by: { type: 'text' },
            updated_at: { type: 'instant' },
            updated_by: { type: 'text' },
          },
          unique: [['company_id', 'name']],
        },
      },
      {
        kind: 'table',
        table: {
          name: 'script_versions',
          columns: {
            script_id: { type: 'integer', references: 'scripts(id)' },
            version: { type: 'integer' },
            source: { type: 'text' },
            description: { type: 'text' },
            changed_at: { type: 'instant' },
            changed_by: { type: 'text' },
            reason: { type: 'text', nullable: true },
          },
          primaryKey: ['script_id', 'version'],
          clustered: true,
        },
      },
      {
        kind: 'table',
        table: {
          // One run of a script, kept whether it succeeded or failed (a failed run's own work was
          // rolled back; its row is written by a transaction of its own).
          name: 'script_runs',
          columns: {
            id: { type: 'id' },
            company_id: { type: 'integer', references: 'companies(id)' },
            script_id: { type: 'integer', references: 'scripts(id)' },
            // The version of the script that ran.
            version: { type: 'integer' },
            actor: { type: 'text' },
            station: { type: 'text', nullable: true },
            input: { type: 'json' },
            // 'succeeded' or 'failed'.
            status: { type: 'text' },
            // What `main` returned; null when the run failed.
            output: { type: 'json', nullable: true },
            // {code, message, details} of a failed run; null when it succeeded.
            error: { type: 'json', nullable: true },
            // The lines the script logged, a JSON array.
            logs: { type: 'json' },
            api_calls: { type: 'integer' },
            duration_ms: { type: 'integer' },
            started_at: { type: 'instant' },
            audit_seq: { type: 'integer', nullable: true },
          },
        },
      },
      // Runs are listed newest first, per script or across the company, and found by id within a company.
      {
        kind: 'index',
        index: { name: 'script_runs_company_script', table: 'script_runs', columns: ['company_id', 'script_id', 'id'] },
      },
      { kind: 'index', index: { name: 'script_runs_company', table: 'script_runs', columns: ['company_id', 'id'] } },
    ],
  },
  {
    version: 6,
    name: 'the audit chain head kept on both engines',
    steps: [
      // Every append now keeps the head on the company row (SQLite too), and verification holds
      // the chain against it: a chain cut off at its end no longer verifies. Chains written
      // before take their newest entry as their head.
      {
        kind: 'update',
        sql: `UPDATE companies SET
                chain_seq = (SELECT a.seq FROM audit_log a WHERE a.company_id = companies.id ORDER BY a.seq DESC LIMIT 1),
                chain_hash = (SELECT a.hash FROM audit_log a WHERE a.company_id = companies.id ORDER BY a.seq DESC LIMIT 1)
              WHERE chain_seq IS NULL`,
      },
    ],
  },
  {
    version: 7,
    name: 'usernames unique per company, access version',
    steps: [
      // A username is unique within its company, not across the installation: a company admin
      // adding a user must learn nothing of the names other companies use. Signing in may name
      // the company; without one, the name is looked up in every company (see users_username).
      {
        kind: 'unique',
        table: {
          name: 'users',
          columns: {
            id: { type: 'id' },
            company_id: { type: 'integer', references: 'companies(id)' },
            username: { type: 'text' },
            password_hash: { type: 'text' },
            role: { type: 'text' },
            system_admin: { type: 'boolean', default: false },
            disabled: { type: 'boolean', default: false },
            must_change_password: { type: 'boolean', default: false },
            created_at: { type: 'instant' },
            created_by: { type: 'text' },
            updated_at: { type: 'instant' },
          },
          unique: [['company_id', 'username']],
        },
        drop: ['username'],
        add: ['company_id', 'username'],
        indexes: [{ name: 'users_company', table: 'users', columns: ['company_id'] }],
      },
      { kind: 'index', index: { name: 'users_username', table: 'users', columns: ['username'] } },
      // Counts the changes to who may call that servers may hold in memory (an API key revoked).
      // A server compares the sum over all companies with the one it last saw, at most every half
      // second, before it trusts a key it checked earlier: a revocation reaches every server
      // sharing the database within that time, whatever the engine, and costs one small read.
      { kind: 'column', table: 'companies', name: 'access_version', column: { type: 'integer', default: 0 } },
    ],
  },
  {
    version: 8,
    name: 'the journal: every audited change as a typed event, in commit order, chained per company',
    steps: [
      {
        kind: 'table',
        table: {
          // Every change that is audited is one event of the journal, written with the change in
          // its transaction. A sealer then gives each its place: `position` in commit order over
          // all companies (what followers read), and `seq`, `prev_hash` and `hash` in its
          // company's hash chain (the audit trail). Until then those four are null. Writers never
          // wait for one another on a company's chain: only the sealer extends chains.
          name: 'journal',
          columns: {
            id: { type: 'id' },
            company_id: { type: 'integer', references: 'companies(id)' },
            position: { type: 'integer', nullable: true },
            // PostgreSQL: a ticket drawn as the transaction commits (its statements travel with the
            // COMMIT), so that events committed between two seals are placed in the order their
            // transactions could see one another. Null on SQLite, whose one writer commits in id order.
            commit_order: { type: 'integer', nullable: true },
            seq: { type: 'integer', nullable: true },
            at: { type: 'instant' },
            actor: { type: 'text' },
            station: { type: 'text', nullable: true },
            line: { type: 'text', nullable: true },
            plant: { type: 'text', nullable: true },
            reason: { type: 'text', nullable: true },
            type: { type: 'text' },
            entity_type: { type: 'text' },
            entity_id: { type: 'text' },
            data: { type: 'json', nullable: true },
            // SHA-256 of the event's content, taken when it is written; the chain hash covers it.
            // Null for entries written before the journal (chained over their content directly).
            digest: { type: 'text', nullable: true },
            prev_hash: { type: 'text', nullable: true },
            hash: { type: 'text', nullable: true },
          },
          unique: [['company_id', 'seq']],
        },
      },
      { kind: 'index', index: { name: 'journal_position', table: 'journal', columns: ['position'], unique: true } },
      { kind: 'index', index: { name: 'journal_company_position', table: 'journal', columns: ['company_id', 'position'] } },
      { kind: 'index', index: { name: 'journal_unsealed', table: 'journal', columns: ['id'], where: 'position IS NULL' } },
      // The audit trail so far, in the order it happened (by time, then company and chain position).
      {
        kind: 'update',
        sql: `INSERT INTO journal (company_id, position, seq, at, actor, station, line, plant, reason, type, entity_type, entity_id, data, digest, prev_hash, hash)
              SELECT company_id, ROW_NUMBER() OVER (ORDER BY at, company_id, seq), seq, at, actor, station, line, plant, reason, action, entity_type, entity_id, data, NULL, prev_hash, hash
              FROM audit_log`,
      },
      // Rows point at the event that made them by its id, known when it is written (a chain
      // position is known only once the sealer has placed it).
      { kind: 'column', table: 'records', name: 'audit_id', column: { type: 'integer', nullable: true } },
      { kind: 'column', table: 'record_history', name: 'audit_id', column: { type: 'integer', nullable: true } },
      { kind: 'column', table: 'script_runs', name: 'audit_id', column: { type: 'integer', nullable: true } },
      {
        kind: 'update',
        sql: `UPDATE records SET audit_id = (SELECT j.id FROM journal j WHERE j.company_id = records.company_id AND j.seq = records.audit_seq)
              WHERE audit_seq IS NOT NULL`,
      },
      {
        kind: 'update',
        sql: `UPDATE record_history SET audit_id = (SELECT j.id FROM journal j, records r
                WHERE r.id = record_history.record_id AND j.company_id = r.company_id AND j.seq = record_history.audit_seq)
              WHERE audit_seq IS NOT NULL`,
      },
      {
        kind: 'update',
        sql: `UPDATE script_runs SET audit_id = (SELECT j.id FROM journal j WHERE j.company_id = script_runs.company_id AND j.seq = script_runs.audit_seq)
              WHERE audit_seq IS NOT NULL`,
      },
      { kind: 'dropColumn', table: 'records', name: 'audit_seq' },
      { kind: 'dropColumn', table: 'record_history', name: 'audit_seq' },
      { kind: 'dropColumn', table: 'script_runs', name: 'audit_seq' },
      { kind: 'drop', table: 'audit_log' },
      // Both engines now count a company's global series on its row (SQLite counted the series).
      {
        kind: 'update',
        sql: `UPDATE companies SET global_series = (SELECT COUNT(*) FROM series s WHERE s.company_id = companies.id AND s.is_global = TRUE)`,
      },
    ],
  },
  {
    version: 9,
    name: 'journal followers: a named reader keeps its position in the database',
    steps: [
      {
        kind: 'table',
        table: {
          // What a follower of the journal (a webhook sender, a publisher) has handled: events up to
          // `position`. Kept with the follower's own writes, it resumes exactly where it stopped.
          name: 'journal_followers',
          columns: {
            name: { type: 'text' },
            position: { type: 'integer' },
            updated_at: { type: 'instant' },
          },
          primaryKey: ['name'],
        },
      },
    ],
  },
  {
    version: 10,
    name: 'the references of records and journal events are checked once per statement',
    steps: [
      // Issuing writes these two tables' rows by the hundred per statement; a per-row check of
      // each reference cost more than the rest of the issue (see ARCHITECTURE.md).
      { kind: 'statementReferences', table: 'records', references: { company_id: 'companies(id)', series_id: 'series(id)' } },
      { kind: 'statementReferences', table: 'journal', references: { company_id: 'companies(id)' } },
    ],
  },
  {
    version: 11,
    name: 'the EPCIS event repository',
    steps: [
      {
        kind: 'table',
        table: {
          // A capture job: one EPCIS document (or event) posted to the repository, and what became
          // of it. Written in a transaction of its own, so a capture that fails keeps its record.
          name: 'epcis_captures',
          columns: {
            id: { type: 'id' },
            company_id: { type: 'integer', references: 'companies(id)' },
            // 'running', 'success' or 'failed'.
            state: { type: 'text' },
            // 'rollback' (all or nothing) or 'proceed' (the good events are kept).
            error_behaviour: { type: 'text' },
            created_at: { type: 'instant' },
            created_by: { type: 'text' },
            finished_at: { type: 'instant', nullable: true },
            event_count: { type: 'integer' },
            captured_count: { type: 'integer' },
            // The problems found, a JSON array; null when there were none.
            errors: { type: 'json', nullable: true },
          },
        },
      },
      {
        kind: 'table',
        table: {
          ...EPCIS_EVENTS_V11,
        },
      },
      // Three indexes besides the eventID's, each for a question asked: a second capture of one
      // event by its hash, and the pages of a query in event time or record time order (the id
      // breaks ties, so a page ends where the next one starts). The other selections (type, bizStep,
      // readPoint, ...) are checked on the rows those walks visit: every index costs each capture.
      ...EPCIS_EVENTS_INDEXES.map((index) => ({ kind: 'index' as const, index })),
      {
        kind: 'table',
        table: {
          // Every identifier an event names, once per role (epc, child, input, ..., and the
          // classes of quantity lists): the MATCH_ queries. Clustered on its key, so the events
          // naming one EPC are one range of one B-tree, and the row is the index entry (no table
          // besides it on SQLite). No reference to the company: it is the event's, written with it.
          name: 'epcis_event_identifiers',
          columns: {
            company_id: { type: 'integer' },
            identifier: { type: 'text' },
            role: { type: 'text' },
            event: { type: 'integer', references: 'epcis_events(id)' },
          },
          primaryKey: ['company_id', 'identifier', 'role', 'event'],
          clustered: true,
        },
      },
      // A capture writes events by the thousand and their identifiers by the hundred per statement.
      // PostgreSQL's per-row foreign keys (a trigger and a locking lookup per row) measured 30-40%
      // slower than one check per statement (20,000 events with 120,000 identifiers: 3.1 s against
      // 2.1 s), so they are checked as records' are (migration 10). SQLite keeps its constraints:
      // an in-process lookup of a hot page, which did not show in its capture time. The captures
      // keep their per-row key: one row per capture job.
      { kind: 'statementReferences', table: 'epcis_events', references: { company_id: 'companies(id)', capture_id: 'epcis_captures(id)' } },
      { kind: 'statementReferences', table: 'epcis_event_identifiers', references: { event: 'epcis_events(id)' } },
    ],
  },
  {
    version: 12,
    name: 'the vocabulary of the EPCIS repository, and error declarations under the eventID they declare wrong',
    steps: [
      {
        kind: 'table',
        table: {
          // Every business step, disposition, read point and business location a company's events
          // name, once: the /bizSteps, /dispositions, /readPoints and /bizLocations collections of
          // the REST bindings, which a walk over millions of events could not answer. A capture adds
          // the few values it names that are new.
          name: 'epcis_vocabulary',
          columns: {
            company_id: { type: 'integer', references: 'companies(id)' },
            // 'bizStep', 'disposition', 'readPoint' or 'bizLocation'.
            kind: { type: 'text' },
            // As the events are stored: web URIs, GS1 keys as canonical Digital Links.
            value: { type: 'text' },
          },
          primaryKey: ['company_id', 'kind', 'value'],
          clustered: true,
        },
      },
      // The error declaration of an event carries the eventID of the event it declares wrong (EPCIS
      // 2.0, 7.4.1.2): an eventID names at most one event as captured and one declaration of it.
      {
        kind: 'unique',
        table: { ...EPCIS_EVENTS_V11, unique: [['company_id', 'event_id', 'error_declared']] },
        drop: ['company_id', 'event_id'],
        add: ['company_id', 'event_id', 'error_declared'],
        indexes: EPCIS_EVENTS_INDEXES,
      },
      {
        kind: 'update',
        // The events captured before this table was: their values, once each.
        sql: `INSERT INTO epcis_vocabulary (company_id, kind, value)
SELECT DISTINCT company_id, 'bizStep', biz_step FROM epcis_events WHERE biz_step IS NOT NULL
UNION SELECT DISTINCT company_id, 'disposition', disposition FROM epcis_events WHERE disposition IS NOT NULL
UNION SELECT DISTINCT company_id, 'readPoint', read_point FROM epcis_events WHERE read_point IS NOT NULL
UNION SELECT DISTINCT company_id, 'bizLocation', biz_location FROM epcis_events WHERE biz_location IS NOT NULL`,
      },
    ],
  },
  {
    version: 13,
    name: 'aggregation: what was packed into what, and when',
    steps: [
      {
        kind: 'table',
        table: {
          // Every child an AggregationEvent puts into (ADD, OBSERVE) or takes out of (DELETE) a
          // parent, with the event's time: what a container holds, and what holds a unit, now or
          // at any past instant, are replays of these rows, read by parent or by child without
          // reading the events. A DELETE that names no child takes out all of them (child null).
          // Written with the event, captured or serialtrace's own; error declarations write none.
          name: 'epcis_aggregations',
          columns: {
            company_id: { type: 'integer', references: 'companies(id)' },
            parent: { type: 'text' },
            child: { type: 'text', nullable: true },
            // 'ADD', 'OBSERVE' or 'DELETE'.
            action: { type: 'text' },
            event_time: { type: 'instant' },
            event: { type: 'integer', references: 'epcis_events(id)' },
          },
        },
      },
      { kind: 'index', index: { name: 'epcis_aggregations_parent', table: 'epcis_aggregations', columns: ['company_id', 'parent', 'event_time'] } },
      { kind: 'index', index: { name: 'epcis_aggregations_child', table: 'epcis_aggregations', columns: ['company_id', 'child', 'event_time'] } },
      { kind: 'statementReferences', table: 'epcis_aggregations', references: { company_id: 'companies(id)', event: 'epcis_events(id)' } },
      {
        kind: 'update',
        // The aggregation events captured before this table was, from their identifiers.
        sql: `INSERT INTO epcis_aggregations (company_id, parent, child, action, event_time, event)
SELECT e.company_id, p.identifier, c.identifier, e.action, e.event_time, e.id
FROM epcis_events e
JOIN epcis_event_identifiers p ON p.company_id = e.company_id AND p.event = e.id AND p.role = 'parent'
LEFT JOIN epcis_event_identifiers c ON c.company_id = e.company_id AND c.event = e.id AND c.role = 'child'
WHERE e.type = 'AggregationEvent' AND e.action IS NOT NULL AND e.error_declared = FALSE`,
      },
    ],
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
