/* imds.c: IMDSv2 over libcurl: no proxy, no redirects, capped, one deadline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "err.h"
#include "imds.h"
#include "platform.h"

#define TOKEN_MAX		512
#define MAX_ATTEMPTS		3
#define RETRY_BASE_MS		20
#define FALLBACK_DELAY_MS	250
#define SEND_TURNS 8	/* curl_multi_perform calls imds_send makes at most */
#define MAX_XFERS		16

struct xfer {
	CURL *h;
	struct curl_slist *hdrs;
	struct imds_req *req;	/* NULL for a token transfer */
	struct buf *body;
	int over_cap;
	int attempt;
	int64_t retry_at;	/* when > 0, waiting to be retried */
	int base;		/* index into bases[] */
	int done;
};

/* A transfer curl reported finished, not yet handled by the caller. */
struct done {
	struct xfer *x;
	CURLcode cc;
};

struct imds {
	CURLM *multi;
	struct done done[MAX_XFERS + 2];
	size_t ndone;
	const char *bases[2];
	int nbases;
	int base;		/* the one that issued the token, or -1 */
	long timeout_ms;
	long token_ttl;
	int64_t deadline;
	char token[TOKEN_MAX + 1];
	unsigned requests;
	unsigned rounds;
	int64_t last_retry;	/* when the last retry wave started */
	/* The batch imds_send started and imds_wait finishes. */
	struct xfer xs[MAX_XFERS];
	size_t n;		/* its size; 0: none in flight */
	size_t pending;
};

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;

	/* The cap is enforced here: Content-Length alone proves nothing. */
	if (buf_append(x->body, p, n) != 0) {
		x->over_cap = 1;
		return 0;	/* aborts the transfer with CURLE_WRITE_ERROR */
	}
	return n;
}

static int64_t
remaining(const struct imds *c)
{
	return c->deadline - platform_now_ms();
}

static void
xfer_clear(struct imds *c, struct xfer *x)
{
	if (x->h != NULL) {
		curl_multi_remove_handle(c->multi, x->h);
		curl_easy_cleanup(x->h);
	}
	curl_slist_free_all(x->hdrs);
	x->h = NULL;
	x->hdrs = NULL;
}

/*
 * An explicit empty proxy overrides http_proxy, ALL_PROXY and friends; a
 * libcurl built without proxy support (mincurl) has none to override.
 */
static int
no_proxy(CURL *h)
{
	CURLcode a = curl_easy_setopt(h, CURLOPT_PROXY, "");
	CURLcode b = curl_easy_setopt(h, CURLOPT_NOPROXY, "*");

	return (a == CURLE_OK || a == CURLE_UNKNOWN_OPTION || a == CURLE_NOT_BUILT_IN) &&
	    (b == CURLE_OK || b == CURLE_UNKNOWN_OPTION || b == CURLE_NOT_BUILT_IN);
}

static int
xfer_start(struct imds *c, struct xfer *x, const char *path)
{
	char url[512], hdr[TOKEN_MAX + 64];
	int64_t left = remaining(c), due = x->retry_at;
	long t;
	int ok = 1;

	if (left <= 0)
		return EIC_ERR_DEADLINE;
	t = c->timeout_ms < left ? c->timeout_ms : (long)left;
	if (snprintf(url, sizeof(url), "%s%s", c->bases[x->base], path) >=
	    (int)sizeof(url))
		return EIC_ERR_LIMIT;
	if (x->req == NULL)
		snprintf(hdr, sizeof(hdr),
		    "X-aws-ec2-metadata-token-ttl-seconds: %ld", c->token_ttl);
	else
		snprintf(hdr, sizeof(hdr), "X-aws-ec2-metadata-token: %s",
		    c->token);
	buf_reset(x->body);
	x->over_cap = 0;
	x->retry_at = 0;
	if ((x->h = curl_easy_init()) == NULL ||
	    (x->hdrs = curl_slist_append(NULL, hdr)) == NULL)
		return EIC_ERR_ALLOC;
	ok &= curl_easy_setopt(x->h, CURLOPT_URL, url) == CURLE_OK;
	ok &= curl_easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "http") == CURLE_OK;
	ok &= curl_easy_setopt(x->h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
	ok &= no_proxy(x->h);
	ok &= curl_easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(x->h, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_1_1) == CURLE_OK;
	ok &= curl_easy_setopt(x->h, CURLOPT_TIMEOUT_MS, t) == CURLE_OK;
	ok &= curl_easy_setopt(x->h, CURLOPT_CONNECTTIMEOUT_MS, t) == CURLE_OK;
	ok &= curl_easy_setopt(x->h, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)x->body->max) == CURLE_OK;
	ok &= curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->hdrs) == CURLE_OK;
	ok &= curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
	ok &= curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x) == CURLE_OK;
	ok &= curl_easy_setopt(x->h, CURLOPT_PRIVATE, x) == CURLE_OK;
	if (x->req == NULL) {
		ok &= curl_easy_setopt(x->h, CURLOPT_CUSTOMREQUEST, "PUT") == CURLE_OK;
		ok &= curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, "") == CURLE_OK;
		ok &= curl_easy_setopt(x->h, CURLOPT_POSTFIELDSIZE, 0L) == CURLE_OK;
	}
	if (!ok)
		return EIC_ERR_INTERNAL;
	if (curl_multi_add_handle(c->multi, x->h) != CURLM_OK)
		return EIC_ERR_INTERNAL;
	c->requests++;
	/* Retries due at the same moment go out together: one more round. */
	if (x->attempt > 0 && due != c->last_retry) {
		c->last_retry = due;
		c->rounds++;
	}
	return 0;
}

