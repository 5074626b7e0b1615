/* platform.c: EC2 detection, user lookup, environment and clocks. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "platform.h"

#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

#ifndef EIC_SYSFS_HYPERVISOR_UUID
#define EIC_SYSFS_HYPERVISOR_UUID "/sys/hypervisor/uuid"
#endif
#ifndef EIC_SYSFS_ASSET_TAG
#define EIC_SYSFS_ASSET_TAG "/sys/devices/virtual/dmi/id/board_asset_tag"
#endif

/* Reads at most n-1 bytes of a small sysfs file; returns bytes read or -1. */
static ssize_t
read_small(const char *path, char *buf, size_t n)
{
	ssize_t got;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -1;
	do {
		got = read(fd, buf, n - 1);
	} while (got < 0 && errno == EINTR);
	close(fd);
	if (got >= 0)
		buf[got] = '\0';
	return got;
}

enum platform_ec2
platform_ec2_probe(char asset_tag[EC2_INSTANCE_ID_MAX])
{
	char buf[64];
	ssize_t n;

	asset_tag[0] = '\0';
#ifdef __linux__
	if ((n = read_small(EIC_SYSFS_HYPERVISOR_UUID, buf, sizeof(buf))) >= 3 &&
	    memcmp(buf, "ec2", 3) == 0)
		return PLATFORM_EC2_XEN;
	if ((n = read_small(EIC_SYSFS_ASSET_TAG, buf, sizeof(buf))) > 0) {
		/* DMI strings may be padded with blanks; IMDS's id is not. */
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' ||
		    buf[n - 1] == '\t'))
			n--;
		if (ec2_instance_id((struct slice){ (unsigned char *)buf, (size_t)n },
		    asset_tag) == 0)
			return PLATFORM_EC2_NITRO;
	}
#else
	/* macOS on EC2 runs on Nitro Mac hosts; no sysfs to read. */
	(void)buf;
	(void)n;
	(void)read_small;
#endif
	return PLATFORM_NOT_EC2;
}

int
platform_ec2_confirm(enum platform_ec2 probe, const char *asset_tag,
    const char *instance_id)
{
	if (probe == PLATFORM_EC2_XEN)
		return 1;
	return probe == PLATFORM_EC2_NITRO && strcmp(asset_tag, instance_id) == 0;
}

int
platform_user_exists(const char *user)
{
	return getpwnam(user) != NULL;
}

void
platform_clear_env(void)
{
#ifdef __linux__
	clearenv();
#else
	extern char **environ;
	static char *empty[] = { NULL };

	environ = empty;
#endif
}

int
platform_read_fd(int fd, struct buf *b)
{
	unsigned char chunk[8192];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return EIC_ERR_IO;
		if (buf_append(b, chunk, (size_t)n) != 0)
			return EIC_ERR_LIMIT;
	}
	return 0;
}

int
platform_self_path(char *out, size_t outsz)
{
#ifdef __linux__
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
#else
	char raw[PATH_MAX], buf[PATH_MAX];
	uint32_t sz = sizeof(raw);

	if (_NSGetExecutablePath(raw, &sz) != 0 || realpath(raw, buf) == NULL)
		return -1;
#endif
	if (strlen(buf) >= outsz)
		return -1;
	memcpy(out, buf, strlen(buf) + 1);
	return 0;
}

int64_t
platform_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
