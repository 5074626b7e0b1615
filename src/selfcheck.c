/* selfcheck.c: verify that sshd really uses this program, and that it can work. */
#include <sys/stat.h>

#include <dirent.h>
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "selfcheck.h"
#include "config.h"
#include "err.h"
#include "platform.h"
#include "session.h"
#include "sshdcfg.h"
#include "truststore.h"

#define MAX_ITEMS 32
#define MAX_UNIT_OPTS 32

enum status { OK, WARN, FAIL };
static const char *const status_names[] = { "OK", "WARN", "FAIL" };

struct item {
	char name[24];
	enum status status;
	char msg[640];
	char fix[320];
};

struct report {
	struct item items[MAX_ITEMS];
	size_t n;
};

static void __attribute__((format(printf, 5, 6)))
add(struct report *rp, const char *name, enum status st, const char *fix,
    const char *fmt, ...)
{
	struct item *it;
	va_list ap;

	if (rp->n == MAX_ITEMS)
		return;
	it = &rp->items[rp->n++];
	snprintf(it->name, sizeof(it->name), "%s", name);
	it->status = st;
	snprintf(it->fix, sizeof(it->fix), "%s", fix != NULL ? fix : "");
	va_start(ap, fmt);
	vsnprintf(it->msg, sizeof(it->msg), fmt, ap);
	va_end(ap);
}

/*
 * sshd's own rule for AuthorizedKeysCommand (misc.c safe_path): the file and
 * every directory up to / root-owned and not writable by group or others.
 * On failure bad is the first offending path and why says what is wrong.
 */
