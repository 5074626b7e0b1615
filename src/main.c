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
#include <openssl/x509.h>

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
#include "signer.h"
#include "sshkey.h"
#include "staple.h"
#include "truststore.h"

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

#define META "/latest/meta-data/"
#define KEYS_PATH META "managed-ssh-keys/active-keys/"
#define SMALL_MAX 256
#define STAPLE_LIST_MAX 64	/* names in the signer-ocsp/ listing */

enum { R_ID, R_REGION, R_DOMAIN, R_CHAIN, R_LIST, R_COUNT };

struct run {
	struct config cfg;
	const char *user;
	const char *fparg;
	struct sshkey_fp fp;
	int64_t deadline;
	time_t now;
	struct imds *imds;
	struct imds_req keys;
	struct imds_req batch[R_COUNT];
	struct imds_req staples[SIGNER_MAX_STAPLES];
	size_t nstaples;
	char staple_paths[SIGNER_MAX_STAPLES][128];
	char instance_id[EC2_INSTANCE_ID_MAX];
	char region[EC2_REGION_MAX];
	char domain[EC2_DOMAIN_MAX];
	char keypath[sizeof(KEYS_PATH) + EC2_USER_MAX * 3 + 2];
	struct keyblob kb;
	struct authz_result res;
	X509_STORE *store;
	EVP_PKEY *signer;
	struct buf out;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: eic_run_authorized_keys [--config FILE] [--debug] "
	    "USER [FINGERPRINT]\n"
	    "       eic_run_authorized_keys --help | --version\n");
}

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

static void
req_init(struct imds_req *q, const char *path, size_t max)
{
	memset(q, 0, sizeof(*q));
	q->path = path;
	q->max = max;
	buf_init(&q->body, max);
}

static struct slice
body(const struct imds_req *q)
{
	return (struct slice){ q->body.data, q->body.len };
}

/* Logs the entries that fail the cheap checks; returns how many pass. */
static size_t
prefilter(struct run *run, const struct keycheck_policy *pol)
{
	struct sshkey key;
	size_t i, n = 0;
	int r;

	for (i = 0; i < run->kb.n; i++) {
		r = keycheck_meta(&run->kb.entries[i], pol, &key);
		if (r == 0) {
			sshkey_clear(&key);
			n++;
		} else if (r != EIC_ERR_FP_MISMATCH) {
			log_msg(LOG_INFO, "user %s: skipping key entry at line %zu: %s",
			    run->user, run->kb.entries[i].lineno, err_str(r));
		}
	}
	return n;
}

static int
fetch_keys(struct run *run)
{
	char enc[EC2_USER_MAX * 3 + 1];
	int r;

	if ((r = ec2_path_encode(run->user, enc, sizeof(enc))) != 0)
		return r;
	snprintf(run->keypath, sizeof(run->keypath), "%s%s/", KEYS_PATH, enc);
	req_init(&run->keys, run->keypath, KEYBLOB_MAX_BYTES);
	if ((r = imds_fetch(run->imds, &run->keys, 1)) != 0)
		return r;
	return run->keys.result;
}

static int
fetch_metadata(struct run *run)
{
	struct imds_req zone;
	int r, i;

	req_init(&run->batch[R_ID], META "instance-id", SMALL_MAX);
	req_init(&run->batch[R_REGION], META "placement/region", SMALL_MAX);
	req_init(&run->batch[R_DOMAIN], META "services/domain", SMALL_MAX);
	req_init(&run->batch[R_CHAIN], META "managed-ssh-keys/signer-cert/",
	    SIGNER_PEM_MAX);
	req_init(&run->batch[R_LIST], META "managed-ssh-keys/signer-ocsp/", 4096);
	if ((r = imds_fetch(run->imds, run->batch, R_COUNT)) != 0)
		return r;
	for (i = 0; i < R_COUNT; i++) {
		r = run->batch[i].result;
		if (r == 0 || (r == EIC_ERR_NOT_FOUND &&
		    (i == R_REGION || i == R_LIST)))
			continue;
		log_msg(LOG_ERR, "IMDS %s: %s", run->batch[i].path,
		    run->batch[i].detail);
		return r;
	}
	if ((r = ec2_instance_id(body(&run->batch[R_ID]), run->instance_id)) != 0) {
		log_msg(LOG_ERR, "IMDS instance-id: %s", err_str(r));
		return r;
	}
	if (run->batch[R_REGION].result == 0) {
		r = ec2_region(body(&run->batch[R_REGION]), run->region);
	} else {
		/* Older instances: the region is the zone without its letter. */
		req_init(&zone, META "placement/availability-zone", SMALL_MAX);
		if ((r = imds_fetch(run->imds, &zone, 1)) == 0 &&
		    (r = zone.result) == 0)
			r = ec2_region_from_zone(body(&zone), run->region);
		else
			log_msg(LOG_ERR, "IMDS %s: %s", zone.path, zone.detail);
		buf_free(&zone.body);
	}
	if (r != 0)
		log_msg(LOG_ERR, "IMDS region: %s", err_str(r));
	return r;
}

