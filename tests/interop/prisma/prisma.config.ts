// prisma.config.ts for strata's interop tests: runs the REAL Prisma 6.19.3 CLI
// without any native engine binary.  Migrate goes through the bundled
// WebAssembly schema engine (engine: "js") and a driver adapter:
// @prisma/adapter-pg for postgres(ql):// URLs, @prisma/adapter-better-sqlite3
// for file: URLs.  setup.sh copies this file next to node_modules/ (imports
// resolve from there); run-prisma.sh passes it with --config.
//
// Environment (set by run-prisma.sh):
//   DATABASE_URL            postgresql://…[?schema=NAME] | file:/abs/path.db
//   PRISMA_SCHEMA_FILE      the schema.prisma to load
//   PRISMA_MIGRATIONS_DIR   the migrations folder
//   STRATA_PRISMA_SQLITE_TIMESTAMPS  unixepoch-ms (default: what the native
//                           engine writes) | iso8601 (the adapter's default)
//   STRATA_PRISMA_PG_SCRIPT  native (default: the whole migration.sql as one
//                           simple query) | adapter (stock split on ';')
//
// Workarounds for 6.19.3 bugs (see shared/reference/prisma.md §2):
//  * adapter-pg cannot decode PG type `name` (OID 19): every migrate command
//    fails "Column type 'name' could not be deserialized" (prisma/orm#27403).
//    Results are patched to report it as text (OID 25), as adapter-pg 7 does.
//  * adapter-pg's executeScript splits the script on ';' and autocommits each
//    piece; the native engine sends it as ONE simple-protocol query, which
//    PostgreSQL runs as one implicit transaction.  We do what native does.
//  * The wasm engine's 10 s timeout around pg_advisory_lock is a JS timer
//    that is never cleared, and pg.Pool's idle timer is never disposed: deploy
//    and resolve would linger ~10 s after finishing.  Those timers are unref'd
//    and the pool may exit on idle.
//  * `migrate resolve --rolled-back` runs the native engine's
//    can-connect-to-database pre-flight: run-prisma.sh points
//    PRISMA_SCHEMA_ENGINE_BINARY at a stub (written by setup.sh).
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

const url = process.env.DATABASE_URL ?? "";
const schema = process.env.PRISMA_SCHEMA_FILE;
const migrationsPath = process.env.PRISMA_MIGRATIONS_DIR;
if (!schema || !migrationsPath) {
  throw new Error("prisma.config.ts: PRISMA_SCHEMA_FILE and PRISMA_MIGRATIONS_DIR must be set (use run-prisma.sh)");
}
const isPg = /^postgres(ql)?:\/\//.test(url);
const pgScriptMode = process.env.STRATA_PRISMA_PG_SCRIPT ?? "native";

if (isPg) {
  // Unref the long (>= 10 s) timers the wasm engine creates; nothing else.
  const realSetTimeout = globalThis.setTimeout;
  (globalThis as any).setTimeout = function (fn: any, ms?: number, ...rest: any[]) {
    const t: any = (realSetTimeout as any)(fn, ms, ...rest);
    if (typeof ms === "number" && ms >= 10000 && (new Error().stack ?? "").includes("wasm://")) {
      t?.unref?.();
    }
    return t;
  };
}

function fixPgAdapter(adapter: any): any {
  let proto = Object.getPrototypeOf(adapter);
  while (proto && !Object.prototype.hasOwnProperty.call(proto, "performIO")) {
    proto = Object.getPrototypeOf(proto);
  }
  if (proto && !proto.__strataNameOid) {
    const performIO = proto.performIO;
    proto.performIO = async function (...args: any[]) {
      const res = await performIO.apply(this, args);
      for (const f of res?.fields ?? []) {
        if (f.dataTypeID === 19) f.dataTypeID = 25; // name -> text
      }
      return res;
    };
    proto.__strataNameOid = true;
  }
  if (pgScriptMode === "native") {
    adapter.executeScript = async function (script: string) {
      try {
        await this.client.query(script); // no parameters: simple protocol
      } catch (e) {
        this.onError(e);
      }
    };
  }
  return adapter;
}

class FixedPrismaPg extends PrismaPg {
  async connect() {
    return fixPgAdapter(await super.connect());
  }
  async connectToShadowDb() {
    return fixPgAdapter(await super.connectToShadowDb());
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema,
  migrations: { path: migrationsPath },
  async adapter() {
    if (isPg) {
      // ?schema=NAME: adapter-pg ignores it; the native engine sets
      // search_path and creates the schema if missing.  Map it to the
      // adapter's schema option (the engine then runs its CREATE SCHEMA step)
      // and to search_path.  max: 1 = one session, like the native engine.
      const u = new URL(url);
      const schemaName = u.searchParams.get("schema") ?? undefined;
      u.searchParams.delete("schema");
      const pool: any = { connectionString: u.toString(), max: 1, allowExitOnIdle: true };
      if (schemaName) pool.options = `-c search_path="${schemaName.replace(/"/g, '""')}"`;
      return new FixedPrismaPg(pool, schemaName ? { schema: schemaName } : undefined);
    }
    if (url.startsWith("file:")) {
      const fmt = (process.env.STRATA_PRISMA_SQLITE_TIMESTAMPS ?? "unixepoch-ms") as any;
      return new PrismaBetterSQLite3({ url }, { timestampFormat: fmt });
    }
    throw new Error(`prisma.config.ts: unsupported DATABASE_URL: ${url}`);
  },
});