enum outcome { DONE_OK, DONE_NOT_FOUND, DONE_FAIL, RETRY };

/*
 * Our own words for what a transfer can end in: a libcurl built without
 * verbose strings (mincurl) answers "Error" to curl_easy_strerror().
 */
static const char *
reason(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
		return "could not connect (refused or unreachable)";
	case CURLE_OPERATION_TIMEDOUT:
		return "timed out";
	case CURLE_GOT_NOTHING:
		return "connection closed without a reply";
	case CURLE_RECV_ERROR:
		return "receive failed";
	case CURLE_SEND_ERROR:
		return "send failed";
	case CURLE_PARTIAL_FILE:
		return "reply shorter than its Content-Length";
	case CURLE_WEIRD_SERVER_REPLY:
		return "malformed HTTP reply";
	case CURLE_UNSUPPORTED_PROTOCOL:
		return "unsupported protocol";
	case CURLE_URL_MALFORMAT:
		return "malformed URL";
	case CURLE_COULDNT_RESOLVE_HOST:
		return "could not resolve host";
	default:
		return NULL;
	}
}

/* Classifies a finished transfer; detail says why it failed. */
static enum outcome
classify(struct xfer *x, CURLcode cc, int *err, char *detail, size_t dsz)
{
	long status = 0;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (x->over_cap || cc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(detail, dsz, "response larger than %zu bytes", x->body->max);
		*err = EIC_ERR_LIMIT;
		return DONE_FAIL;
	}
	if (cc != CURLE_OK) {
		if (reason(cc) != NULL)
			snprintf(detail, dsz, "%s", reason(cc));
		else
			snprintf(detail, dsz, "transfer failed (curl code %d)", (int)cc);
		*err = cc == CURLE_OPERATION_TIMEDOUT ? EIC_ERR_DEADLINE : EIC_ERR_HTTP;
		/* Throttling shows as dropped packets; a refused port will not heal. */
		return cc == CURLE_COULDNT_CONNECT || cc == CURLE_URL_MALFORMAT ||
		    cc == CURLE_UNSUPPORTED_PROTOCOL ? DONE_FAIL : RETRY;
	}
	if (status == 200) {
		*err = 0;
		return DONE_OK;
	}
	snprintf(detail, dsz, "HTTP status %ld", status);
	if (status == 404) {
		*err = EIC_ERR_NOT_FOUND;
		return DONE_NOT_FOUND;
	}
	*err = EIC_ERR_HTTP_STATUS;
	return status == 429 || (status >= 500 && status <= 599) ? RETRY : DONE_FAIL;
}

int
imds_open(const struct imds_opts *opts, struct imds **out)
{
	struct imds *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return EIC_ERR_ALLOC;
	if ((c->multi = curl_multi_init()) == NULL) {
		free(c);
		return EIC_ERR_ALLOC;
	}
	if (opts->url != NULL && opts->url[0] != '\0') {
		c->bases[c->nbases++] = opts->url;
	} else {
		if (opts->endpoint != CONFIG_ENDPOINT_IPV6)
			c->bases[c->nbases++] = IMDS_IPV4_BASE;
		if (opts->endpoint != CONFIG_ENDPOINT_IPV4)
			c->bases[c->nbases++] = IMDS_IPV6_BASE;
	}
	c->base = -1;
	c->timeout_ms = opts->timeout_ms;
	c->token_ttl = opts->token_ttl;
	c->deadline = opts->deadline_ms;
	*out = c;
	return 0;
}

const char *
imds_base(const struct imds *c)
{
	return c->base < 0 ? "" : c->bases[c->base];
}

unsigned
imds_requests(const struct imds *c)
{
	return c->requests;
}

unsigned
imds_round_trips(const struct imds *c)
{
	return c->rounds;
}