static int
path_safe(const char *path, char *bad, size_t badsz, char *why, size_t whysz)
{
	char real[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX];
	struct stat sb;

	if (realpath(path, real) == NULL) {
		snprintf(bad, badsz, "%s", path);
		snprintf(why, whysz, "does not exist");
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s", real);
	for (;;) {
		if (stat(dir, &sb) != 0 || sb.st_uid != 0 ||
		    (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
			snprintf(bad, badsz, "%s", dir);
			snprintf(why, whysz, "owner uid %u, mode %04o",
			    (unsigned)sb.st_uid, (unsigned)(sb.st_mode & 07777));
			return 0;
		}
		if (strcmp(dir, "/") == 0)
			break;
		/* dirname() may write into its argument: give it a copy. */
		memcpy(tmp, dir, sizeof(tmp));
		snprintf(dir, sizeof(dir), "%s", dirname(tmp));
	}
	return 1;
}

/* The first word of a command line, and whether %u / %f follow. */
static void
split_command(const char *cmd, char *prog, size_t progsz, int *has_u, int *has_f)
{
	size_t n = strcspn(cmd, " \t");

	snprintf(prog, progsz, "%.*s", (int)n, cmd);
	*has_u = strstr(cmd + n, "%u") != NULL;
	*has_f = strstr(cmd + n, "%f") != NULL;
}

static const char *
default_match(char *buf, size_t sz)
{
	static const char *const users[] = { "ec2-user", "ubuntu", "admin", "centos" };
	const char *u = "root";
	size_t i;

	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		if (getpwnam(users[i]) != NULL) {
			u = users[i];
			break;
		}
	}
	snprintf(buf, sz, "user=%s,host=localhost,addr=127.0.0.1", u);
	return buf;
}

static void
check_command(struct report *rp, const char *akc, const char *self)
{
	char prog[PATH_MAX], real[PATH_MAX], fix[320];
	int has_u, has_f;

	snprintf(fix, sizeof(fix), "put 'AuthorizedKeysCommand %.200s %%u %%f' in effect "
	    "(ec2-instance-connect-setup install), then reload sshd", self);
	if (strcmp(akc, "none") == 0) {
		add(rp, "akc", FAIL, fix, "sshd runs no AuthorizedKeysCommand");
		return;
	}
	split_command(akc, prog, sizeof(prog), &has_u, &has_f);
	if (realpath(prog, real) == NULL || strcmp(real, self) != 0) {
		const char *base = strrchr(prog, '/');

		if (base != NULL && strcmp(base + 1, "eic_run_authorized_keys") == 0 &&
		    realpath(prog, real) != NULL)
			add(rp, "akc", WARN, NULL, "AuthorizedKeysCommand %s is another "
			    "copy of this program (this is %s)", akc, self);
		else
			add(rp, "akc", FAIL, fix, "sshd runs AuthorizedKeysCommand %s, "
			    "not this program (%s)", akc, self);
		return;
	}
	if (!has_u)
		add(rp, "akc", FAIL, "add %u after the program", "AuthorizedKeysCommand "
		    "%s lacks %%u: the helper cannot know the user", akc);
	else if (!has_f)
		add(rp, "akc", WARN, "add %f after %u", "AuthorizedKeysCommand %s lacks "
		    "%%f: every valid key is returned for every key offered", akc);
	else
		add(rp, "akc", OK, NULL, "AuthorizedKeysCommand %s", akc);
}

static void
check_user(struct report *rp, const char *akcu)
{
	struct passwd *pw;
	const char *sh;

	if (strcmp(akcu, "none") == 0) {
		add(rp, "akc-user", FAIL, "set AuthorizedKeysCommandUser ec2-instance-connect",
		    "no AuthorizedKeysCommandUser");
		return;
	}
	if ((pw = getpwnam(akcu)) == NULL) {
		add(rp, "akc-user", FAIL, "useradd --system --no-create-home --shell "
		    "/usr/sbin/nologin ec2-instance-connect",
		    "AuthorizedKeysCommandUser %s does not exist", akcu);
		return;
	}
	if (pw->pw_uid == 0) {
		add(rp, "akc-user", FAIL, "use the unprivileged ec2-instance-connect user",
		    "AuthorizedKeysCommandUser %s is root", akcu);
		return;
	}
	sh = pw->pw_shell != NULL ? pw->pw_shell : "";
	if (strstr(sh, "nologin") == NULL && strcmp(sh, "/bin/false") != 0 &&
	    strcmp(sh, "/usr/bin/false") != 0) {
		add(rp, "akc-user", WARN, "usermod --shell /usr/sbin/nologin",
		    "AuthorizedKeysCommandUser %s (uid %u) has a login shell %s", akcu,
		    (unsigned)pw->pw_uid, sh);
		return;
	}
	add(rp, "akc-user", OK, NULL, "AuthorizedKeysCommandUser %s (uid %u, shell %s)",
	    akcu, (unsigned)pw->pw_uid, sh);
}

static void
check_auth(struct report *rp, struct slice dump)
{
	char v[512];

	if (sshdcfg_value(dump, "pubkeyauthentication", v, sizeof(v)) != 0 ||
	    strcasecmp(v, "yes") != 0)
		add(rp, "pubkey", FAIL, "set PubkeyAuthentication yes",
		    "PubkeyAuthentication is %s", v);
	else
		add(rp, "pubkey", OK, NULL, "PubkeyAuthentication yes");
	if (sshdcfg_value(dump, "authenticationmethods", v, sizeof(v)) != 0 ||
	    strcasecmp(v, "any") == 0)
		add(rp, "auth-methods", OK, NULL, "AuthenticationMethods any");
	else if (strstr(v, "publickey") != NULL)
		add(rp, "auth-methods", OK, NULL, "AuthenticationMethods %s "
		    "(includes publickey)", v);
	else
		add(rp, "auth-methods", FAIL, "add publickey to AuthenticationMethods",
		    "AuthenticationMethods %s does not allow publickey", v);
}

/* Where AuthorizedKeysCommand comes from: files in sshd's order, Match blocks. */
static void
check_sources(struct report *rp, const char *sshd_config, const char *akc,
    const char *unit_line, const char *unit)
{
	struct sshdcfg_loc locs[SSHDCFG_MAX_LOCS];
	const struct sshdcfg_loc *first = NULL, *ours = NULL;
	size_t n = 0, i;
	int matches = 0;

	if (sshdcfg_where(sshd_config, "AuthorizedKeysCommand", locs,
	    SSHDCFG_MAX_LOCS, &n) != 0) {
		add(rp, "akc-source", WARN, NULL, "could not follow the Includes of %s",
		    sshd_config);
		return;
	}
	for (i = 0; i < n; i++) {
		const char *b = strrchr(locs[i].file, '/');

		if (locs[i].in_match)
			continue;
		if (first == NULL)
			first = &locs[i];
		if (ours == NULL && b != NULL &&
		    strcmp(b + 1, "60-ec2-instance-connect.conf") == 0)
			ours = &locs[i];
	}
	if (unit_line[0] != '\0')
		add(rp, "akc-source", OK, NULL, "set on sshd's command line by %s "
		    "(ExecStart -o, overrides every file): %s", unit, unit_line);
	else if (ours != NULL && first != ours)
		add(rp, "akc-source", FAIL, "remove that setting (or its file) or "
		    "move it after our drop-in",
		    "our drop-in %s:%u is shadowed by %s:%u (sshd keeps the first "
		    "value it reads): %s", ours->file, ours->line, first->file,
		    first->line, first->value);
	else if (first != NULL)
		add(rp, "akc-source", OK, NULL, "set at %s:%u", first->file, first->line);
	else
		add(rp, "akc-source", strcmp(akc, "none") == 0 ? FAIL : OK,
		    "install the drop-in with ec2-instance-connect-setup install",
		    "not set in %s or its Includes", sshd_config);
	for (i = 0; i < n; i++) {
		if (!locs[i].in_match)
			continue;
		matches++;
		add(rp, "akc-match", WARN, "check that the Match block is meant to "
		    "change it", "%s at %s:%u sets AuthorizedKeysCommand %s for the "
		    "logins it matches", locs[i].match, locs[i].file, locs[i].line,
		    locs[i].value);
	}
	if (matches == 0)
		add(rp, "akc-match", OK, NULL, "no Match block changes "
		    "AuthorizedKeysCommand");
}

static void
check_file(struct report *rp, const char *name, const char *path)
{
	char bad[PATH_MAX], why[64], fix[320];

	if (path_safe(path, bad, sizeof(bad), why, sizeof(why))) {
		add(rp, name, OK, NULL, "%s and its directories are root-owned and not "
		    "group/world-writable", path);
		return;
	}
	snprintf(fix, sizeof(fix), "chown root:root %.140s; chmod go-w %.140s", bad, bad);
	add(rp, name, FAIL, fix, "sshd refuses %s: %s: %s", path, bad, why);
}

static void
check_trust(struct report *rp, const struct config *c)
{
	X509_STORE *st = NULL;
	struct dirent *de;
	DIR *d;
	size_t links = 0, i;
	int certs = 0;

	if (c->ca_dir[0] != '\0' && (d = opendir(c->ca_dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			/* hash links: 8 hex digits, '.', a digit */
			for (i = 0; i < 8 && strchr("0123456789abcdef", de->d_name[i]) &&
			    de->d_name[i] != '\0'; i++)
				;
			if (i == 8 && de->d_name[8] == '.' && de->d_name[9] >= '0' &&
			    de->d_name[9] <= '9')
				links++;
		}
		closedir(d);
	}
	if (c->ca_file[0] != '\0' && (st = X509_STORE_new()) != NULL &&
	    truststore_add_file(st, c->ca_file) == 0)
		certs = sk_X509_OBJECT_num(X509_STORE_get0_objects(st));
	X509_STORE_free(st);
	if (links == 0 && certs == 0)
		add(rp, "trust-store", FAIL, "install ca-certificates (update-ca-certificates) "
		    "or set ca_dir/ca_file", "no certificate in ca_dir '%s' or ca_file '%s'",
		    c->ca_dir, c->ca_file);
	else
		add(rp, "trust-store", OK, NULL, "%zu hashed certificates in '%s', "
		    "%d in '%s'", links, c->ca_dir, certs, c->ca_file);
}

#define STR_(x) #x
#define STR(x) STR_(x)
#ifdef __APPLE__
#define SYS_LIBCRYPTO "libcrypto." STR(OPENSSL_SHLIB_VERSION) ".dylib"
#else
#define SYS_LIBCRYPTO "libcrypto.so." STR(OPENSSL_SHLIB_VERSION)
#endif

/*
 * The OpenSSL the helper runs with. A helper with libcrypto linked in
 * (make's STATIC_LIBS=auto) does not get the system's OpenSSL updates:
 * warn when the system's shared libcrypto is another release.
 */
static void
check_openssl(struct report *rp)
{
	const char *mine = OpenSSL_version(OPENSSL_VERSION);
	const char *(*sys_version)(int);
	Dl_info lib, self;
	void *h;

	if (dladdr((void *)OpenSSL_version, &lib) == 0 ||
	    dladdr((void *)check_openssl, &self) == 0) {
		add(rp, "openssl", OK, NULL, "%s", mine);
		return;
	}
	if (lib.dli_fbase != self.dli_fbase) {
		add(rp, "openssl", OK, NULL, "%s, shared library %s", mine,
		    lib.dli_fname);
		return;
	}
	/* Only the version function is called: the copy is never initialised. */
	if ((h = dlopen(SYS_LIBCRYPTO, RTLD_LAZY | RTLD_LOCAL)) == NULL) {
		add(rp, "openssl", OK, NULL, "%s, linked into the helper (no shared "
		    SYS_LIBCRYPTO " to compare it with)", mine);
		return;
	}
	*(void **)&sys_version = dlsym(h, "OpenSSL_version");
	if (sys_version == NULL)
		add(rp, "openssl", WARN, "rebuild the helper (make; make install) or "
		    "build it with STATIC_LIBS=no", "%s, linked into the helper; the "
		    "system's " SYS_LIBCRYPTO " has no OpenSSL_version", mine);
	else if (strcmp(sys_version(OPENSSL_VERSION), mine) != 0)
		add(rp, "openssl", WARN, "rebuild the helper (make; make install) or "
		    "build it with STATIC_LIBS=no", "%s, linked into the helper, but the "
		    "system's " SYS_LIBCRYPTO " is %s: the helper lacks its fixes", mine,
		    sys_version(OPENSSL_VERSION));
	else
		add(rp, "openssl", OK, NULL, "%s, linked into the helper; the system's "
		    SYS_LIBCRYPTO " is the same release", mine);
	dlclose(h);
}

static void
check_imds(struct report *rp, const struct config *c)
{
	struct session s;
	enum platform_ec2 probe = PLATFORM_NOT_EC2;
	char tag[EC2_INSTANCE_ID_MAX] = "", line[640], when[32];
	size_t i, o = 0;
	time_t now = time(NULL);

	memset(&s, 0, sizeof(s));
	if (c->ec2_check && (probe = platform_ec2_probe(tag)) == PLATFORM_NOT_EC2) {
		add(rp, "ec2", FAIL, "EC2 Instance Connect works only on EC2 instances",
		    "not an EC2 instance: no /sys/hypervisor/uuid starting with ec2, "
		    "no instance id in the DMI board asset tag");
		return;
	}
	add(rp, "ec2", OK, NULL, c->ec2_check ? (probe == PLATFORM_EC2_XEN ?
	    "EC2 (Xen hypervisor uuid)" : "EC2 (Nitro, DMI asset tag)") :
	    "ec2_check is off in the configuration (test host)");
	curl_global_init(CURL_GLOBAL_NOTHING);
	if (session_open(&s, c, now, platform_now_ms() + c->deadline_ms) != 0) {
		add(rp, "imds", FAIL, "check that IMDS is enabled (http-endpoint) with "
		    "HttpTokens optional or required, and no firewall blocks it", "%s", s.why);
		goto out;
	}
	add(rp, "imds", OK, NULL, "IMDSv2 token from %s", imds_base(s.imds));
	if (session_metadata(&s) != 0) {
		add(rp, "metadata", FAIL, NULL, "%s", s.why);
		goto out;
	}
	if (c->ec2_check && !platform_ec2_confirm(probe, tag, s.instance_id)) {
		add(rp, "metadata", FAIL, NULL, "DMI asset tag %s differs from IMDS "
		    "instance id %s", tag, s.instance_id);
		goto out;
	}
	add(rp, "metadata", OK, NULL, "instance %s, region %s, domain %.*s",
	    s.instance_id, s.region, (int)s.req[SESSION_DOMAIN].body.len,
	    (const char *)s.req[SESSION_DOMAIN].body.data);
	if (session_signer(&s) != 0) {
		add(rp, "signer", FAIL, "check the trust store and the instance's clock",
		    "%s", s.why);
		goto out;
	}
	line[0] = '\0';
	for (i = 0; i < s.info.chain_len && o < sizeof(line); i++) {
		if (s.info.next_update[i] != 0)
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
			    gmtime(&s.info.next_update[i]));
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s%s%s%s",
		    i > 0 ? " <- " : "", s.info.subject[i],
		    s.info.next_update[i] != 0 ? " (OCSP good, next update " : "",
		    s.info.next_update[i] != 0 ? when : " (trust anchor",
		    ")");
	}
	add(rp, "signer", OK, NULL, "%s trusted: %s", s.cn, line);
out:
	session_close(&s);
	curl_global_cleanup();
}

