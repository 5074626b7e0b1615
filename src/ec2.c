/* ec2.c: validate instance metadata and user names before use. */
#include <stdio.h>
#include <string.h>

#include "ec2.h"
#include "err.h"

static int
is_lower_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int
copy_out(struct slice s, char *out, size_t outsz)
{
	if (s.len >= outsz)
		return EIC_ERR_LIMIT;
	memcpy(out, s.ptr, s.len);
	out[s.len] = '\0';
	return 0;
}

/* IMDS text values may end in one newline; nothing else trails. */
static struct slice
chomp(struct slice s)
{
	if (s.len > 0 && s.ptr[s.len - 1] == '\n')
		s.len--;
	return s;
}

int
ec2_instance_id(struct slice s, char out[EC2_INSTANCE_ID_MAX])
{
	size_t i;

	s = chomp(s);
	if (s.len < 2 + 8 || s.len > 2 + 32 || !slice_has_prefix(s, "i-"))
		return EIC_ERR_INSTANCE_ID;
	for (i = 2; i < s.len; i++) {
		if (!is_lower_hex(s.ptr[i]))
			return EIC_ERR_INSTANCE_ID;
	}
	return copy_out(s, out, EC2_INSTANCE_ID_MAX);
}

/* Lower-case letters, digits and single dashes; a letter first, a digit last. */
int
ec2_region(struct slice s, char out[EC2_REGION_MAX])
{
	size_t i;

	s = chomp(s);
	if (s.len < 4 || s.len >= EC2_REGION_MAX)
		return EIC_ERR_REGION;
	if (s.ptr[0] < 'a' || s.ptr[0] > 'z' ||
	    s.ptr[s.len - 1] < '0' || s.ptr[s.len - 1] > '9')
		return EIC_ERR_REGION;
	for (i = 0; i < s.len; i++) {
		unsigned char c = s.ptr[i];

		if (c == '-' && s.ptr[i - 1] != '-')
			continue;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return EIC_ERR_REGION;
	}
	return copy_out(s, out, EC2_REGION_MAX);
}

int
ec2_region_from_zone(struct slice zone, char out[EC2_REGION_MAX])
{
	zone = chomp(zone);
	/* A zone is its region plus one letter ("us-east-1a"). */
	if (zone.len < 2 || zone.ptr[zone.len - 1] < 'a' ||
	    zone.ptr[zone.len - 1] > 'z')
		return EIC_ERR_REGION;
	zone.len--;
	return ec2_region(zone, out);
}

int
ec2_domain(struct slice s, const char *const *allowed, size_t n,
    char out[EC2_DOMAIN_MAX])
{
	size_t i;

	s = chomp(s);
	for (i = 0; i < n; i++) {
		if (slice_eq_str(s, allowed[i]))
			return copy_out(s, out, EC2_DOMAIN_MAX);
	}
	return EIC_ERR_DOMAIN;
}

int
ec2_signer_cn(const char *region, const char *domain, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "managed-ssh-signer.%s.%s", region, domain);

	return n < 0 || (size_t)n >= outsz ? EIC_ERR_LIMIT : 0;
}

int
ec2_user_valid(const char *user)
{
	size_t i, n = strlen(user);
	unsigned char c;

	if (n == 0 || n > EC2_USER_MAX)
		return EIC_ERR_USER;
	for (i = 0; i < n; i++) {
		c = (unsigned char)user[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
			continue;
		if (i > 0 && ((c >= '0' && c <= '9') || c == '-'))
			continue;
		if (i > 0 && (c == '@' || c == '.'))
			continue;
		if (i > 0 && i + 1 == n && c == '$')
			continue;
		return EIC_ERR_USER;
	}
	return 0;
}

int
ec2_path_encode(const char *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			if (o + 1 >= outsz)
				return EIC_ERR_LIMIT;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= outsz)
				return EIC_ERR_LIMIT;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		}
	}
	if (o >= outsz)
		return EIC_ERR_LIMIT;
	out[o] = '\0';
	return 0;
}

int
ec2_staple_names(struct slice list, char (*names)[SIGNER_SHA1_HEX], size_t max,
    size_t *n)
{
	struct cursor c;
	struct slice line;
	size_t i, k = 0, j;
	int dup;

	cursor_init(&c, list.ptr, list.len);
	while (cursor_line(&c, 64, &line) == 0) {
		if (line.len == 0)
			continue;
		if (line.len != SIGNER_SHA1_HEX - 1)
			return EIC_ERR_OCSP_FORMAT;
		for (i = 0; i < line.len; i++) {
			unsigned char ch = line.ptr[i];

			if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F')))
				return EIC_ERR_OCSP_FORMAT;
		}
		for (dup = 0, j = 0; j < k && !dup; j++)
			dup = slice_eq_str(line, names[j]);
		if (dup)
			continue;
		if (k == max)
			return EIC_ERR_LIMIT;
		memcpy(names[k], line.ptr, line.len);
		names[k][line.len] = '\0';
		k++;
	}
	if (cursor_left(&c) != 0)
		return EIC_ERR_LIMIT;	/* a line over 64 bytes stopped the loop */
	*n = k;
	return 0;
}
