/* ec2.h: validation of what IMDS says about the instance, and of user names. */
#ifndef EIC_EC2_H
#define EIC_EC2_H

#include <stddef.h>

#include "cursor.h"
#include "signer.h"

#define EC2_INSTANCE_ID_MAX	35	/* "i-" + 32 hex + NUL */
#define EC2_REGION_MAX		48
#define EC2_DOMAIN_MAX		64
#define EC2_USER_MAX		32
#define EC2_CN_MAX		(sizeof("managed-ssh-signer..") + EC2_REGION_MAX + EC2_DOMAIN_MAX)

/* "i-" then 8 to 32 lower-case hex digits; copies it NUL-terminated to out. */
int ec2_instance_id(struct slice s, char out[EC2_INSTANCE_ID_MAX]);

/* A region name such as "us-east-1" or "us-gov-west-1". */
int ec2_region(struct slice s, char out[EC2_REGION_MAX]);

/* The region of an availability zone: "us-east-1a" -> "us-east-1". */
int ec2_region_from_zone(struct slice zone, char out[EC2_REGION_MAX]);

/* Copies s to out if it equals one of the n allowed domains exactly. */
int ec2_domain(struct slice s, const char *const *allowed, size_t n,
    char out[EC2_DOMAIN_MAX]);

/* Writes "managed-ssh-signer.<region>.<domain>". */
int ec2_signer_cn(const char *region, const char *domain, char *out, size_t outsz);

/*
 * EC2 Instance Connect's user-name rule (the API's InstanceOSUser pattern,
 * ^[A-Za-z_][A-Za-z0-9@._-]{0,30}[A-Za-z0-9$_-]?$): 0 if user fits.
 */
int ec2_user_valid(const char *user);

/* Percent-encodes every byte of s but RFC 3986 unreserved ones. */
int ec2_path_encode(const char *s, char *out, size_t outsz);

/*
 * Parses the signer-ocsp/ listing: newline-separated names, each 40
 * upper-case hex digits. Duplicates are dropped. At most max names.
 */
int ec2_staple_names(struct slice list, char (*names)[SIGNER_SHA1_HEX],
    size_t max, size_t *n);

#endif
