/* The detect() op, for `strata init`: a folder is drizzle-kit's output when
 * it holds meta/_journal.json; its NNNN_name.sql files add to the score, so
 * it outweighs a plain folder of numbered SQL files. */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drizzle_int.h"

int dz_detect(strata_host *h, const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	if (fstatat(fd, DZ_JOURNAL, &st, 0) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	int score = 100;
	int dfd = dup(fd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d && dfd >= 0)
		close(dfd);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] != '.' && l > 4 && !strcmp(e->d_name + l - 4, ".sql"))
			score += 2;
	}
	if (d)
		closedir(d);
	close(fd);
	h->detected(h, "drizzle", NULL, NULL);
	return score;
}