/* Returns 1 if x may try again, after a short backoff, within the deadline. */
static int
schedule_retry(struct imds *c, struct xfer *x)
{
	int64_t at;

	if (++x->attempt >= MAX_ATTEMPTS)
		return 0;
	at = platform_now_ms() + (RETRY_BASE_MS << x->attempt);
	if (at >= c->deadline)
		return 0;
	x->retry_at = at;
	return 1;
}

/* Moves what curl reports finished into c->done. */
static void
drain(struct imds *c)
{
	CURLMsg *m;
	struct xfer *x = NULL;
	int left;

	while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE ||
		    c->ndone == sizeof(c->done) / sizeof(c->done[0]))
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		c->done[c->ndone].x = x;
		c->done[c->ndone].cc = m->data.result;
		c->ndone++;
	}
}

static struct xfer *
finished(struct imds *c, CURLcode *cc)
{
	struct xfer *x;

	if (c->ndone == 0)
		return NULL;
	x = c->done[0].x;
	*cc = c->done[0].cc;
	c->ndone--;
	memmove(&c->done[0], &c->done[1], c->ndone * sizeof(c->done[0]));
	return x;
}

/*
 * Drives the transfers. Waits for activity only if none has finished yet
 * (a reply read by curl_multi_perform must not wait out a poll timeout),
 * and at most until the earlier of the deadline and wake_at.
 */
static int
pump(struct imds *c, int64_t wake_at)
{
	int64_t wait;
	int running;

	if (curl_multi_perform(c->multi, &running) != CURLM_OK)
		return EIC_ERR_INTERNAL;
	drain(c);
	if (c->ndone > 0)
		return 0;
	wait = (wake_at > 0 && wake_at < c->deadline ? wake_at : c->deadline) -
	    platform_now_ms();
	if (wait < 0)
		wait = 0;
	if (curl_multi_poll(c->multi, NULL, 0, (int)(wait > 1000 ? 1000 : wait),
	    NULL) != CURLM_OK)
		return EIC_ERR_INTERNAL;
	if (curl_multi_perform(c->multi, &running) != CURLM_OK)
		return EIC_ERR_INTERNAL;
	drain(c);
	return 0;
}

static int
token_ok(const struct buf *b)
{
	size_t i;

	if (b->len == 0)
		return 0;
	for (i = 0; i < b->len; i++) {
		unsigned char ch = b->data[i];

		/* It becomes a header value: visible ASCII only. */
		if (ch <= 0x20 || ch >= 0x7f)
			return 0;
	}
	return 1;
}

int
imds_token(struct imds *c, char *detail, size_t dsz)
{
	struct xfer xs[2];
	struct buf bodies[2];
	struct xfer *x;
	CURLcode cc = CURLE_OK;
	int64_t start = platform_now_ms(), wake;
	int r = EIC_ERR_TOKEN, err, i, started = 0, active = 0, won = -1;
	enum outcome o;

	memset(xs, 0, sizeof(xs));
	c->rounds++;
	snprintf(detail, dsz, "no endpoint answered");
	for (i = 0; i < 2; i++) {
		buf_init(&bodies[i], TOKEN_MAX);
		xs[i].body = &bodies[i];
		xs[i].base = i;
	}
	while (won < 0) {
		/* Start the next endpoint when the last one failed or is slow. */
		if (started < c->nbases && (active == 0 ||
		    platform_now_ms() - start >= FALLBACK_DELAY_MS * started)) {
			/* After a failed endpoint, the next is another round trip. */
			if (started > 0 && active == 0)
				c->rounds++;
			if ((r = xfer_start(c, &xs[started], "/latest/api/token")) != 0)
				goto out;
			started++;
			active++;
		}
		wake = 0;
		for (i = 0; i < started; i++) {
			if (xs[i].retry_at > 0 && (wake == 0 || xs[i].retry_at < wake))
				wake = xs[i].retry_at;
		}
		if (started < c->nbases && active > 0 &&
		    (wake == 0 || start + FALLBACK_DELAY_MS * started < wake))
			wake = start + FALLBACK_DELAY_MS * started;
		if (active == 0 && wake == 0 && started == c->nbases) {
			r = EIC_ERR_TOKEN;
			goto out;
		}
		if (remaining(c) <= 0) {
			snprintf(detail, dsz, "deadline reached waiting for a token");
			r = EIC_ERR_DEADLINE;
			goto out;
		}
		if ((r = pump(c, wake)) != 0)
			goto out;
		while ((x = finished(c, &cc)) != NULL) {
			o = classify(x, cc, &err, detail, dsz);
			xfer_clear(c, x);
			active--;
			if (o == DONE_OK && token_ok(x->body)) {
				won = x->base;
				break;
			}
			if (o == DONE_OK)
				snprintf(detail, dsz, "malformed token");
			if (o == RETRY)
				schedule_retry(c, x);
		}
		for (i = 0; i < started && won < 0; i++) {
			if (xs[i].retry_at > 0 && xs[i].retry_at <= platform_now_ms() &&
			    xs[i].h == NULL) {
				if ((r = xfer_start(c, &xs[i], "/latest/api/token")) != 0)
					goto out;
				active++;
			}
		}
	}
	/* success */
	memcpy(c->token, xs[won].body->data, xs[won].body->len);
	c->token[xs[won].body->len] = '\0';
	c->base = won;
	r = 0;
out:
	for (i = 0; i < 2; i++) {
		xfer_clear(c, &xs[i]);
		buf_free(&bodies[i]);
	}
	return r;
}

