/* The detect() op, for `strata init`: a folder is a Prisma migrations folder
 * when it has migration_lock.toml or sub-directories holding migration.sql. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prisma_int.h"

/* The lock file is Prisma's own signature and outweighs any count of
 * folders; each <dir>/migration.sql adds to the certainty. */
int pr_detect(strata_host *h, const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	int score = fstatat(fd, "migration_lock.toml", &st, 0) == 0 ? 100 : 0;
	int dfd = dup(fd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d && dfd >= 0)
		close(dfd);
	struct dirent *e;
	int migs = 0;
	while (d && (e = readdir(d))) {
		char rel[PATH_MAX];
		if (e->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof rel, "%s/migration.sql", e->d_name);
		if (fstatat(fd, rel, &st, 0) == 0 && S_ISREG(st.st_mode))
			migs++;
	}
	if (d)
		closedir(d);
	close(fd);
	if (migs == 0 && score == 0)
		return 0;
	score += 2 * migs;
	h->detected(h, "prisma", NULL, NULL);
	return score;
}
