// The TypeORM DataSource of strata's interop tests (run-typeorm.sh): the
// database from ORM_URL (postgres://… or an SQLite file path, through
// better-sqlite3), the migrations from ORM_DIR/*.js.  TypeORM's defaults
// otherwise (table migrations, one transaction for all).
const { DataSource } = require('typeorm');
const url = process.env.ORM_URL;
const sqlite = !/^postgres(ql)?:\/\//.test(url);
module.exports = new DataSource({
  ...(sqlite ? { type: 'better-sqlite3', database: url } : { type: 'postgres', url }),
  migrations: [process.env.ORM_DIR + '/*.js'],
  logging: false,
});
