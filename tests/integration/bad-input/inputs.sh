# Migration paths that are no file: a folder named like a migration, a
# dangling or looping symbolic link, a link to a folder, a FIFO, a file that
# cannot be read.  Every reader (sqlpair layouts, Prisma folders, Alembic
# versions/) refuses them by name, instead of leaving the migration out of the
# ledger with exit 0.

# make_unreadable and refused_unreadable: config.sh (sourced first).

# ---- sqlpair (dbmate layout: make_project) ---------------------------------
case_dir inputs-sqlpair-dangling
make_project 1
ln -s 0002_gone.sql db/migrations/0002_t2.sql
refused "sqlpair: dangling link" 1 "strata: error: db/migrations/0002_t2.sql: is a dangling symbolic link to '0002_gone.sql' (hint: restore the file it points to, or remove the link)" apply

case_dir inputs-sqlpair-folder
make_project 1
mkdir db/migrations/0002_t2.sql
refused "sqlpair: folder named like a migration" 1 "strata: error: db/migrations/0002_t2.sql: is a directory (hint: a migration is one file; rename the folder or move it away)" apply

case_dir inputs-sqlpair-loop
make_project 1
ln -s 0002_t2.sql db/migrations/0002_t2.sql
refused "sqlpair: link to itself" 1 "strata: error: db/migrations/0002_t2.sql: is a symbolic link loop (hint: point the link at the migration file, or remove it)" status

case_dir inputs-sqlpair-loop2
make_project 1
ln -s 0003_b.sql db/migrations/0002_a.sql
ln -s 0002_a.sql db/migrations/0003_b.sql
refused "sqlpair: two links in a ring" 1 "strata: error: db/migrations/0002_a.sql: is a symbolic link loop (hint: point the link at the migration file, or remove it)" status

case_dir inputs-sqlpair-link-to-folder
make_project 1
mkdir elsewhere
ln -s ../../elsewhere db/migrations/0002_t2.sql
refused "sqlpair: link to a folder" 1 "strata: error: db/migrations/0002_t2.sql: is a symbolic link to a directory (hint: link to the migration file itself, not to a folder)" apply

case_dir inputs-sqlpair-fifo
make_project 1
mkfifo db/migrations/0002_t2.sql
refused "sqlpair: FIFO (never opened: the scan would block)" 1 "strata: error: db/migrations/0002_t2.sql: is a FIFO (named pipe), not a regular file (hint: a migration is a regular file)" apply

