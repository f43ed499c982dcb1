// drizzle.config.ts for strata's interop tests: the REAL drizzle-kit
// (generate, migrate) on a folder and a database the test names.  setup.sh
// copies this file next to node_modules/ (imports resolve from there);
// run-drizzle.sh passes it with --config.
//
// Environment (set by run-drizzle.sh):
//   DRIZZLE_DIALECT  postgresql | sqlite
//   DRIZZLE_OUT      the migrations folder (meta/_journal.json, NNNN_name.sql)
//   DRIZZLE_SCHEMA   the schema file, for generate
//   DRIZZLE_URL      postgresql://… (node-postgres; ?host=/socket/dir works)
//                    | the SQLite file's path (better-sqlite3)
// The tracking table is drizzle's default: drizzle.__drizzle_migrations on
// PostgreSQL, __drizzle_migrations on SQLite.
import { defineConfig } from "drizzle-kit";

const dialect = process.env.DRIZZLE_DIALECT;
const out = process.env.DRIZZLE_OUT;
const url = process.env.DRIZZLE_URL ?? "";
if ((dialect !== "postgresql" && dialect !== "sqlite") || !out) {
  throw new Error("drizzle.config.ts: DRIZZLE_DIALECT and DRIZZLE_OUT must be set (use run-drizzle.sh)");
}

export default defineConfig({
  dialect,
  out,
  schema: process.env.DRIZZLE_SCHEMA ?? "./schema.ts",
  dbCredentials: { url },
});
