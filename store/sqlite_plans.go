package store

/*
typedef struct sqlite3 sqlite3;
int sqlite3_db_config(sqlite3 *, int, ...);
int sqlite3_auto_extension(void (*)(void));

// SQLITE_DBCONFIG_ENABLE_QPSG, from sqlite3.h.
#define STABLE_PLANS 1007

// stablePlanConnections counts the connections opened with stable plans on.
static int stablePlanConnections;

static int stablePlans(sqlite3 *db, char **err, const void *api) {
	int on = 0;
	sqlite3_db_config(db, STABLE_PLANS, 1, (int *)0);
	sqlite3_db_config(db, STABLE_PLANS, -1, &on);
	if (on) {
		__atomic_add_fetch(&stablePlanConnections, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

static int registerStablePlans(void) {
	return sqlite3_auto_extension((void (*)(void))stablePlans);
}

static int stablePlanCount(void) {
	return __atomic_load_n(&stablePlanConnections, __ATOMIC_RELAXED);
}
*/
import "C"

import "fmt"

// Every SQLite connection this process opens turns on SQLite's query
// planner stability guarantee (SQLITE_DBCONFIG_ENABLE_QPSG): a statement is
// planned once, when prepared, whatever values are later bound to it.
// Without it SQLite plans some statements for the values bound, and then
// plans them again, parser included, whenever a bound value changes: a
// statement with LIMIT ?, or one whose "c.id = ?" SQLite propagates through
// a join to a table with a partial index on "column = 'constant'". Each
// connection's statement cache then saves nothing; on the channel page of
// the benchmark's data set, planning again was most of the database's CPU
// (issue 15, docs/decisions.md). The portal binds no value a plan should
// depend on: no LIKE prefix (its searches match anywhere in a name), no
// state or status bound where a partial index names one.
//
// It is a SQLite auto-extension, so it applies to the connections
// database/sql opens later, the readers' and the writer's alike.
func init() {
	if rc := C.registerStablePlans(); rc != 0 {
		panic(fmt.Sprintf("store: register stable query plans with SQLite: code %d", rc))
	}
}

// stablePlanConnections is how many SQLite connections have been opened
// with stable plans on, for the test that they are.
func stablePlanConnections() int { return int(C.stablePlanCount()) }
