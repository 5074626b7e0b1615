/*
 * eic_run_authorized_keys: sshd's AuthorizedKeysCommand for EC2 Instance
 * Connect. Coordinates fetch -> parse -> verify -> print; the modules it
 * calls do the work.
 */
#include <sys/time.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "authz.h"
#include "buf.h"
#include "config.h"
#include "ec2.h"
#include "err.h"
#include "imds.h"
#include "keyblob.h"
#include "keycheck.h"
#include "log.h"
#include "platform.h"
#include "selfcheck.h"
#include "session.h"
#include "sshkey.h"

#ifndef EIC_VERSION
#define EIC_VERSION "0.0.0"
#endif
#ifndef EIC_CONFIG_PATH
#define EIC_CONFIG_PATH "/etc/ec2-instance-connect/config.yaml"
#endif

/* Exit codes (documented in README and the man page). */
#define EXIT_ANSWERED	0	/* question answered, keys or not */
#define EXIT_INTERNAL	1
#define EXIT_USAGE	2	/* bad usage or configuration */
#define EXIT_IMDS	3	/* IMDS unavailable, too slow, or malformed */
#define EXIT_TRUST	4	/* signer not trusted */

struct run {
	struct config cfg;
	const char *user;
	const char *fparg;
	struct sshkey_fp fp;
	int64_t deadline;
	time_t now;
	struct session s;
	struct keyblob kb;
	int *meta;		/* keycheck_meta's verdict per entry (prefilter) */
	struct authz_result res;
	struct buf out;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: eic_run_authorized_keys [--config FILE] [--debug] "
	    "USER [FINGERPRINT]\n"
	    "       eic_run_authorized_keys --check [--config FILE] "
	    "[--sshd-config FILE]\n"
	    "           [--match user=U,host=H,addr=A] [--json]\n"
	    "       eic_run_authorized_keys --help | --version\n");
}

#define MAX_UNIT_DIRS 8

static const char *const default_unit_dirs[] = {
	"/etc/systemd/system", "/run/systemd/system", "/usr/lib/systemd/system",
	"/lib/systemd/system",
};

static void
on_deadline(int sig)
{
	static const char msg[] = LOG_IDENT ": hard deadline reached\n";

	(void)sig;
	/* Nothing has been printed: output is written once, at the end. */
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(EXIT_IMDS);
	_exit(EXIT_IMDS);
}