static void
json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static int
print(const struct report *rp, int json)
{
	size_t i, count[3] = { 0, 0, 0 };

	for (i = 0; i < rp->n; i++)
		count[rp->items[i].status]++;
	if (json) {
		printf("{\"ok\": %s, \"checks\": [", count[FAIL] == 0 ? "true" : "false");
		for (i = 0; i < rp->n; i++) {
			printf("%s\n  {\"name\": ", i > 0 ? "," : "");
			json_str(rp->items[i].name);
			printf(", \"status\": \"%s\", \"message\": ",
			    status_names[rp->items[i].status]);
			json_str(rp->items[i].msg);
			printf(", \"fix\": ");
			json_str(rp->items[i].fix);
			putchar('}');
		}
		printf("\n]}\n");
	} else {
		for (i = 0; i < rp->n; i++) {
			printf("%-4s %-12s %s\n", status_names[rp->items[i].status],
			    rp->items[i].name, rp->items[i].msg);
			if (rp->items[i].status != OK && rp->items[i].fix[0] != '\0')
				printf("     %-12s fix: %s\n", "", rp->items[i].fix);
		}
		printf("%zu OK, %zu WARN, %zu FAIL\n", count[OK], count[WARN], count[FAIL]);
	}
	return count[FAIL] == 0 ? 0 : 1;
}

