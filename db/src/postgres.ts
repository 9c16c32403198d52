import pg from 'pg';
import type { Db, Queryable, QueryResult, Unlisten } from './types.ts';
import { OID, parseDate, parseInt8, parseNumeric } from './parsers.ts';

pg.types.setTypeParser(OID.int8, parseInt8);
pg.types.setTypeParser(OID.numeric, parseNumeric);
pg.types.setTypeParser(OID.date, parseDate);

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = await client.query(sql, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

export async function openPostgres(url: string, options: { max?: number } = {}): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: 5000 });
  // An idle client losing its server (restart, failover) must not crash the process.
  pool.on('error', () => {});
  const base = wrap(pool);
  await base.query('SELECT 1');
  const listeners: pg.Client[] = [];
  let closed = false;

  return {
    kind: 'postgres',
    ...base,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async listen(channel, onPayload, onReconnect) {
      // A dedicated connection: pooled clients would drop the LISTEN when released.
      let client: pg.Client | undefined;
      let stopped = false;
      const connect = async (): Promise<void> => {
        if (stopped || closed) return;
        const c = new pg.Client({ connectionString: url });
        // Set when this attempt failed: its own retry below reconnects, not the 'end' that c.end() emits (two
        // retries per failure doubled the reconnect loops every second while the database was away).
        let failed = false;
        c.on('error', () => {});
        c.on('end', () => {
          if (stopped || closed || failed) return;
          setTimeout(() => void connect().catch(() => {}), 500);
        });
        try {
          await c.connect();
          c.on('notification', (n) => n.channel === channel && onPayload(n.payload ?? ''));
          await c.query(`LISTEN "${channel.replace(/"/g, '')}"`);
          if (client) onReconnect?.();
          client = c;
          listeners.push(c);
        } catch {
          failed = true;
          await c.end().catch(() => {});
          setTimeout(() => void connect().catch(() => {}), 1000);
        }
      };
      await connect();
      return async () => {
        stopped = true;
        await client?.end().catch(() => {});
      };
    },
    async close() {
      closed = true;
      await Promise.all(listeners.map((c) => c.end().catch(() => {})));
      await pool.end();
    },
  };
}
