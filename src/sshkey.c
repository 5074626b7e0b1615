/* sshkey.c: SSH public key lines (RFC 4253 6.6, RFC 5656 3.1, RFC 8709 4). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64.h"
#include "err.h"
#include "sshkey.h"

static const struct {
	const char *name;
	const char *curve;	/* ECDSA curve identifier inside the blob */
	size_t point_len;	/* uncompressed point length (0x04 || X || Y) */
	enum sshkey_kind kind;
} types[] = {
	{ "ssh-rsa", NULL, 0, SSHKEY_RSA },
	{ "ssh-ed25519", NULL, 0, SSHKEY_ED25519 },
	{ "ecdsa-sha2-nistp256", "nistp256", 65, SSHKEY_ECDSA_P256 },
	{ "ecdsa-sha2-nistp384", "nistp384", 97, SSHKEY_ECDSA_P384 },
	{ "ecdsa-sha2-nistp521", "nistp521", 133, SSHKEY_ECDSA_P521 },
};

#define RSA_MIN_BITS 1024	/* sshd's own floor (SSH_RSA_MINIMUM_MODULUS_SIZE) */
#define RSA_MAX_BITS 16384
#define ED25519_PK_LEN 32

/* An mpint (RFC 4251 5) that is positive and minimally encoded. */
static int
read_positive_mpint(struct cursor *c, size_t maxbytes, size_t *bits)
{
	struct slice m;
	unsigned char top;
	int r;

	if ((r = cursor_sshstring(c, maxbytes + 1, &m)) != 0)
		return r == EIC_ERR_LIMIT ? EIC_ERR_KEY_BLOB : r;
	if (m.len == 0 || (m.ptr[0] & 0x80) != 0)
		return EIC_ERR_KEY_BLOB;	/* zero or negative */
	if (m.ptr[0] == 0 && (m.len == 1 || (m.ptr[1] & 0x80) == 0))
		return EIC_ERR_KEY_BLOB;	/* needless leading zero */
	if (m.ptr[0] == 0) {
		m.ptr++;
		m.len--;
	}
	if (m.len > maxbytes)
		return EIC_ERR_KEY_BLOB;
	*bits = m.len * 8;
	for (top = m.ptr[0]; (top & 0x80) == 0; top <<= 1)
		(*bits)--;
	return 0;
}

static int
check_blob(size_t t, const unsigned char *blob, size_t len)
{
	struct cursor c;
	struct slice s;
	size_t ebits, nbits;
	int r;

	cursor_init(&c, blob, len);
	if ((r = cursor_sshstring(&c, 64, &s)) != 0)
		return EIC_ERR_KEY_BLOB;
	if (!slice_eq_str(s, types[t].name))
		return EIC_ERR_KEY_MISMATCH;
	switch (types[t].kind) {
	case SSHKEY_RSA:
		if ((r = read_positive_mpint(&c, 64, &ebits)) != 0 ||
		    (r = read_positive_mpint(&c, RSA_MAX_BITS / 8, &nbits)) != 0)
			return EIC_ERR_KEY_BLOB;
		if (nbits < RSA_MIN_BITS)
			return EIC_ERR_KEY_BLOB;
		break;
	case SSHKEY_ED25519:
		if (cursor_sshstring(&c, ED25519_PK_LEN, &s) != 0 ||
		    s.len != ED25519_PK_LEN)
			return EIC_ERR_KEY_BLOB;
		break;
	default:
		if (cursor_sshstring(&c, 16, &s) != 0 ||
		    !slice_eq_str(s, types[t].curve))
			return EIC_ERR_KEY_MISMATCH;
		if (cursor_sshstring(&c, types[t].point_len, &s) != 0 ||
		    s.len != types[t].point_len || s.ptr[0] != 0x04)
			return EIC_ERR_KEY_BLOB;
		break;
	}
	if (cursor_left(&c) != 0)
		return EIC_ERR_KEY_BLOB;
	return 0;
}

