/* config.c: defaults, and the YAML file parsed with libyaml. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "buf.h"
#include "config.h"
#include "err.h"
#include "platform.h"

#ifndef EIC_CA_DIR
#define EIC_CA_DIR "/etc/ssl/certs"
#endif
#ifndef EIC_CA_FILE
#define EIC_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#endif

static const char *const default_domains[] = {
	"amazonaws.com", "amazonaws.com.cn", "c2s.ic.gov", "sc2s.sgov.gov",
	"cloud.adc-e.uk", "csp.hci.ic.gov", "amazonaws.eu",
};

void
config_defaults(struct config *cfg)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->imds_endpoint = CONFIG_ENDPOINT_AUTO;
	cfg->imds_timeout_ms = 1000;
	cfg->imds_token_ttl = 60;
	cfg->deadline_ms = 5000;
	snprintf(cfg->ca_dir, sizeof(cfg->ca_dir), "%s", EIC_CA_DIR);
	snprintf(cfg->ca_file, sizeof(cfg->ca_file), "%s", EIC_CA_FILE);
	for (i = 0; i < sizeof(default_domains) / sizeof(default_domains[0]); i++)
		snprintf(cfg->domains[i], sizeof(cfg->domains[i]), "%s",
		    default_domains[i]);
	cfg->ndomains = i;
	cfg->push_window = 60;
	cfg->clock_skew = 300;
	cfg->ocsp_leeway = 300;
	cfg->ec2_check = 1;
	cfg->log_level = CONFIG_LOG_INFO;
}

const char *const *
config_domain_list(const struct config *cfg, const char *list[CONFIG_MAX_DOMAINS])
{
	size_t i;

	for (i = 0; i < cfg->ndomains; i++)
		list[i] = cfg->domains[i];
	return list;
}

static void
say(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
}

static int
set_long(const char *v, long lo, long hi, long *out)
{
	char *end = NULL;
	long n;

	if (*v < '0' || *v > '9')
		return EIC_ERR_CONFIG;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi)
		return EIC_ERR_CONFIG;
	*out = n;
	return 0;
}

static int
set_str(const char *v, int need_abs, char out[CONFIG_STR_MAX])
{
	size_t n = strlen(v), i;

	if (n >= CONFIG_STR_MAX || (need_abs && n > 0 && v[0] != '/'))
		return EIC_ERR_CONFIG;
	for (i = 0; i < n; i++) {
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] == 0x7f)
			return EIC_ERR_CONFIG;
	}
	memcpy(out, v, n + 1);
	return 0;
}

static int
set_bool(const char *v, int *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
		*out = 1;
	else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0)
		*out = 0;
	else
		return EIC_ERR_CONFIG;
	return 0;
}

static int
set_enum(const char *v, const char *const *names, size_t n, int *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return EIC_ERR_CONFIG;
}

static int
set_url(const char *v, char out[CONFIG_STR_MAX])
{
	/* Plain http only: IMDS has no TLS, and no other scheme is wanted. */
	if (*v != '\0' && strncmp(v, "http://", 7) != 0)
		return EIC_ERR_CONFIG;
	return set_str(v, 0, out);
}

static const char *const endpoint_names[] = { "auto", "ipv4", "ipv6" };
static const char *const level_names[] = { "error", "warning", "info", "debug" };

/* One scalar setting; allowed_domains is handled by the caller. */
static int
apply(struct config *c, const char *key, const char *v)
{
	int tmp, r;

	if (strcmp(key, "imds_endpoint") == 0) {
		if ((r = set_enum(v, endpoint_names, 3, &tmp)) == 0)
			c->imds_endpoint = (enum config_endpoint)tmp;
		return r;
	}
	if (strcmp(key, "imds_url") == 0)
		return set_url(v, c->imds_url);
	if (strcmp(key, "imds_timeout_ms") == 0)
		return set_long(v, 10, 30000, &c->imds_timeout_ms);
	if (strcmp(key, "imds_token_ttl") == 0)
		return set_long(v, 1, 21600, &c->imds_token_ttl);
	if (strcmp(key, "deadline_ms") == 0)
		return set_long(v, 100, 30000, &c->deadline_ms);
	if (strcmp(key, "ca_dir") == 0)
		return set_str(v, 1, c->ca_dir);
	if (strcmp(key, "ca_file") == 0)
		return set_str(v, 1, c->ca_file);
	if (strcmp(key, "push_window") == 0)
		return set_long(v, 1, 3600, &c->push_window);
	if (strcmp(key, "clock_skew") == 0)
		return set_long(v, 0, 3600, &c->clock_skew);
	if (strcmp(key, "ocsp_leeway") == 0)
		return set_long(v, 0, 3600, &c->ocsp_leeway);
	if (strcmp(key, "ec2_check") == 0)
		return set_bool(v, &c->ec2_check);
	if (strcmp(key, "imds_prefetch") == 0)
		return set_bool(v, &c->imds_prefetch);
	if (strcmp(key, "log_level") == 0) {
		if ((r = set_enum(v, level_names, 4, &tmp)) == 0)
			c->log_level = (enum config_log_level)tmp;
		return r;
	}
	return EIC_ERR_CONFIG;
}

