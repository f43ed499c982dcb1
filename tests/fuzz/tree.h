/*
 * A folder of files carried in one fuzz input, so the folder readers (sqlpair
 * layouts, Prisma migrations) are fuzzed on real files.  The input is text:
 *
 *     === 0001_init.up.sql
 *     CREATE TABLE t (id INT);
 *     === 0001_init.down.sql
 *     DROP TABLE t;
 *
 * Each "=== PATH" line starts a file (PATH relative, sub-folders made as
 * needed; "..", "." and empty components are dropped, a PATH ending in "/"
 * is a folder only); its bytes run to the next "=== " line, the newline
 * before that line being the file's last byte.  Bytes before
 * the first header are ignored.  At most FZ_TREE_MAX_FILES files.
 */
#ifndef STRATA_FUZZ_TREE_H
#define STRATA_FUZZ_TREE_H

#include <stddef.h>

#define FZ_TREE_MAX_FILES 64

/* A fresh temporary folder (in /dev/shm when it can): its real path in
 * out[size].  0 on success. */
int fz_mkdtemp(const char *tag, char *out, size_t size);
/* Everything inside dir removed (dir itself kept).  0 on success. */
int fz_empty(const char *dir);
/* dir emptied, then the input's files written into it.  0 on success. */
int fz_tree_write(const char *dir, const unsigned char *data, size_t size);
/* One file written whole (dir/name, name without '/'). */
int fz_write_file(const char *dir, const char *name, const void *data, size_t size);
/* path and its parents made (mkdir -p).  0 on success. */
int fz_mkdirs(const char *path);
/* fz_empty and rmdir. */
void fz_remove(const char *dir);

#endif
