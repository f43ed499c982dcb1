// The knexfile of strata's interop tests (run-knex.sh): the database from
// KNEX_URL (postgres://… or an SQLite file path), the migrations folder from
// KNEX_DIR.  knex's own defaults otherwise (knex_migrations, .js files).
const url = process.env.KNEX_URL;
const sqlite = !/^postgres(ql)?:\/\//.test(url);
module.exports = {
  client: sqlite ? 'better-sqlite3' : 'pg',
  connection: sqlite ? { filename: url } : url,
  useNullAsDefault: sqlite,
  migrations: { directory: process.env.KNEX_DIR },
};