static const char *const known_keys[] = {
	"imds_endpoint", "imds_url", "imds_timeout_ms", "imds_token_ttl",
	"deadline_ms", "ca_dir", "ca_file", "allowed_domains", "push_window",
	"clock_skew", "ocsp_leeway", "ec2_check", "log_level", "imds_prefetch",
};
#define NKEYS (sizeof(known_keys) / sizeof(known_keys[0]))

static int
key_index(const char *key)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (strcmp(key, known_keys[i]) == 0)
			return (int)i;
	}
	return -1;
}

/* A plain scalar or quoted string, never a tag or an alias. */
static int
scalar_text(const yaml_event_t *ev, const char **out)
{
	if (ev->type != YAML_SCALAR_EVENT || ev->data.scalar.tag != NULL ||
	    ev->data.scalar.anchor != NULL ||
	    strlen((const char *)ev->data.scalar.value) != ev->data.scalar.length)
		return EIC_ERR_CONFIG;
	*out = (const char *)ev->data.scalar.value;
	return 0;
}

static int
parse_domains(yaml_parser_t *p, struct config *c, char *why, size_t whysz)
{
	yaml_event_t ev;
	const char *v;
	size_t n = 0;
	int r = EIC_ERR_CONFIG, done = 0;

	while (!done) {
		if (yaml_parser_parse(p, &ev) != 1) {
			say(why, whysz, "allowed_domains: YAML syntax error");
			return EIC_ERR_CONFIG;
		}
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			done = 1;
		} else if (scalar_text(&ev, &v) != 0 || n == CONFIG_MAX_DOMAINS ||
		    *v == '\0' || set_str(v, 0, c->domains[n]) != 0) {
			say(why, whysz, "allowed_domains: expected at most %d "
			    "non-empty domain names", CONFIG_MAX_DOMAINS);
			yaml_event_delete(&ev);
			return EIC_ERR_CONFIG;
		} else {
			n++;
		}
		yaml_event_delete(&ev);
	}
	c->ndomains = n;
	r = 0;
	return r;
}

enum pstate { P_STREAM, P_DOC, P_MAP_OR_END, P_KEY, P_DOC_END, P_STREAM_END, P_DONE };

