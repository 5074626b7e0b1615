/* selfcheck.h: `--check`, the admin's answer to "does sshd really use us?". */
#ifndef EIC_SELFCHECK_H
#define EIC_SELFCHECK_H

#include <stddef.h>

struct selfcheck_opts {
	const char *sshd;		/* sshd binary */
	const char *sshd_config;	/* sshd's main config file */
	const char *match;		/* sshd -C criteria, or NULL for the default */
	const char *config_path;	/* this program's config file */
	int explicit_config;		/* config_path named on the command line */
	const char *const *unit_dirs;	/* where systemd units are read */
	size_t nunit_dirs;
	int json;
};

/*
 * Runs every check and prints one line per check (OK / WARN / FAIL, each
 * FAIL with its fix), or a JSON document. Returns the exit status: 0 only
 * if nothing failed, 1 otherwise. Runs sshd -T: never call it in the sshd
 * path.
 */
int selfcheck_run(const struct selfcheck_opts *o);

#endif
