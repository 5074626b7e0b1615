/* imds.h: an IMDSv2 client (libcurl lives here and nowhere else). */
#ifndef EIC_IMDS_H
#define EIC_IMDS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"

#define IMDS_IPV4_BASE "http://169.254.169.254"
#define IMDS_IPV6_BASE "http://[fd00:ec2::254]"

struct imds;

struct imds_opts {
	enum config_endpoint endpoint;
	const char *url;	/* full base URL overriding endpoint, or "" */
	long timeout_ms;	/* per request attempt */
	long token_ttl;		/* seconds */
	int64_t deadline_ms;	/* absolute, on platform_now_ms()'s clock */
};

/* One GET. result: 0 (200), EIC_ERR_NOT_FOUND (404) or another error. */
struct imds_req {
	const char *path;	/* e.g. "/latest/meta-data/instance-id" */
	size_t max;		/* size cap for the body */
	struct buf body;	/* filled by imds_fetch; caller buf_free()s */
	int result;
	char detail[96];	/* why it failed, for the log */
};

/* Sets up a client (no I/O yet). *out: imds_close. */
int imds_open(const struct imds_opts *opts, struct imds **out);

/*
 * Gets a session token (PUT /latest/api/token). In auto mode IPv4 is tried
 * first and IPv6 joins if IPv4 fails or has not answered within 250 ms.
 * On failure detail says why.
 */
int imds_token(struct imds *c, char *detail, size_t detailsz);

/* The base URL that issued the token ("" before imds_token succeeds). */
const char *imds_base(const struct imds *c);

/*
 * Runs the GETs concurrently with the token, each with its size cap, with
 * brief retries on 429, 5xx and dropped connections while the deadline
 * allows. Returns 0 once every request has a result (see imds_req.result).
 */
int imds_fetch(struct imds *c, struct imds_req *reqs, size_t n);
/*
 * imds_fetch in two halves, so that the caller can work while IMDS
 * answers: imds_send puts the requests on the wire, imds_wait finishes
 * them as imds_fetch does. reqs must outlive the wait; one batch at a
 * time; imds_close abandons one still in flight.
 */
int imds_send(struct imds *c, struct imds_req *reqs, size_t n);
int imds_wait(struct imds *c);

/* Number of HTTP requests sent so far (attempts included). */
unsigned imds_requests(const struct imds *c);

/*
 * Number of sequential round trips so far: one per imds_token() and per
 * imds_fetch() (its requests go out together), plus one per retry wave.
 */
unsigned imds_round_trips(const struct imds *c);

/* Frees the client; accepts NULL. */
void imds_close(struct imds *c);

#endif