int
config_parse(struct slice yaml, struct config *cfg, char *why, size_t whysz)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct config c = *cfg;
	enum pstate st = P_STREAM;
	unsigned int seen = 0;
	const char *key, *v;
	char keybuf[64];
	int r = EIC_ERR_CONFIG, k, have_event = 0;

	say(why, whysz, "invalid configuration");
	if (yaml.len > CONFIG_MAX_BYTES) {
		say(why, whysz, "file larger than %d bytes", CONFIG_MAX_BYTES);
		return EIC_ERR_CONFIG;
	}
	if (yaml_parser_initialize(&p) != 1)
		return EIC_ERR_ALLOC;
	yaml_parser_set_input_string(&p, yaml.ptr, yaml.len);
	while (st != P_DONE) {
		if (yaml_parser_parse(&p, &ev) != 1) {
			say(why, whysz, "YAML syntax error at line %lu: %s",
			    (unsigned long)p.problem_mark.line + 1,
			    p.problem != NULL ? p.problem : "unknown");
			goto out;
		}
		have_event = 1;
		switch (st) {
		case P_STREAM:
			if (ev.type != YAML_STREAM_START_EVENT)
				goto out;
			st = P_DOC;
			break;
		case P_DOC:
			if (ev.type == YAML_STREAM_END_EVENT) {
				st = P_DONE;	/* empty file: defaults */
				break;
			}
			if (ev.type != YAML_DOCUMENT_START_EVENT)
				goto out;
			st = P_MAP_OR_END;
			break;
		case P_MAP_OR_END:
			if (ev.type == YAML_MAPPING_START_EVENT &&
			    ev.data.mapping_start.anchor == NULL &&
			    ev.data.mapping_start.tag == NULL) {
				st = P_KEY;
				break;
			}
			if (ev.type == YAML_SCALAR_EVENT &&
			    ev.data.scalar.length == 0) {
				st = P_DOC_END;	/* document with comments only */
				break;
			}
			say(why, whysz, "top level must be a mapping of settings");
			goto out;
		case P_KEY:
			if (ev.type == YAML_MAPPING_END_EVENT) {
				st = P_DOC_END;
				break;
			}
			if (scalar_text(&ev, &key) != 0 ||
			    (k = key_index(key)) < 0) {
				say(why, whysz, "unknown setting '%.40s' (line %lu)",
				    ev.type == YAML_SCALAR_EVENT ?
				    (const char *)ev.data.scalar.value : "?",
				    (unsigned long)ev.start_mark.line + 1);
				goto out;
			}
			if (seen & (1u << k)) {
				say(why, whysz, "setting '%s' given twice", key);
				goto out;
			}
			seen |= 1u << k;
			snprintf(keybuf, sizeof(keybuf), "%s", key);
			yaml_event_delete(&ev);
			have_event = 0;
			if (yaml_parser_parse(&p, &ev) != 1) {
				say(why, whysz, "YAML syntax error after '%s'", keybuf);
				goto out;
			}
			have_event = 1;
			if (strcmp(keybuf, "allowed_domains") == 0) {
				if (ev.type != YAML_SEQUENCE_START_EVENT) {
					say(why, whysz, "allowed_domains must be a list");
					goto out;
				}
				if (parse_domains(&p, &c, why, whysz) != 0)
					goto out;
				break;
			}
			if (scalar_text(&ev, &v) != 0 || apply(&c, keybuf, v) != 0) {
				say(why, whysz, "bad value for '%s' (line %lu)",
				    keybuf, (unsigned long)ev.start_mark.line + 1);
				goto out;
			}
			break;
		case P_DOC_END:
			if (ev.type != YAML_DOCUMENT_END_EVENT)
				goto out;
			st = P_STREAM_END;
			break;
		case P_STREAM_END:
			if (ev.type != YAML_STREAM_END_EVENT) {
				say(why, whysz, "only one YAML document is allowed");
				goto out;
			}
			st = P_DONE;
			break;
		case P_DONE:
			break;
		}
		yaml_event_delete(&ev);
		have_event = 0;
	}
	/* success */
	*cfg = c;
	r = 0;
	say(why, whysz, "ok");
out:
	if (have_event)
		yaml_event_delete(&ev);
	yaml_parser_delete(&p);
	return r;
}

int
config_load(const char *path, int must_exist, struct config *cfg, char *why,
    size_t whysz)
{
	struct buf b;
	struct stat sb;
	int fd = -1, r;

	buf_init(&b, CONFIG_MAX_BYTES);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY)) == -1) {
		if (errno == ENOENT && !must_exist) {
			r = 0;
			goto out;
		}
		say(why, whysz, "cannot open %s: %s", path, strerror(errno));
		r = EIC_ERR_CONFIG;
		goto out;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		say(why, whysz, "%s is not a regular file", path);
		r = EIC_ERR_CONFIG;
		goto out;
	}
	if (sb.st_uid != 0 || (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		say(why, whysz, "%s must be owned by root and not writable by "
		    "group or others", path);
		r = EIC_ERR_CONFIG_PERM;
		goto out;
	}
	if ((r = platform_read_fd(fd, &b)) != 0) {
		if (r == EIC_ERR_LIMIT)
			say(why, whysz, "%s is larger than %d bytes", path,
			    CONFIG_MAX_BYTES);
		else
			say(why, whysz, "read %s: %s", path, strerror(errno));
		r = EIC_ERR_CONFIG;
		goto out;
	}
	r = config_parse((struct slice){ b.data, b.len }, cfg, why, whysz);
out:
	if (fd != -1)
		close(fd);
	buf_free(&b);
	return r;
}