/* Fetches the listed staples that name a certificate of the chain, at once. */
static int
fetch_staples(struct run *run, struct signer_staple *st)
{
	char listed[STAPLE_LIST_MAX][SIGNER_SHA1_HEX];
	char chain[SIGNER_MAX_CERTS][SIGNER_SHA1_HEX];
	size_t i, j, nlisted = 0, nchain = 0, n = 0;
	int r;

	if (run->batch[R_LIST].result == 0 &&
	    (r = ec2_staple_names(body(&run->batch[R_LIST]), listed,
	    STAPLE_LIST_MAX, &nlisted)) != 0) {
		log_msg(LOG_ERR, "signer not trusted: IMDS signer-ocsp list: %s",
		    err_str(r));
		return r;
	}
	/* A chain that does not parse fails in signer_verify, with its reason. */
	if (signer_chain_names(body(&run->batch[R_CHAIN]), chain,
	    SIGNER_MAX_CERTS, &nchain) != 0)
		nchain = 0;
	for (i = 0; i < nchain; i++) {
		for (j = 0; j < nlisted && strcmp(chain[i], listed[j]) != 0; j++)
			;
		if (j == nlisted)
			continue;
		snprintf(run->staple_paths[n], sizeof(run->staple_paths[n]),
		    META "managed-ssh-keys/signer-ocsp/%s", chain[i]);
		req_init(&run->staples[n], run->staple_paths[n], STAPLE_B64_MAX);
		memcpy(st[n].name, chain[i], SIGNER_SHA1_HEX);
		n++;
	}
	run->nstaples = n;
	if (n > 0 && (r = imds_fetch(run->imds, run->staples, n)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		/* A staple that cannot be had is a missing staple, not an outage. */
		if (run->staples[i].result != 0) {
			log_msg(LOG_WARNING, "IMDS %s: %s", run->staples[i].path,
			    run->staples[i].detail);
			st[i].b64 = (struct slice){ NULL, 0 };
			continue;
		}
		st[i].b64 = body(&run->staples[i]);
		/* base64 text; a trailing newline is tolerated */
		if (st[i].b64.len > 0 && st[i].b64.ptr[st[i].b64.len - 1] == '\n')
			st[i].b64.len--;
	}
	return 0;
}

static int
verify_signer(struct run *run)
{
	struct signer_staple st[SIGNER_MAX_STAPLES];
	struct signer_input in;
	struct signer_info info;
	char cn[EC2_CN_MAX];
	const char *dl[CONFIG_MAX_DOMAINS];
	int r, file_loaded = 0;

	if ((r = ec2_domain(body(&run->batch[R_DOMAIN]),
	    config_domain_list(&run->cfg, dl), run->cfg.ndomains,
	    run->domain)) != 0) {
		log_msg(LOG_ERR, "signer not trusted: IMDS services/domain: %s", err_str(r));
		return r;
	}
	if ((r = ec2_signer_cn(run->region, run->domain, cn, sizeof(cn))) != 0 ||
	    (r = fetch_staples(run, st)) != 0)
		return r;
	memset(&in, 0, sizeof(in));
	in.chain_pem = body(&run->batch[R_CHAIN]);
	in.staples = st;
	in.nstaples = run->nstaples;
	in.expected_cn = cn;
	in.now = run->now;
	in.ocsp_leeway = run->cfg.ocsp_leeway;
	if ((r = truststore_open(run->cfg.ca_dir, run->cfg.ca_file, &run->store,
	    &file_loaded)) != 0) {
		log_msg(LOG_ERR, "signer not trusted: %s (ca_dir '%s', ca_file '%s')",
		    err_str(r), run->cfg.ca_dir, run->cfg.ca_file);
		return r;
	}
	r = signer_verify(&in, run->store, &run->signer, &info);
	/* The hashed directory had no anchor: try the bundle file too... */
	if (r == EIC_ERR_NO_ANCHOR && !file_loaded && run->cfg.ca_file[0] != '\0' &&
	    truststore_add_file(run->store, run->cfg.ca_file) == 0)
		r = signer_verify(&in, run->store, &run->signer, &info);
	/* ...and then the directory's files themselves (no hash links). */
	if (r == EIC_ERR_NO_ANCHOR &&
	    truststore_add_dir_files(run->store, run->cfg.ca_dir) == 0)
		r = signer_verify(&in, run->store, &run->signer, &info);
	if (r != 0) {
		log_msg(LOG_ERR, "signer not trusted (expected CN %s): %s%s%s "
		    "(chain position %d)", cn, err_str(r),
		    info.x509_error != 0 ? ": " : "",
		    info.x509_error != 0 ?
		    X509_verify_cert_error_string(info.x509_error) : "",
		    info.depth);
		return r;
	}
	log_msg(LOG_DEBUG, "signer %s trusted: chain of %zu, anchor %s", cn,
	    info.chain_len, info.subject[info.chain_len - 1]);
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

	if ((r = authz_decide(&run->kb, pol, run->instance_id, run->signer,
	    &run->res)) != 0)
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
	struct imds_opts o;
	enum platform_ec2 probe = PLATFORM_NOT_EC2;
	char tag[EC2_INSTANCE_ID_MAX] = "", detail[128];
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
	memset(&o, 0, sizeof(o));
	o.endpoint = run->cfg.imds_endpoint;
	o.url = run->cfg.imds_url;
	o.timeout_ms = run->cfg.imds_timeout_ms;
	o.token_ttl = run->cfg.imds_token_ttl;
	o.deadline_ms = run->deadline;
	if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK ||
	    (r = imds_open(&o, &run->imds)) != 0)
		return EIC_ERR_INTERNAL;
	if ((r = imds_token(run->imds, detail, sizeof(detail))) != 0) {
		log_msg(LOG_ERR, "IMDS unavailable: no IMDSv2 token: %s", detail);
		return r;
	}
	if ((r = fetch_keys(run)) == EIC_ERR_NOT_FOUND) {
		log_msg(LOG_DEBUG, "user %s: no EC2 Instance Connect keys", run->user);
		return 0;
	}
	if (r != 0) {
		log_msg(LOG_ERR, "IMDS %s: %s", run->keys.path, run->keys.detail);
		return r;
	}
	if ((r = keyblob_parse(body(&run->keys), &run->kb)) != 0) {
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
	if (prefilter(run, &pol) == 0)
		return 0;
	if ((r = fetch_metadata(run)) != 0)
		return r;
	if (run->cfg.ec2_check && !platform_ec2_confirm(probe, tag, run->instance_id)) {
		log_msg(LOG_INFO, "not an EC2 instance (asset tag %s differs from "
		    "IMDS instance id %s): no keys", tag, run->instance_id);
		return 0;
	}
	if ((r = verify_signer(run)) != 0)
		return r;
	if ((r = emit(run, &pol)) != 0)
		return r;
	log_msg(LOG_DEBUG, "user %s: %zu of %zu keys authorized, %u IMDS requests "
	    "via %s", run->user, run->res.authorized, run->res.n,
	    imds_requests(run->imds), imds_base(run->imds));
	return 0;
}

static void
run_free(struct run *run)
{
	size_t i;

	buf_free(&run->keys.body);
	for (i = 0; i < R_COUNT; i++)
		buf_free(&run->batch[i].body);
	for (i = 0; i < SIGNER_MAX_STAPLES; i++)
		buf_free(&run->staples[i].body);
	keyblob_free(&run->kb);
	authz_result_free(&run->res);
	X509_STORE_free(run->store);
	EVP_PKEY_free(run->signer);
	buf_free(&run->out);
	imds_close(run->imds);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct run run;
	const char *config_path = EIC_CONFIG_PATH;
	char why[256];
	int ch, debug = 0, explicit_config = 0, r, code;
	int64_t start = platform_now_ms();

	/* Nothing in the sshd path may depend on the caller's environment. */
	platform_clear_env();
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
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
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind < 1 || argc - optind > 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	run.user = argv[optind];
	run.fparg = argc - optind == 2 ? argv[optind + 1] : NULL;
	log_init(debug);
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
	if (r == 0 && run.out.len > 0)
		r = write_all(run.out.data, run.out.len);
	code = exit_for(r);
	if (r != 0)
		log_msg(LOG_DEBUG, "exit %d (%s)", code, err_name(r));
	run_free(&run);
	curl_global_cleanup();
	return code;
}
