/* sshdcfg.h: what sshd is really configured to do (admin check mode only). */
#ifndef EIC_SSHDCFG_H
#define EIC_SSHDCFG_H

#include <stddef.h>

#include "buf.h"
#include "cursor.h"

#define SSHDCFG_PATH_MAX 512
#define SSHDCFG_MAX_LOCS 32

/* One place a keyword is set. */
struct sshdcfg_loc {
	char file[SSHDCFG_PATH_MAX];
	unsigned line;
	int in_match;		/* inside a Match block (not "Match all") */
	char match[128];	/* the Match line, when in_match */
	char value[256];
};

/*
 * Runs `sshd -T -f config [-C match] [extra...]` (never in the sshd path:
 * --check only) and collects its output, at most 1 MiB, within 10 s.
 * extra (NULL-terminated, may be NULL) are further arguments such as the
 * unit's -o options. On failure why holds sshd's first error line.
 */
int sshdcfg_effective(const char *sshd, const char *config, const char *match,
    char *const *extra, struct buf *out, char *why, size_t whysz);

/*
 * Splits the -o options out of an ExecStart command line (double quotes
 * and systemd's %% honoured) into argv-style pairs "-o", "Keyword value".
 * Writes at most max pointers into opts (each malloc'd; free with free())
 * and a NULL after them.
 */
int sshdcfg_exec_options(const char *execstart, char **opts, size_t max);

/* Copies the value of keyword kw (compared case-insensitively) from sshd -T
 * output; EIC_ERR_NOT_FOUND if absent. */
int sshdcfg_value(struct slice dump, const char *kw, char *out, size_t outsz);

/*
 * Lists, in the order sshd reads them (main file, then Include globs in
 * sorted order, depth at most 16), every line that sets kw.
 */
int sshdcfg_where(const char *config, const char *kw, struct sshdcfg_loc *locs,
    size_t max, size_t *n);

/*
 * Finds -o options naming kw in the ExecStart lines of ssh.service or
 * sshd.service (unit file and drop-ins) under the given unit directories.
 * Writes the first such ExecStart line to out ("" if none).
 */
int sshdcfg_unit_option(const char *const *dirs, size_t ndirs, const char *kw,
    char *out, size_t outsz, char *unit, size_t unitsz);

#endif