case_dir inputs-sqlpair-nested
make_project 1
sed -i 's/layout: dbmate/layout: diesel/' strata.yaml
rm db/migrations/*.sql
mkdir -p db/migrations/2024-01-01-000000_a db/migrations/2024-01-02-000000_b
echo 'CREATE TABLE a (id INTEGER);' >db/migrations/2024-01-01-000000_a/up.sql
echo 'DROP TABLE a;' >db/migrations/2024-01-01-000000_a/down.sql
ln -s ../../gone/up.sql db/migrations/2024-01-02-000000_b/up.sql
refused "sqlpair diesel: dangling up.sql in a migration folder" 1 "strata: error: db/migrations/2024-01-02-000000_b/up.sql: is a dangling symbolic link to '../../gone/up.sql' (hint: restore the file it points to, or remove the link)" apply

case_dir inputs-sqlpair-down
make_project 0
sed -i 's/layout: dbmate/layout: golang-migrate/' strata.yaml
echo 'CREATE TABLE a (id INTEGER);' >db/migrations/1_a.up.sql
mkdir db/migrations/1_a.down.sql
refused "sqlpair golang-migrate: down file that is a folder" 1 "strata: error: db/migrations/1_a.down.sql: is a directory (hint: a migration is one file; rename the folder or move it away)" rollback

case_dir inputs-sqlpair-detected
make_project 1
sed -i '/layout: dbmate/d' strata.yaml
ln -s nowhere.sql db/migrations/0002_t2.sql
refused "sqlpair, layout detected: dangling link" 1 "strata: error: db/migrations/0002_t2.sql: is a dangling symbolic link to 'nowhere.sql' (hint: restore the file it points to, or remove the link)" status

case_dir inputs-sqlpair-unreadable
make_project 2
make_unreadable db/migrations/0002_t2.sql
refused_unreadable "sqlpair: unreadable file" 1 "strata: error: db/migrations/0002_t2.sql: cannot read: $UNREADABLE_WHY" apply

# What is not named like a migration is not the layout's: still skipped.
case_dir inputs-sqlpair-strangers
make_project 1
ln -s gone.md db/migrations/README.md
mkdir db/migrations/drafts
mv db/migrations/0001_t1.sql shared.sql
ln -s ../../shared.sql db/migrations/0001_t1.sql
run apply
check "sqlpair: a link to a file is followed, other names skipped: exit 0" rc_is 0
check "sqlpair: the linked migration ran" eq "$(tables app)" "schema_migrations,t1"

# ---- Prisma ----------------------------------------------------------------
prisma_project() {
	mkdir -p prisma/migrations/20240101000000_init
	printf 'database: %s\nsources:\n  - name: app\n    format: prisma\n    path: prisma/migrations\n' \
		"$(db_url app)" >strata.yaml
	printf 'provider = "%s"\n' "$(pick sqlite postgresql)" >prisma/migrations/migration_lock.toml
	echo 'CREATE TABLE users (id INTEGER PRIMARY KEY);' >prisma/migrations/20240101000000_init/migration.sql
	mkdir prisma/migrations/20240102000000_posts
}

case_dir inputs-prisma-folder
prisma_project
mkdir prisma/migrations/20240102000000_posts/migration.sql
refused "prisma: migration.sql is a folder" 1 "strata: error: prisma/migrations/20240102000000_posts/migration.sql: is a directory (hint: a migration is one file; rename the folder or move it away)" apply

case_dir inputs-prisma-dangling
prisma_project
ln -s ../../../sql/posts.sql prisma/migrations/20240102000000_posts/migration.sql
refused "prisma: migration.sql is a dangling link" 1 "strata: error: prisma/migrations/20240102000000_posts/migration.sql: is a dangling symbolic link to '../../../sql/posts.sql' (hint: restore the file it points to, or remove the link)" apply

case_dir inputs-prisma-down
prisma_project
echo 'CREATE TABLE posts (id INTEGER PRIMARY KEY);' >prisma/migrations/20240102000000_posts/migration.sql
ln -s down.sql prisma/migrations/20240102000000_posts/down.sql
refused "prisma: down.sql links to itself" 1 "strata: error: prisma/migrations/20240102000000_posts/down.sql: is a symbolic link loop (hint: point the link at the migration file, or remove it)" status

case_dir inputs-prisma-folder-link
prisma_project
rmdir prisma/migrations/20240102000000_posts
ln -s ../../gone prisma/migrations/20240102000000_posts
refused "prisma: migration folder is a dangling link" 1 "strata: error: prisma/migrations/20240102000000_posts: is a dangling symbolic link to '../../gone' (hint: restore the file it points to, or remove the link)" apply

case_dir inputs-prisma-unreadable
prisma_project
echo 'CREATE TABLE posts (id INTEGER PRIMARY KEY);' >prisma/migrations/20240102000000_posts/migration.sql
make_unreadable prisma/migrations/20240102000000_posts/migration.sql
refused_unreadable "prisma: unreadable migration.sql" 1 "strata: error: prisma/migrations/20240102000000_posts/migration.sql: cannot read: $UNREADABLE_WHY" apply

# ---- Alembic ---------------------------------------------------------------
alembic_project() {
	mkdir -p versions
	printf 'database: %s\nsources:\n  - name: app\n    format: alembic\n    path: versions\n%s' \
		"$(db_url app)" "${1:-}" >strata.yaml
	printf 'revision = "a1"\ndown_revision = None\n\ndef upgrade():\n    op.execute("CREATE TABLE a (id INTEGER)")\n\ndef downgrade():\n    op.execute("DROP TABLE a")\n' \
		>versions/a1_first.py
}

case_dir inputs-alembic-dangling
alembic_project
ln -s ../shared/b2_second.py versions/b2_second.py
refused "alembic: revision file is a dangling link" 1 "strata: error: versions/b2_second.py: is a dangling symbolic link to '../shared/b2_second.py' (hint: restore the file it points to, or remove the link)" apply

case_dir inputs-alembic-folder
alembic_project
mkdir versions/b2_second.py
refused "alembic: folder named like a revision" 1 "strata: error: versions/b2_second.py: is a directory (hint: a migration is one file; rename the folder or move it away)" apply

case_dir inputs-alembic-loop
alembic_project
ln -s b2_second.py versions/b2_second.py
refused "alembic: link loop" 1 "strata: error: versions/b2_second.py: is a symbolic link loop (hint: point the link at the migration file, or remove it)" status

case_dir inputs-alembic-fifo
alembic_project
mkfifo versions/b2_second.py
refused "alembic: FIFO" 1 "strata: error: versions/b2_second.py: is a FIFO (named pipe), not a regular file (hint: a migration is a regular file)" apply

case_dir inputs-alembic-unreadable
alembic_project
cp versions/a1_first.py versions/b2_second.py
sed -i 's/"a1"/"b2"/; s/= None/= "a1"/; s/TABLE a/TABLE b/' versions/b2_second.py
make_unreadable versions/b2_second.py
refused_unreadable "alembic: unreadable revision file" 1 "strata: error: versions/b2_second.py: cannot read: $UNREADABLE_WHY" apply

# With recursive_version_locations a folder is walked, whatever its name.
case_dir inputs-alembic-recursive
alembic_project '    recursive: true
'
mkdir versions/more.py
mv versions/a1_first.py versions/more.py/
run apply
check "alembic recursive: a folder named *.py is walked: exit 0" rc_is 0
check "alembic recursive: its revision ran" eq "$(tables app | tr , '\n' | grep -cx a)" "1"
