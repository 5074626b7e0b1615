/* sshdcfg.c: read sshd's effective configuration and where it comes from. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "err.h"
#include "platform.h"
#include "sshdcfg.h"

#define DUMP_MAX (1024 * 1024)
#define FILE_MAX (1024 * 1024)
#define RUN_TIMEOUT_MS 10000
#define INCLUDE_DEPTH 16

extern char **environ;

static void
first_line(const struct buf *b, char *why, size_t whysz)
{
	size_t n = 0;

	while (n < b->len && b->data[n] != '\n' && b->data[n] != '\r')
		n++;
	snprintf(why, whysz, "%.*s", (int)n, b->data != NULL ? (char *)b->data : "");
}

/* pipe(2) with close-on-exec on both ends (pipe2 is not portable). */
static int
pipe_cloexec(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
		close(fds[0]);
		close(fds[1]);
		fds[0] = fds[1] = -1;
		return -1;
	}
	return 0;
}

int
sshdcfg_effective(const char *sshd, const char *config, const char *match,
    char *const *extra, struct buf *out, char *why, size_t whysz)
{
	posix_spawn_file_actions_t fa;
	char *argv[40];
	struct buf err;
	unsigned char chunk[8192];
	struct pollfd pfd[2];
	int fds[2] = { -1, -1 }, efds[2] = { -1, -1 }, status = 0, r, argc = 0;
	int fa_ok = 0, open_fds = 2;
	int64_t end = platform_now_ms() + RUN_TIMEOUT_MS;
	pid_t pid = -1;
	ssize_t n;

	buf_init(&err, 4096);
	snprintf(why, whysz, "cannot run %s", sshd);
	argv[argc++] = (char *)sshd;
	argv[argc++] = "-T";
	argv[argc++] = "-f";
	argv[argc++] = (char *)config;
	if (match != NULL && match[0] != '\0') {
		argv[argc++] = "-C";
		argv[argc++] = (char *)match;
	}
	for (; extra != NULL && *extra != NULL && argc < 38; extra++)
		argv[argc++] = *extra;
	argv[argc] = NULL;
	if (pipe_cloexec(fds) != 0 || pipe_cloexec(efds) != 0) {
		r = EIC_ERR_IO;
		goto out;
	}
	if (posix_spawn_file_actions_init(&fa) != 0) {
		r = EIC_ERR_ALLOC;
		goto out;
	}
	fa_ok = 1;
	if (posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, efds[1], STDERR_FILENO) != 0 ||
	    posix_spawn(&pid, sshd, &fa, NULL, argv, environ) != 0) {
		r = EIC_ERR_IO;
		goto out;
	}
	close(fds[1]);
	close(efds[1]);
	fds[1] = efds[1] = -1;
	pfd[0].fd = fds[0];
	pfd[1].fd = efds[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (open_fds > 0) {
		int64_t left = end - platform_now_ms();

		if (left <= 0) {
			snprintf(why, whysz, "%s -T did not finish in %d s", sshd,
			    RUN_TIMEOUT_MS / 1000);
			kill(pid, SIGKILL);
			r = EIC_ERR_DEADLINE;
			goto out;
		}
		if (poll(pfd, 2, (int)left) < 0 && errno != EINTR) {
			r = EIC_ERR_IO;
			goto out;
		}
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			n = read(pfd[i].fd, chunk, sizeof(chunk));
			if (n <= 0) {
				pfd[i].fd = -1;
				open_fds--;
				continue;
			}
			/* Output over the cap is cut; sshd -T prints ~10 KiB. */
			(void)buf_append(i == 0 ? out : &err, chunk, (size_t)n);
		}
	}
	if (waitpid(pid, &status, 0) != pid) {
		r = EIC_ERR_IO;
		goto out;
	}
	pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		first_line(&err, why, whysz);
		r = EIC_ERR_CONFIG;
		goto out;
	}
	why[0] = '\0';
	r = 0;
out:
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 2; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		if (efds[i] >= 0)
			close(efds[i]);
	}
	buf_free(&err);
	return r;
}

int
sshdcfg_value(struct slice dump, const char *kw, char *out, size_t outsz)
{
	struct cursor c;
	struct slice line;
	size_t k = strlen(kw);

	cursor_init(&c, dump.ptr, dump.len);
	while (cursor_line(&c, SIZE_MAX, &line) == 0) {
		/* Newer OpenSSH prints keywords in CamelCase, older in lower case. */
		if (line.len > k && line.ptr[k] == ' ' &&
		    strncasecmp((const char *)line.ptr, kw, k) == 0) {
			snprintf(out, outsz, "%.*s", (int)(line.len - k - 1),
			    line.ptr + k + 1);
			return 0;
		}
	}
	return EIC_ERR_NOT_FOUND;
}

static int
read_file(const char *path, struct buf *b)
{
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return EIC_ERR_IO;
	r = platform_read_fd(fd, b);
	close(fd);
	return r;
}

