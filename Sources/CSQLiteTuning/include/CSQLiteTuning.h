#ifndef CSQLITE_TUNING_H
#define CSQLITE_TUNING_H

/// Turns on SQLite's query planner stability guarantee (SQLITE_DBCONFIG_ENABLE_QPSG) for the
/// connection `db` (an `sqlite3 *`); returns SQLite's result code. `sqlite3_db_config` is variadic,
/// which Swift cannot call, hence this C function.
int frontdesk_sqlite_enable_qpsg(void *db);

#endif