int
selfcheck_run(const struct selfcheck_opts *o)
{
	static struct report rp;
	struct config cfg;
	struct buf dump;
	char self[PATH_MAX], akc[512] = "none", akcu[256] = "none", why[512];
	char matchbuf[256], unit_line[1024], unit[32], prog[PATH_MAX];
	char *unit_opts[MAX_UNIT_OPTS + 1];
	const char *match;
	struct stat sb;
	int has_u, has_f, r;
	size_t i;

	memset(unit_opts, 0, sizeof(unit_opts));
	buf_init(&dump, 1024 * 1024);
	if (platform_self_path(self, sizeof(self)) != 0)
		snprintf(self, sizeof(self), "eic_run_authorized_keys");
	match = o->match != NULL ? o->match : default_match(matchbuf, sizeof(matchbuf));
	/* -o options in the unit's ExecStart override every file: apply them. */
	sshdcfg_unit_option(o->unit_dirs, o->nunit_dirs, "AuthorizedKeysCommand",
	    unit_line, sizeof(unit_line), unit, sizeof(unit));
	if (unit_line[0] != '\0' &&
	    sshdcfg_exec_options(unit_line, unit_opts, MAX_UNIT_OPTS) != 0)
		add(&rp, "sshd", WARN, NULL, "could not read the -o options of %s", unit);
	r = sshdcfg_effective(o->sshd, o->sshd_config, match, unit_opts, &dump, why,
	    sizeof(why));
	if (r != 0) {
		add(&rp, "sshd", FAIL, "run sshd -t and fix what it reports (as root)",
		    "%s -T -f %s failed: %s", o->sshd, o->sshd_config, why);
	} else {
		struct slice d = { dump.data, dump.len };

		add(&rp, "sshd", OK, NULL, "effective configuration of %s for %s",
		    o->sshd_config, match);
		sshdcfg_value(d, "authorizedkeyscommand", akc, sizeof(akc));
		sshdcfg_value(d, "authorizedkeyscommanduser", akcu, sizeof(akcu));
		check_command(&rp, akc, self);
		check_user(&rp, akcu);
		check_auth(&rp, d);
		check_sources(&rp, o->sshd_config, akc, unit_line, unit);
	}
	split_command(strcmp(akc, "none") != 0 ? akc : self, prog, sizeof(prog),
	    &has_u, &has_f);
	check_file(&rp, "helper-path", prog);
	config_defaults(&cfg);
	if (!o->explicit_config && stat(o->config_path, &sb) != 0) {
		add(&rp, "config", OK, NULL, "no %s: built-in defaults", o->config_path);
	} else {
		check_file(&rp, "config-path", o->config_path);
		if (config_load(o->config_path, 1, &cfg, why, sizeof(why)) != 0) {
			add(&rp, "config", FAIL, "fix the file, or remove it to use the "
			    "defaults", "%s: %s", o->config_path, why);
			config_defaults(&cfg);
		} else {
			add(&rp, "config", OK, NULL, "%s is valid", o->config_path);
		}
	}
	check_trust(&rp, &cfg);
	check_openssl(&rp);
	check_imds(&rp, &cfg);
	for (i = 0; unit_opts[i] != NULL; i++)
		free(unit_opts[i]);
	buf_free(&dump);
	return print(&rp, o->json);
}