/* Splits "Keyword[ =]args" into its parts (leading blanks skipped). */
static int
split_kw(struct slice line, struct slice *kw, struct slice *args)
{
	size_t i = 0, j;

	while (i < line.len && (line.ptr[i] == ' ' || line.ptr[i] == '\t'))
		i++;
	if (i == line.len || line.ptr[i] == '#')
		return 0;
	for (j = i; j < line.len && line.ptr[j] != ' ' && line.ptr[j] != '\t' &&
	    line.ptr[j] != '='; j++)
		;
	*kw = (struct slice){ line.ptr + i, j - i };
	while (j < line.len && (line.ptr[j] == ' ' || line.ptr[j] == '\t' ||
	    line.ptr[j] == '='))
		j++;
	*args = (struct slice){ line.ptr + j, line.len - j };
	while (args->len > 0 && (args->ptr[args->len - 1] == ' ' ||
	    args->ptr[args->len - 1] == '\t' || args->ptr[args->len - 1] == '\r'))
		args->len--;
	return 1;
}

static int
kw_is(struct slice kw, const char *name)
{
	return kw.len == strlen(name) &&
	    strncasecmp((const char *)kw.ptr, name, kw.len) == 0;
}

struct walk {
	const char *kw;
	struct sshdcfg_loc *locs;
	size_t max, n;
	char dir[SSHDCFG_PATH_MAX];	/* where relative Includes resolve */
};

static int walk_file(struct walk *w, const char *path, int depth, int in_match,
    const char *match);

static int
walk_include(struct walk *w, struct slice args, int depth, int in_match,
    const char *match)
{
	char pat[SSHDCFG_PATH_MAX];
	struct slice rest = args, tok;
	glob_t g;
	size_t i;
	int r = 0;

	while (rest.len > 0) {
		tok.ptr = rest.ptr;
		for (tok.len = 0; tok.len < rest.len && rest.ptr[tok.len] != ' ' &&
		    rest.ptr[tok.len] != '\t'; tok.len++)
			;
		rest.ptr += tok.len;
		rest.len -= tok.len;
		while (rest.len > 0 && (rest.ptr[0] == ' ' || rest.ptr[0] == '\t')) {
			rest.ptr++;
			rest.len--;
		}
		if (tok.len >= 2 && tok.ptr[0] == '"' && tok.ptr[tok.len - 1] == '"') {
			tok.ptr++;
			tok.len -= 2;
		}
		if (tok.len == 0)
			continue;
		if ((tok.ptr[0] == '/' ?
		    snprintf(pat, sizeof(pat), "%.*s", (int)tok.len, tok.ptr) :
		    snprintf(pat, sizeof(pat), "%s/%.*s", w->dir, (int)tok.len,
		    tok.ptr)) >= (int)sizeof(pat))
			continue;
		memset(&g, 0, sizeof(g));
		if (glob(pat, 0, NULL, &g) == 0) {
			for (i = 0; i < g.gl_pathc && r == 0; i++)
				r = walk_file(w, g.gl_pathv[i], depth + 1, in_match, match);
		}
		globfree(&g);
		if (r != 0)
			return r;
	}
	return 0;
}

static int
walk_file(struct walk *w, const char *path, int depth, int in_match,
    const char *match)
{
	struct buf b;
	struct cursor c;
	struct slice line, kw, args;
	char cur_match[128];
	unsigned lineno = 0;
	int r;

	if (depth > INCLUDE_DEPTH)
		return EIC_ERR_LIMIT;
	snprintf(cur_match, sizeof(cur_match), "%s", match);
	buf_init(&b, FILE_MAX);
	if ((r = read_file(path, &b)) != 0)
		goto out;
	cursor_init(&c, b.data, b.len);
	while (cursor_line(&c, SIZE_MAX, &line) == 0) {
		lineno++;
		if (!split_kw(line, &kw, &args))
			continue;
		if (kw_is(kw, "Match")) {
			in_match = !(args.len == 3 &&
			    strncasecmp((const char *)args.ptr, "all", 3) == 0);
			snprintf(cur_match, sizeof(cur_match), "Match %.*s",
			    (int)args.len, args.ptr);
		} else if (kw_is(kw, "Include")) {
			if ((r = walk_include(w, args, depth, in_match, cur_match)) != 0)
				goto out;
		} else if (kw_is(kw, w->kw) && w->n < w->max) {
			struct sshdcfg_loc *l = &w->locs[w->n++];

			snprintf(l->file, sizeof(l->file), "%s", path);
			l->line = lineno;
			l->in_match = in_match;
			snprintf(l->match, sizeof(l->match), "%s", in_match ? cur_match : "");
			snprintf(l->value, sizeof(l->value), "%.*s", (int)args.len, args.ptr);
		}
	}
	r = 0;
out:
	buf_free(&b);
	return r;
}