static int
is_sep(unsigned char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Splits off the next field; *rest then starts after the separators. */
static struct slice
next_field(struct slice *rest)
{
	struct slice f = { rest->ptr, 0 };

	while (f.len < rest->len && !is_sep(rest->ptr[f.len]))
		f.len++;
	rest->ptr += f.len;
	rest->len -= f.len;
	while (rest->len > 0 && is_sep(rest->ptr[0])) {
		rest->ptr++;
		rest->len--;
	}
	return f;
}

int
sshkey_parse(struct slice line, struct sshkey *key)
{
	struct slice rest = line, type, b64;
	unsigned char *blob = NULL;
	size_t bloblen = 0, t, i;
	int r;

	memset(key, 0, sizeof(*key));
	/* No control bytes but tab (the comment may be UTF-8). */
	for (i = 0; i < line.len; i++) {
		if ((line.ptr[i] < 0x20 && line.ptr[i] != '\t') ||
		    line.ptr[i] == 0x7f) {
			r = line.ptr[i] == '\r' ? EIC_ERR_CRLF : EIC_ERR_CHARSET;
			goto out;
		}
	}
	type = next_field(&rest);
	b64 = next_field(&rest);
	/*
	 * An unknown first field is either an unsupported type or an options
	 * prefix (sshd(8) AUTHORIZED_KEYS FILE FORMAT): both are refused, as
	 * options would let the pushed key restrict or widen its own use.
	 */
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		if (slice_eq_str(type, types[t].name))
			break;
	}
	if (t == sizeof(types) / sizeof(types[0])) {
		r = EIC_ERR_KEY_TYPE;
		goto out;
	}
	if (b64.len == 0) {
		r = EIC_ERR_KEY_FORMAT;
		goto out;
	}
	if (b64.len > SSHKEY_B64_MAX) {
		r = EIC_ERR_LIMIT;
		goto out;
	}
	if ((r = b64_decode(b64, SSHKEY_B64_MAX, &blob, &bloblen)) != 0)
		goto out;
	if ((r = check_blob(t, blob, bloblen)) != 0)
		goto out;
	/* success */
	key->kind = types[t].kind;
	key->line = line;
	key->type = type;
	key->blob = blob;
	key->bloblen = bloblen;
	blob = NULL;
	r = 0;
out:
	free(blob);
	return r;
}

void
sshkey_clear(struct sshkey *key)
{
	if (key == NULL)
		return;
	free(key->blob);
	memset(key, 0, sizeof(*key));
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* "xx:xx:...:xx", exactly 16 pairs. */
static int
parse_md5_hex(const char *s, struct sshkey_fp *fp)
{
	size_t i;
	int hi, lo;

	if (strlen(s) != 16 * 3 - 1)
		return EIC_ERR_FP_FORMAT;
	for (i = 0; i < 16; i++) {
		hi = hexval(s[i * 3]);
		lo = hexval(s[i * 3 + 1]);
		if (hi < 0 || lo < 0 || (i < 15 && s[i * 3 + 2] != ':'))
			return EIC_ERR_FP_FORMAT;
		fp->digest[i] = (unsigned char)(hi << 4 | lo);
	}
	fp->alg = SSHKEY_FP_MD5;
	fp->len = 16;
	return 0;
}

int
sshkey_fp_parse(const char *arg, struct sshkey_fp *fp)
{
	struct sshkey_fp tmp;
	unsigned char *d = NULL;
	size_t dlen = 0, n;
	char padded[48];
	int r = EIC_ERR_FP_FORMAT;

	memset(&tmp, 0, sizeof(tmp));
	if (strncmp(arg, "SHA256:", 7) == 0) {
		/* 32 bytes are 43 base64 characters once '=' is dropped. */
		if ((n = strlen(arg + 7)) != 43)
			goto out;
		memcpy(padded, arg + 7, n);
		padded[n] = '=';
		if (b64_decode((struct slice){ (unsigned char *)padded, n + 1 },
		    32, &d, &dlen) != 0 || dlen != 32)
			goto out;
		memcpy(tmp.digest, d, 32);
		tmp.alg = SSHKEY_FP_SHA256;
		tmp.len = 32;
	} else if (strncmp(arg, "MD5:", 4) == 0) {
		if (parse_md5_hex(arg + 4, &tmp) != 0)
			goto out;
	} else if (parse_md5_hex(arg, &tmp) != 0)
		goto out;
	/* success */
	*fp = tmp;
	r = 0;
out:
	free(d);
	return r;
}

static int
digest(const EVP_MD *md, const unsigned char *p, size_t n, unsigned char *out,
    unsigned int *outlen)
{
	return EVP_Digest(p, n, out, outlen, md, NULL) == 1 ? 0 : EIC_ERR_INTERNAL;
}

int
sshkey_fp_match(const struct sshkey_fp *fp, const unsigned char *blob,
    size_t bloblen)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	int r;

	r = digest(fp->alg == SSHKEY_FP_SHA256 ? EVP_sha256() : EVP_md5(),
	    blob, bloblen, d, &dlen);
	if (r != 0)
		return r;
	if (dlen != fp->len || memcmp(d, fp->digest, dlen) != 0)
		return EIC_ERR_FP_MISMATCH;
	return 0;
}

int
sshkey_fp_sha256(const unsigned char *blob, size_t bloblen, char *dst,
    size_t dstsz)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	int r;

	if (dstsz < 8)
		return EIC_ERR_LIMIT;
	if ((r = digest(EVP_sha256(), blob, bloblen, d, &dlen)) != 0)
		return r;
	memcpy(dst, "SHA256:", 7);
	return b64_encode(d, dlen, 1, dst + 7, dstsz - 7);
}
