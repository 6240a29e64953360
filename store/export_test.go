package store

// OpenPostgresPool opens a PostgreSQL database the way the store does
// (placeholders and booleans translated), for tests' raw queries.
var OpenPostgresPool = openPostgresPool
