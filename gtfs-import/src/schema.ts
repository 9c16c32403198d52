import path from 'node:path';

/** The importer's tables (GTFS and GTFS-Flex, one partition per feed version): its migrations folder. */
export const GTFS_MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../migrations');
