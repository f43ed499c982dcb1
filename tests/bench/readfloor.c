/*
 * readfloor URL SQL DIR [NAME]: the least a `status` of the migrations in
 * DIR does, in C, for status.sh to set beside strata's: load libpq, connect
 * on a second thread while this one reads every file of DIR (open, read,
 * close; names starting with '.' skipped) and, with NAME, the file NAME of
 * every folder in DIR, unlisted (Prisma's NAME/migration.sql), then fetch
 * every value of SQL (the native tracking table's rows).  Nothing is
 * parsed, hashed or compared.  Prints "FILES ROWS"; exit 0, or 1 with
 * libpq's or the system's message.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[1 << 16];
static volatile size_t sink; /* the values looked at, so none is skipped */

/* The file at dfd/path, read through; -1 on an error (errno). */
static int read_at(int dfd, const char *path)
{
	int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		;
	close(fd);
	return n < 0 ? -1 : 0;
}

/* Every file of the folder dfd, and name (NULL: none) in each folder of it;
 * -1 on an error (errno). */
static long read_dir(int dfd, const char *name)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -1;
	}
	long files = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char path[512];
		if (e->d_type == DT_DIR && !name)
			continue;
		if (e->d_type == DT_DIR &&
		    snprintf(path, sizeof path, "%s/%s", e->d_name, name) >= (int)sizeof path) {
			errno = ENAMETOOLONG;
			files = -1;
			break;
		}
		if (read_at(dirfd(d), e->d_type == DT_DIR ? path : e->d_name) < 0) {
			files = -1;
			break;
		}
		files++;
	}
	closedir(d);
	return files;
}

static void *connect_to(void *url)
{
	return PQconnectdb(url);
}

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: readfloor URL SQL DIR [NAME]\n");
		return 2;
	}
	pthread_t t;
	if (pthread_create(&t, NULL, connect_to, argv[1]) != 0)
		return fprintf(stderr, "readfloor: cannot start a thread\n"), 1;
	int dfd = open(argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long files = dfd < 0 ? -1 : read_dir(dfd, argc == 5 ? argv[4] : NULL);
	int errno_read = errno;
	void *c;
	pthread_join(t, &c);
	PGconn *conn = c;
	if (files < 0) {
		fprintf(stderr, "readfloor: %s: %s\n", argv[3], strerror(errno_read));
		PQfinish(conn);
		return 1;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "readfloor: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return 1;
	}
	PGresult *r = PQexec(conn, argv[2]);
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	if (ok) {
		for (int i = 0; i < PQntuples(r); i++) /* every value, as a status reads it */
			for (int j = 0; j < PQnfields(r); j++)
				sink += strlen(PQgetvalue(r, i, j));
		printf("%ld %d\n", files, PQntuples(r));
	} else {
		fprintf(stderr, "readfloor: %s", PQerrorMessage(conn));
	}
	PQclear(r);
	PQfinish(conn);
	return !ok;
}
