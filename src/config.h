/* config.h: settings, their safe built-in defaults, and the YAML file. */
#ifndef EIC_CONFIG_H
#define EIC_CONFIG_H

#include <stddef.h>

#include "cursor.h"

#define CONFIG_MAX_BYTES	(64 * 1024)
#define CONFIG_MAX_DOMAINS	16
#define CONFIG_STR_MAX		256

enum config_endpoint {
	CONFIG_ENDPOINT_AUTO = 0,	/* IPv4, then IPv6 */
	CONFIG_ENDPOINT_IPV4,
	CONFIG_ENDPOINT_IPV6,
};

enum config_log_level {
	CONFIG_LOG_ERROR = 0,
	CONFIG_LOG_WARNING,
	CONFIG_LOG_INFO,
	CONFIG_LOG_DEBUG,
};

struct config {
	enum config_endpoint imds_endpoint;
	char imds_url[CONFIG_STR_MAX];	/* "" or a full http:// base URL (tests) */
	long imds_timeout_ms;		/* per request */
	long imds_token_ttl;		/* seconds, 1..21600 */
	long deadline_ms;		/* whole run */
	int imds_prefetch;		/* fetch metadata along with the keys */
	char ca_dir[CONFIG_STR_MAX];	/* hashed directory, "" for none */
	char ca_file[CONFIG_STR_MAX];	/* PEM bundle, "" for none */
	char domains[CONFIG_MAX_DOMAINS][CONFIG_STR_MAX];
	size_t ndomains;
	long push_window;		/* seconds */
	long clock_skew;		/* seconds */
	long ocsp_leeway;		/* seconds */
	int ec2_check;
	enum config_log_level log_level;
};

/* Fills cfg with the built-in production defaults. */
void config_defaults(struct config *cfg);

/*
 * Parses YAML text over the values already in cfg: a mapping of known keys
 * to values (allowed_domains: a sequence). Unknown keys, duplicates,
 * aliases, tags and out-of-range values are refused, with a one-line reason
 * in why. cfg is untouched on failure.
 */
int config_parse(struct slice yaml, struct config *cfg, char *why, size_t whysz);

/*
 * Reads path (if must_exist is 0, a missing file leaves the defaults) and
 * parses it over cfg. The file must be a regular root-owned file not
 * writable by group or others, as sshd's StrictModes demands.
 */
int config_load(const char *path, int must_exist, struct config *cfg,
    char *why, size_t whysz);

/* Fills list with pointers to the allowed domain names (n = cfg->ndomains); returns list. */
const char *const *config_domain_list(const struct config *cfg,
    const char *list[CONFIG_MAX_DOMAINS]);

#endif
