import path from 'node:path';
import { migrate as migrateDirs, type Db } from '@comobi/db';
import { GTFS_MIGRATIONS_DIR } from '@comobi/gtfs-import';

/** The service's tables, and the importer's GTFS tables it reads and fills (each package keeps its own DDL). */
export const MIGRATION_DIRS = [path.resolve(import.meta.dirname, '../migrations'), GTFS_MIGRATIONS_DIR];

/** Brings the database to the service's schema (see @comobi/db migrate). */
export const migrate = (db: Db) => migrateDirs(db, MIGRATION_DIRS);
