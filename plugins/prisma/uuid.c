/* Row ids: Prisma writes Uuid::new_v4(), a random version 4 UUID rendered
 * lowercase and hyphenated; so does this. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "prisma_int.h"

/* getrandom() rather than /dev/urandom: no file descriptor, and it cannot
 * fail half-way in a chroot without /dev. */
int pr_uuid_v4(strata_host *h, char out[37])
{
	unsigned char b[16];
	size_t got = 0;
	while (got < sizeof b) {
		ssize_t r = getrandom(b + got, sizeof b - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			h->error(h, STRATA_ECLASS_OS, NULL, 0, 0, NULL, "getrandom: %s", strerror(errno));
			return STRATA_EIO;
		}
		got += (size_t)r;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
	return STRATA_OK;
}
