// The sequelize-cli config of strata's interop tests (run-sequelize.sh):
// the PostgreSQL database from SEQUELIZE_URL.  sequelize parses a --url
// itself and drops node-postgres's ?host=/socket/dir&port=N, so the URL is
// taken apart here.
const u = new URL(process.env.SEQUELIZE_URL);
const q = u.searchParams;
const conf = {
  dialect: 'postgres',
  host: q.get('host') || u.hostname || 'localhost',
  port: Number(q.get('port') || u.port || 5432),
  username: decodeURIComponent(u.username || q.get('user') || process.env.USER),
  password: u.password ? decodeURIComponent(u.password) : (q.get('password') || null),
  database: decodeURIComponent(u.pathname.slice(1)),
  logging: false,
};
module.exports = { development: conf };