/* Ends the batch in flight, if any: its transfers are abandoned. */
static void
batch_clear(struct imds *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		xfer_clear(c, &c->xs[i]);
	c->n = c->pending = 0;
}

/* Whether every transfer of the batch has sent its request. */
static int
all_sent(struct imds *c)
{
	long sent;
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->xs[i].h != NULL &&
		    (curl_easy_getinfo(c->xs[i].h, CURLINFO_REQUEST_SIZE, &sent) != CURLE_OK ||
		    sent <= 0))
			return 0;
	}
	return 1;
}

int
imds_send(struct imds *c, struct imds_req *reqs, size_t n)
{
	int running, r;
	size_t i;

	if (c->base < 0 || n > MAX_XFERS || c->n != 0)
		return EIC_ERR_INTERNAL;
	if (n == 0)
		return 0;	/* nothing to send; imds_wait has nothing to wait for */
	memset(c->xs, 0, sizeof(c->xs));
	c->rounds++;
	c->n = c->pending = n;
	for (i = 0; i < n; i++) {
		c->xs[i].req = &reqs[i];
		c->xs[i].body = &reqs[i].body;
		c->xs[i].base = c->base;
		reqs[i].result = EIC_ERR_HTTP;
		snprintf(reqs[i].detail, sizeof(reqs[i].detail), "not attempted");
		buf_init(&reqs[i].body, reqs[i].max);
	}
	for (i = 0; i < n; i++) {
		if ((r = xfer_start(c, &c->xs[i], reqs[i].path)) != 0) {
			batch_clear(c);
			return r;
		}
	}
	/*
	 * Out they go now, so that the caller can work while IMDS answers: a
	 * request reaches the wire over a few turns of curl's state machine
	 * (connect, then send), never blocking.
	 */
	for (i = 0; i < SEND_TURNS; i++) {
		if (curl_multi_perform(c->multi, &running) != CURLM_OK ||
		    curl_multi_poll(c->multi, NULL, 0, 0, NULL) != CURLM_OK) {
			batch_clear(c);
			return EIC_ERR_INTERNAL;
		}
		if (all_sent(c))
			break;
	}
	return 0;
}

int
imds_wait(struct imds *c)
{
	struct xfer *xs = c->xs, *x;
	CURLcode cc = CURLE_OK;
	size_t i, n = c->n;
	int64_t wake;
	int r = 0, err;
	enum outcome o;

	while (c->pending > 0) {
		if (remaining(c) <= 0) {
			for (i = 0; i < n; i++) {
				if (!xs[i].done) {
					xs[i].req->result = EIC_ERR_DEADLINE;
					snprintf(xs[i].req->detail,
					    sizeof(xs[i].req->detail), "deadline reached");
				}
			}
			break;
		}
		wake = 0;
		for (i = 0; i < n; i++) {
			if (!xs[i].done && xs[i].retry_at > 0 &&
			    (wake == 0 || xs[i].retry_at < wake))
				wake = xs[i].retry_at;
		}
		if ((r = pump(c, wake)) != 0)
			goto out;
		while ((x = finished(c, &cc)) != NULL) {
			o = classify(x, cc, &err, x->req->detail,
			    sizeof(x->req->detail));
			xfer_clear(c, x);
			x->req->result = err;
			if (o == RETRY && schedule_retry(c, x))
				continue;
			x->done = 1;
			c->pending--;
		}
		for (i = 0; i < n; i++) {
			if (!xs[i].done && xs[i].h == NULL && xs[i].retry_at > 0 &&
			    xs[i].retry_at <= platform_now_ms() &&
			    (r = xfer_start(c, &xs[i], xs[i].req->path)) != 0) {
				xs[i].req->result = r;
				xs[i].done = 1;
				c->pending--;
				r = 0;
			}
		}
	}
out:
	batch_clear(c);
	return r;
}

int
imds_fetch(struct imds *c, struct imds_req *reqs, size_t n)
{
	int r;

	if ((r = imds_send(c, reqs, n)) != 0)
		return r;
	return imds_wait(c);
}

void
imds_close(struct imds *c)
{
	if (c == NULL)
		return;
	batch_clear(c);
	curl_multi_cleanup(c->multi);
	memset(c->token, 0, sizeof(c->token));
	free(c);
}
