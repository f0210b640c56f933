#include "CSQLiteTuning.h"

// SQLiteNIO's vendored SQLite, whose functions carry the `sqlite_nio_` prefix (linked through SQLiteNIO).
int sqlite_nio_sqlite3_db_config(void *db, int op, ...);

#define FRONTDESK_SQLITE_DBCONFIG_ENABLE_QPSG 1007

int frontdesk_sqlite_enable_qpsg(void *db) {
    int enabled = 0;
    return sqlite_nio_sqlite3_db_config(db, FRONTDESK_SQLITE_DBCONFIG_ENABLE_QPSG, 1, &enabled);
}
