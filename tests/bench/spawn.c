/*
 * spawn: run a command N times, P at a time, and print per run
 * "wall_us cpu_us maxrss_kib status". fork+exec (not vfork), so ru_maxrss
 * is the child's own peak. Usage: spawn N P cmd [args...]
 */
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
main(int argc, char **argv)
{
	int n, p, started = 0, done = 0, running = 0, i, status;
	long long *start;
	pid_t *pids, pid;
	struct rusage ru;

	if (argc < 4)
		return 2;
	n = atoi(argv[1]);
	p = atoi(argv[2]);
	start = calloc((size_t)n, sizeof(*start));
	pids = calloc((size_t)n, sizeof(*pids));
	while (done < n) {
		while (running < p && started < n) {
			start[started] = now_us();
			if ((pid = fork()) == 0) {
				int fd = open("/dev/null", O_WRONLY);

				dup2(fd, 1);
				dup2(fd, 2);
				execv(argv[3], argv + 3);
				_exit(127);
			}
			pids[started++] = pid;
			running++;
		}
		if ((pid = wait4(-1, &status, 0, &ru)) < 0)
			return 1;
		for (i = 0; i < started && pids[i] != pid; i++)
			;
		printf("%lld %lld %ld %d\n", now_us() - start[i],
		    (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
		    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec, ru.ru_maxrss,
		    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		running--;
		done++;
	}
	return 0;
}