/* A backstop behind the per-request timeouts: the run never outlives it. */
static void
arm_deadline(long ms)
{
	struct itimerval it;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_deadline;
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

static int
syslog_level(enum config_log_level l)
{
	static const int map[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

	return map[l];
}

/*
 * Applies the cheap checks to every entry and returns how many pass (their
 * verdicts kept for emit). When none does, the run ends here, so the
 * failures are logged here; otherwise emit() logs each entry's final
 * verdict once.
 */
static int
prefilter(struct run *run, const struct keycheck_policy *pol, size_t *n)
{
	size_t i;

	*n = 0;
	if (run->kb.n == 0)
		return 0;
	if ((run->meta = calloc(run->kb.n, sizeof(*run->meta))) == NULL)
		return EIC_ERR_ALLOC;
	*n = authz_candidates(&run->kb, pol, run->meta);
	for (i = 0; *n == 0 && i < run->kb.n; i++) {
		if (run->meta[i] != EIC_ERR_FP_MISMATCH)
			log_msg(LOG_INFO, "user %s: skipping key entry at line %zu: %s",
			    run->user, run->kb.entries[i].lineno, err_str(run->meta[i]));
	}
	return 0;
}

static int
emit(struct run *run, const struct keycheck_policy *pol)
{
	const struct authz_item *it;
	const struct keyblob_entry *e;
	char caller[256], request[128];
	size_t i;
	int r;

	if ((r = authz_decide(&run->kb, pol, run->meta, run->s.instance_id,
	    run->s.signer, &run->res)) != 0)
		return r;
	buf_init(&run->out, KEYBLOB_MAX_BYTES);
	for (i = 0; i < run->res.n; i++) {
		it = &run->res.items[i];
		e = it->entry;
		snprintf(caller, sizeof(caller), "%.*s", (int)e->caller.len,
		    e->caller.ptr != NULL ? (const char *)e->caller.ptr : "");
		snprintf(request, sizeof(request), "%.*s", (int)e->request.len,
		    e->request.ptr != NULL ? (const char *)e->request.ptr : "");
		if (it->verdict == EIC_ERR_FP_MISMATCH)
			continue;
		if (it->verdict != 0) {
			log_msg(LOG_INFO, "user %s: skipping key entry at line %zu "
			    "(request-id %s): %s", run->user, e->lineno,
			    request[0] ? request : "-", err_str(it->verdict));
			continue;
		}
		if ((r = buf_append(&run->out, e->key_line.ptr, e->key_line.len)) != 0 ||
		    (r = buf_append(&run->out, "\n", 1)) != 0)
			return r;
		log_msg(LOG_INFO, "Providing ssh key from EC2 Instance Connect with "
		    "fingerprint: %s, request-id: %s, caller: %s, user: %s",
		    it->fp, request[0] ? request : "-", caller[0] ? caller : "-",
		    run->user);
	}
	return 0;
}

static int
write_all(const unsigned char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(STDOUT_FILENO, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return EIC_ERR_IO;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
exit_for(int r)
{
	switch (r) {
	case 0:
		return EXIT_ANSWERED;
	case EIC_ERR_CONFIG:
	case EIC_ERR_CONFIG_PERM:
	case EIC_ERR_FP_FORMAT:
		return EXIT_USAGE;
	case EIC_ERR_ALLOC:
	case EIC_ERR_INTERNAL:
	case EIC_ERR_IO:
		return EXIT_INTERNAL;
	case EIC_ERR_DOMAIN:
	case EIC_ERR_PEM:
	case EIC_ERR_CERT:
	case EIC_ERR_SIGNER_KEY:
	case EIC_ERR_CN:
	case EIC_ERR_NO_ANCHOR:
	case EIC_ERR_CHAIN:
	case EIC_ERR_OCSP_MISSING:
	case EIC_ERR_OCSP_FORMAT:
	case EIC_ERR_OCSP_STATUS:
	case EIC_ERR_OCSP_SIGNER:
	case EIC_ERR_OCSP_SIG:
	case EIC_ERR_OCSP_NOT_FOUND:
	case EIC_ERR_OCSP_REVOKED:
	case EIC_ERR_OCSP_UNKNOWN:
	case EIC_ERR_OCSP_NOT_YET:
	case EIC_ERR_OCSP_STALE:
	case EIC_ERR_TRUST_STORE:
		return EXIT_TRUST;
	default:
		return EXIT_IMDS;
	}
}

static int
run_helper(struct run *run)
{
	struct keycheck_policy pol;
	struct slice bundle;
	enum platform_ec2 probe = PLATFORM_NOT_EC2;
	char tag[EC2_INSTANCE_ID_MAX] = "";
	size_t candidates;
	int r;

	if (ec2_user_valid(run->user) != 0 || !platform_user_exists(run->user)) {
		log_msg(LOG_INFO, "user '%.64s': not a valid local user name for "
		    "EC2 Instance Connect; no keys", run->user);
		return 0;
	}
	if (run->cfg.ec2_check && (probe = platform_ec2_probe(tag)) == PLATFORM_NOT_EC2) {
		log_msg(LOG_INFO, "not an EC2 instance: no keys");
		return 0;
	}
	if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK)
		return EIC_ERR_INTERNAL;
	if ((r = session_open(&run->s, &run->cfg, run->now, run->deadline)) != 0)
		goto fail;
	if ((r = session_keys(&run->s, run->user, run->cfg.imds_prefetch, &bundle)) == EIC_ERR_NOT_FOUND) {
		log_msg(LOG_DEBUG, "user %s: no EC2 Instance Connect keys", run->user);
		return 0;
	}
	if (r != 0)
		goto fail;
	if ((r = keyblob_parse(bundle, &run->kb)) != 0) {
		log_msg(LOG_ERR, "user %s: key bundle refused: %s", run->user, err_str(r));
		return r;
	}
	if (run->kb.truncated)
		log_msg(LOG_WARNING, "user %s: key bundle has more than %d entries; "
		    "the rest are ignored", run->user, KEYBLOB_MAX_ENTRIES);
	memset(&pol, 0, sizeof(pol));
	pol.now = run->now;
	pol.push_window = run->cfg.push_window;
	pol.clock_skew = run->cfg.clock_skew;
	pol.fp = run->fparg != NULL ? &run->fp : NULL;
	/* Nothing could pass: spare IMDS the rest and the CPU the crypto. */
	if ((r = prefilter(run, &pol, &candidates)) != 0)
		return r;
	if (candidates == 0)
		return 0;
	if ((r = session_metadata(&run->s)) != 0)
		goto fail;
	if (run->cfg.ec2_check && !platform_ec2_confirm(probe, tag, run->s.instance_id)) {
		log_msg(LOG_INFO, "not an EC2 instance (asset tag %s differs from "
		    "IMDS instance id %s): no keys", tag, run->s.instance_id);
		return 0;
	}
	if ((r = session_signer(&run->s)) != 0)
		goto fail;
	log_msg(LOG_DEBUG, "signer %s trusted: chain of %zu, anchor %s", run->s.cn,
	    run->s.info.chain_len, run->s.info.subject[run->s.info.chain_len - 1]);
	if ((r = emit(run, &pol)) != 0)
		return r;
	log_msg(LOG_DEBUG, "user %s: %zu of %zu keys authorized", run->user,
	    run->res.authorized, run->res.n);
	return 0;
fail:
	log_msg(LOG_ERR, "%s", run->s.why);
	return r;
}

static void
run_free(struct run *run)
{
	session_close(&run->s);
	keyblob_free(&run->kb);
	free(run->meta);
	authz_result_free(&run->res);
	buf_free(&run->out);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "check", no_argument, NULL, 'C' },
		{ "sshd-config", required_argument, NULL, 'S' },
		{ "match", required_argument, NULL, 'M' },
		{ "json", no_argument, NULL, 'J' },
		{ "sshd", required_argument, NULL, 'X' },
		{ "systemd-dir", required_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 },
	};
	static struct run run;
	struct selfcheck_opts co;
	const char *config_path = EIC_CONFIG_PATH;
	const char *unit_dirs[MAX_UNIT_DIRS];
	char why[256];
	int ch, debug = 0, explicit_config = 0, r, code, check = 0;
	int64_t start = platform_now_ms();

	memset(&co, 0, sizeof(co));
	co.sshd = "/usr/sbin/sshd";
	co.sshd_config = "/etc/ssh/sshd_config";

	/* Nothing in the sshd path may depend on the caller's environment. */
	platform_clear_env();
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG |
	    OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, NULL);
	while ((ch = getopt_long(argc, argv, "c:dhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			explicit_config = 1;
			break;
		case 'd':
			debug = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_ANSWERED;
		case 'V':
			printf("eic_run_authorized_keys %s\n", EIC_VERSION);
			return EXIT_ANSWERED;
		case 'C':
			check = 1;
			break;
		case 'S':
			co.sshd_config = optarg;
			break;
		case 'M':
			co.match = optarg;
			break;
		case 'J':
			co.json = 1;
			break;
		case 'X':
			co.sshd = optarg;
			break;
		case 'U':
			if (co.nunit_dirs == MAX_UNIT_DIRS) {
				usage(stderr);
				return EXIT_USAGE;
			}
			unit_dirs[co.nunit_dirs++] = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (check) {
		/* Admin mode: runs sshd -T; never what sshd itself invokes. */
		if (argc != optind) {
			usage(stderr);
			return EXIT_USAGE;
		}
		co.config_path = config_path;
		co.explicit_config = explicit_config;
		if (co.nunit_dirs == 0) {
			co.unit_dirs = default_unit_dirs;
			co.nunit_dirs = sizeof(default_unit_dirs) / sizeof(default_unit_dirs[0]);
		} else {
			co.unit_dirs = unit_dirs;
		}
		return selfcheck_run(&co);
	}
	if (argc - optind < 1 || argc - optind > 2 || co.json || co.match != NULL) {
		usage(stderr);
		return EXIT_USAGE;
	}
	run.user = argv[optind];
	run.fparg = argc - optind == 2 ? argv[optind + 1] : NULL;
	/* Interactive use (a terminal on stderr) sees the log too; sshd never does. */
	log_init(debug || isatty(STDERR_FILENO), debug);
	config_defaults(&run.cfg);
	if ((r = config_load(config_path, explicit_config, &run.cfg, why,
	    sizeof(why))) != 0) {
		log_msg(LOG_ERR, "configuration refused: %s", why);
		return EXIT_USAGE;
	}
	log_set_level(syslog_level(run.cfg.log_level));
	arm_deadline(run.cfg.deadline_ms);
	/* Network work stops a little early so that the answer is still in time. */
	run.deadline = start + run.cfg.deadline_ms - run.cfg.deadline_ms / 20;
	run.now = time(NULL);
	if (run.fparg != NULL && (r = sshkey_fp_parse(run.fparg, &run.fp)) != 0) {
		log_msg(LOG_ERR, "fingerprint argument '%.64s': %s", run.fparg,
		    err_str(r));
		return EXIT_USAGE;
	}
	r = run_helper(&run);
	if (run.s.imds != NULL)
		log_msg(LOG_DEBUG, "%u IMDS requests in %u round trips via %s",
		    imds_requests(run.s.imds), imds_round_trips(run.s.imds),
		    imds_base(run.s.imds));
	if (r == 0 && run.out.len > 0)
		r = write_all(run.out.data, run.out.len);
	code = exit_for(r);
	if (r != 0)
		log_msg(LOG_DEBUG, "exit %d (%s)", code, err_name(r));
	run_free(&run);
	curl_global_cleanup();
	return code;
}
