/* session.c: fetch what the checks need from IMDS, and verify the signer. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "keyblob.h"
#include "session.h"
#include "staple.h"
#include "truststore.h"

#define META "/latest/meta-data/"
#define KEYS_PATH META "managed-ssh-keys/active-keys/"
#define SMALL_MAX 256
#define STAPLE_LIST_MAX 64	/* names in the signer-ocsp/ listing */

static void
why(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
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

int
session_open(struct session *s, const struct config *cfg, time_t now,
    int64_t deadline_ms)
{
	struct imds_opts o;
	char detail[128];
	int r;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->now = now;
	memset(&o, 0, sizeof(o));
	o.endpoint = cfg->imds_endpoint;
	o.url = cfg->imds_url;
	o.timeout_ms = cfg->imds_timeout_ms;
	o.token_ttl = cfg->imds_token_ttl;
	o.deadline_ms = deadline_ms;
	if ((r = imds_open(&o, &s->imds)) != 0) {
		why(s, "IMDS client: %s", err_str(r));
		return r;
	}
	if ((r = imds_token(s->imds, detail, sizeof(detail))) != 0) {
		why(s, "IMDS unavailable: no IMDSv2 token: %s", detail);
		return r;
	}
	return 0;
}

static void
metadata_requests(struct session *s)
{
	struct imds_req *b = s->req;

	req_init(&b[SESSION_ID], META "instance-id", SMALL_MAX);
	req_init(&b[SESSION_REGION], META "placement/region", SMALL_MAX);
	req_init(&b[SESSION_DOMAIN], META "services/domain", SMALL_MAX);
	req_init(&b[SESSION_CHAIN], META "managed-ssh-keys/signer-cert/",
	    SIGNER_PEM_MAX);
	req_init(&b[SESSION_LIST], META "managed-ssh-keys/signer-ocsp/", 4096);
}

int
session_keys(struct session *s, const char *user, int prefetch, struct slice *bundle)
{
	struct imds_req *keys = &s->req[SESSION_KEYS];
	char enc[EC2_USER_MAX * 3 + 1];
	int r;

	if ((r = ec2_path_encode(user, enc, sizeof(enc))) != 0) {
		why(s, "user name: %s", err_str(r));
		return r;
	}
	snprintf(s->keypath, sizeof(s->keypath), "%s%s/", KEYS_PATH, enc);
	req_init(keys, s->keypath, KEYBLOB_MAX_BYTES);
	/*
	 * With prefetch the metadata rides along with the keys: one round trip
	 * less for a login, five requests more for every other call.
	 */
	if (prefetch)
		metadata_requests(s);
	s->prefetched = prefetch;
	if ((r = imds_fetch(s->imds, keys, prefetch ? SESSION_NREQ : 1)) == 0)
		r = keys->result;
	if (r != 0) {
		why(s, "IMDS %s: %s", keys->path, keys->detail);
		return r;
	}
	*bundle = body(keys);
	return 0;
}

/* Validates what metadata_requests() fetched; the zone only if needed. */
static int
metadata_check(struct session *s)
{
	struct imds_req *b = s->req;
	int r, i;

	for (i = SESSION_BATCH; i < SESSION_NREQ; i++) {
		r = b[i].result;
		/* No region path on older instances; no staples is judged later. */
		if (r == 0 || (r == EIC_ERR_NOT_FOUND &&
		    (i == SESSION_REGION || i == SESSION_LIST)))
			continue;
		why(s, "IMDS %s: %s", b[i].path, b[i].detail);
		return r;
	}
	if ((r = ec2_instance_id(body(&b[SESSION_ID]), s->instance_id)) != 0) {
		why(s, "IMDS instance-id: %s", err_str(r));
		return r;
	}
	if (b[SESSION_REGION].result == 0) {
		r = ec2_region(body(&b[SESSION_REGION]), s->region);
	} else {
		/* Older instances: the region is the zone without its letter. */
		req_init(&s->zone, META "placement/availability-zone", SMALL_MAX);
		if ((r = imds_fetch(s->imds, &s->zone, 1)) == 0 &&
		    (r = s->zone.result) != 0) {
			why(s, "IMDS %s: %s", s->zone.path, s->zone.detail);
			return r;
		}
		if (r == 0)
			r = ec2_region_from_zone(body(&s->zone), s->region);
	}
	if (r != 0) {
		why(s, "IMDS region: %s", err_str(r));
		return r;
	}
	return 0;
}

int
session_metadata(struct session *s)
{
	int r;

	if (s->prefetched)
		return metadata_check(s);
	metadata_requests(s);
	if ((r = imds_fetch(s->imds, &s->req[SESSION_BATCH], SESSION_NBATCH)) != 0) {
		why(s, "IMDS: %s", err_str(r));
		return r;
	}
	return metadata_check(s);
}

/*
 * Requests the listed staples that name a certificate of the chain, at
 * once; staples_collect waits for them. In between, the chain is verified.
 */
static int
staples_send(struct session *s, struct signer_staple *st)
{
	char listed[STAPLE_LIST_MAX][SIGNER_SHA1_HEX];
	char chain[SIGNER_MAX_CERTS][SIGNER_SHA1_HEX];
	size_t i, j, nlisted = 0, nchain = 0, n = 0;
	int r;

	if (s->req[SESSION_LIST].result == 0 &&
	    (r = ec2_staple_names(body(&s->req[SESSION_LIST]), listed,
	    STAPLE_LIST_MAX, &nlisted)) != 0) {
		why(s, "IMDS signer-ocsp list: %s", err_str(r));
		return r;
	}
	/* A chain that does not parse fails in signer_chain_verify, with its reason. */
	if (signer_chain_names(body(&s->req[SESSION_CHAIN]), chain,
	    SIGNER_MAX_CERTS, &nchain) != 0)
		nchain = 0;
	for (i = 0; i < nchain; i++) {
		for (j = 0; j < nlisted && strcmp(chain[i], listed[j]) != 0; j++)
			;
		if (j == nlisted)
			continue;
		snprintf(s->staple_paths[n], sizeof(s->staple_paths[n]),
		    META "managed-ssh-keys/signer-ocsp/%.40s", chain[i]);
		req_init(&s->staples[n], s->staple_paths[n], STAPLE_B64_MAX);
		memcpy(st[n].name, chain[i], SIGNER_SHA1_HEX);
		n++;
	}
	s->nstaples = n;
	if ((r = imds_send(s->imds, s->staples, n)) != 0) {
		why(s, "IMDS: %s", err_str(r));
		return r;
	}
	return 0;
}

static int
staples_collect(struct session *s, struct signer_staple *st)
{
	size_t i, n = s->nstaples;
	int r;

	if ((r = imds_wait(s->imds)) != 0) {
		why(s, "IMDS: %s", err_str(r));
		return r;
	}
	for (i = 0; i < n; i++) {
		/* A staple that cannot be had is a missing staple, not an outage. */
		if (s->staples[i].result != 0 && s->staple_note[0] == '\0')
			snprintf(s->staple_note, sizeof(s->staple_note), " (IMDS %s: %s)",
			    s->staples[i].path + sizeof(META) - 1, s->staples[i].detail);
		st[i].b64 = s->staples[i].result == 0 ? body(&s->staples[i]) :
		    (struct slice){ NULL, 0 };
		/* base64 text; a trailing newline is tolerated */
		if (st[i].b64.len > 0 && st[i].b64.ptr[st[i].b64.len - 1] == '\n')
			st[i].b64.len--;
	}
	return 0;
}

/*
 * Verifies the chain against s->store (file_loaded: whether it holds the
 * bundle file); if no anchor is found in the hashed directory, with the
 * bundle file added, then the directory's own files.
 */
static int
verify_chain(struct session *s, const struct signer_input *in,
    struct signer_chain *sc, int file_loaded)
{
	const struct config *c = s->cfg;
	int r;

	r = signer_chain_verify(in, s->store, sc, &s->info);
	if (r == EIC_ERR_NO_ANCHOR && !file_loaded && c->ca_file[0] != '\0' &&
	    truststore_add_file(s->store, c->ca_file) == 0) {
		signer_chain_free(sc);
		r = signer_chain_verify(in, s->store, sc, &s->info);
	}
	if (r == EIC_ERR_NO_ANCHOR && truststore_add_dir_files(s->store, c->ca_dir) == 0) {
		signer_chain_free(sc);
		r = signer_chain_verify(in, s->store, sc, &s->info);
	}
	return r;
}

int
session_signer(struct session *s)
{
	struct signer_staple st[SIGNER_MAX_STAPLES];
	struct signer_chain sc;
	struct signer_input in;
	const char *dl[CONFIG_MAX_DOMAINS];
	const struct config *c = s->cfg;
	int r, file_loaded = 0;

	memset(st, 0, sizeof(st));
	memset(&sc, 0, sizeof(sc));
	if ((r = ec2_domain(body(&s->req[SESSION_DOMAIN]),
	    config_domain_list(c, dl), c->ndomains, s->domain)) != 0) {
		why(s, "signer not trusted: IMDS services/domain: %s", err_str(r));
		goto out;
	}
	if ((r = ec2_signer_cn(s->region, s->domain, s->cn, sizeof(s->cn))) != 0 ||
	    (r = staples_send(s, st)) != 0)
		goto out;
	memset(&in, 0, sizeof(in));
	in.chain_pem = body(&s->req[SESSION_CHAIN]);
	in.staples = st;
	in.expected_cn = s->cn;
	in.now = s->now;
	in.ocsp_leeway = c->ocsp_leeway;
	if ((r = truststore_open(c->ca_dir, c->ca_file, &s->store, &file_loaded)) != 0) {
		why(s, "signer not trusted: %s (ca_dir '%s', ca_file '%s')",
		    err_str(r), c->ca_dir, c->ca_file);
		goto out;
	}
	/* While IMDS answers for the staples (their bodies land in st[]). */
	if ((r = verify_chain(s, &in, &sc, file_loaded)) == 0) {
		if ((r = staples_collect(s, st)) != 0)
			goto out;
		in.nstaples = s->nstaples;
		r = signer_chain_staples(&sc, &in, &s->signer, &s->info);
	}
	if (r != 0)
		why(s, "signer not trusted (expected CN %s): %s%s%s (chain position %d)%s",
		    s->cn, err_str(r), s->info.x509_error != 0 ? ": " : "",
		    s->info.x509_error != 0 ?
		    X509_verify_cert_error_string(s->info.x509_error) : "",
		    s->info.depth, s->staple_note);
out:
	signer_chain_free(&sc);
	return r;
}

void
session_close(struct session *s)
{
	size_t i;

	buf_free(&s->zone.body);
	for (i = 0; i < SESSION_NREQ; i++)
		buf_free(&s->req[i].body);
	for (i = 0; i < SIGNER_MAX_STAPLES; i++)
		buf_free(&s->staples[i].body);
	X509_STORE_free(s->store);
	EVP_PKEY_free(s->signer);
	imds_close(s->imds);
	s->store = NULL;
	s->signer = NULL;
	s->imds = NULL;
}