int
sshdcfg_where(const char *config, const char *kw, struct sshdcfg_loc *locs,
    size_t max, size_t *n)
{
	struct walk w;
	int r;

	memset(&w, 0, sizeof(w));
	w.kw = kw;
	w.locs = locs;
	w.max = max;
	/* sshd resolves relative Includes against its own directory. */
	snprintf(w.dir, sizeof(w.dir), "/etc/ssh");
	if ((r = walk_file(&w, config, 0, 0, "")) != 0)
		return r;
	*n = w.n;
	return 0;
}

int
sshdcfg_exec_options(const char *execstart, char **opts, size_t max)
{
	char tok[1024];
	const char *p = execstart;
	size_t n = 0, t;
	int want = 0, quoted;

	opts[0] = NULL;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (t = 0, quoted = 0; *p != '\0' && (quoted || (*p != ' ' && *p != '\t'));
		    p++) {
			if (*p == '"') {
				quoted = !quoted;
				continue;
			}
			if (*p == '%' && p[1] == '%')
				p++;	/* systemd's escape for a literal % */
			if (t + 1 < sizeof(tok))
				tok[t++] = *p;
		}
		tok[t] = '\0';
		if (want || (strncmp(tok, "-o", 2) == 0 && tok[2] != '\0')) {
			if (n + 3 > max)
				return EIC_ERR_LIMIT;
			if ((opts[n++] = strdup("-o")) == NULL ||
			    (opts[n++] = strdup(want ? tok : tok + 2)) == NULL)
				return EIC_ERR_ALLOC;
			opts[n] = NULL;
			want = 0;
		} else {
			want = strcmp(tok, "-o") == 0;
		}
	}
	return 0;
}

/* The ExecStart lines of one file, appended to b. */
static void
execstart_lines(const char *path, struct buf *b)
{
	struct buf f;
	struct cursor c;
	struct slice line;

	buf_init(&f, FILE_MAX);
	if (read_file(path, &f) == 0) {
		cursor_init(&c, f.data, f.len);
		while (cursor_line(&c, SIZE_MAX, &line) == 0) {
			while (line.len > 0 && (line.ptr[0] == ' ' || line.ptr[0] == '\t')) {
				line.ptr++;
				line.len--;
			}
			if (slice_has_prefix(line, "ExecStart=") &&
			    buf_append(b, line.ptr, line.len) == 0)
				(void)buf_append(b, "\n", 1);
		}
	}
	buf_free(&f);
}

int
sshdcfg_unit_option(const char *const *dirs, size_t ndirs, const char *kw,
    char *out, size_t outsz, char *unit, size_t unitsz)
{
	static const char *const units[] = { "ssh.service", "sshd.service" };
	char path[SSHDCFG_PATH_MAX], pat[SSHDCFG_PATH_MAX];
	struct buf lines;
	struct cursor c;
	struct slice line;
	struct stat sb;
	glob_t g;
	size_t i, u, j, k = strlen(kw);

	out[0] = unit[0] = '\0';
	buf_init(&lines, FILE_MAX);
	for (u = 0; u < 2; u++) {
		for (i = 0; i < ndirs; i++) {
			if (snprintf(path, sizeof(path), "%s/%s", dirs[i], units[u]) >=
			    (int)sizeof(path) ||
			    snprintf(pat, sizeof(pat), "%s/%s.d/*.conf", dirs[i],
			    units[u]) >= (int)sizeof(pat))
				continue;
			if (stat(path, &sb) == 0)
				execstart_lines(path, &lines);
			memset(&g, 0, sizeof(g));
			if (glob(pat, 0, NULL, &g) == 0) {
				for (j = 0; j < g.gl_pathc; j++)
					execstart_lines(g.gl_pathv[j], &lines);
			}
			globfree(&g);
		}
		cursor_init(&c, lines.data, lines.len);
		while (cursor_line(&c, SIZE_MAX, &line) == 0) {
			/* "-o Keyword value", "-oKeyword=value", quoted or not */
			for (j = 0; j + 2 + k <= line.len; j++) {
				size_t p = j + 2;

				if (line.ptr[j] != '-' || line.ptr[j + 1] != 'o')
					continue;
				while (p < line.len && (line.ptr[p] == ' ' || line.ptr[p] == '"' ||
				    line.ptr[p] == '\''))
					p++;
				if (p + k <= line.len &&
				    strncasecmp((const char *)line.ptr + p, kw, k) == 0 &&
				    (p + k == line.len || line.ptr[p + k] == ' ' ||
				    line.ptr[p + k] == '=')) {
					snprintf(out, outsz, "%.*s", (int)line.len, line.ptr);
					snprintf(unit, unitsz, "%s", units[u]);
					buf_free(&lines);
					return 0;
				}
			}
		}
		buf_reset(&lines);
	}
	buf_free(&lines);
	return 0;
}
