# Prisma folders and Alembic revision files that strata (like the tool) will
# not run: refused before anything is written.
prisma_case() {
	case_dir "$1"
	mkdir -p prisma/migrations/20240101000000_init
	printf 'CREATE TABLE a (id int);\n' >prisma/migrations/20240101000000_init/migration.sql
	printf 'database: %s\nsources:\n  - name: app\n    format: prisma\n    path: prisma/migrations\n' \
		"$(db_url app)" >strata.yaml
}
provider=$(pick sqlite postgresql)
p3019="(Prisma: P3019) (hint: use a database of the history's provider, or start a new migration history)"

prisma_case prisma-provider
printf 'provider = "mysql"\n' >prisma/migrations/migration_lock.toml
refused "prisma: migration_lock.toml names another provider" 1 "strata: error: prisma/migrations/migration_lock.toml:1: the database's provider \`$provider\` does not match the one specified in the migration_lock.toml, \`mysql\` $p3019" apply
refused "prisma: ... also for baseline" 1 "strata: error: prisma/migrations/migration_lock.toml:1: the database's provider \`$provider\` does not match the one specified in the migration_lock.toml, \`mysql\` $p3019" baseline

alembic_case() {
	case_dir "$1"
	mkdir -p versions
	printf 'database: %s\nsources:\n  - name: app\n    format: alembic\n    path: versions\n' \
		"$(db_url app)" >strata.yaml
}

alembic_case alembic-down-revision
printf 'revision = "abc"\ndown_revision = "nope"\ndef upgrade():\n    op.execute("CREATE TABLE x (id int)")\n' >versions/abc_x.py
refused "alembic: down_revision names no file" 1 "strata: error: versions/abc_x.py:2: Revision nope referenced from nope -> abc is not present (hint: fix down_revision, or restore the missing revision file)" apply

alembic_case alembic-syntax
printf 'revision = "abc"\ndown_revision = None\ndef upgrade(:\n    op.execute("CREATE TABLE x (id int)")\n' >versions/abc_x.py
refused "alembic: a file Python would not import" 1 "strata: error: versions/abc_x.py:3: '(' was never closed (hint: Alembic could not import this file either)" apply

alembic_case alembic-op
printf 'revision = "abc"\ndown_revision = None\ndef upgrade():\n    op.frobnicate("x")\n' >versions/abc_x.py
refused "alembic: an op.* with no SQL" 1 "strata: error: versions/abc_x.py:4: app:abc: upgrade() cannot be translated to SQL: op.frobnicate() (hint: use Alembic's own SQL: \`alembic upgrade abc --sql > FILE\` and  offline_sql: FILE  on source 'app'; or, if the database already has it, \`strata baseline --to app:abc\`)" apply

alembic_case alembic-no-revision
printf 'down_revision = None\ndef upgrade():\n    op.execute("CREATE TABLE x (id int)")\n' >versions/abc_x.py
refused "alembic: no revision id" 1 "strata: error: versions/abc_x.py:1: no revision id in this file (hint: declare  revision = '<id>'  at module level, as Alembic's template does)" apply
