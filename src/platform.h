/* platform.h: what differs between operating systems, in one place. */
#ifndef EIC_PLATFORM_H
#define EIC_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ec2.h"

enum platform_ec2 {
	PLATFORM_NOT_EC2 = 0,
	PLATFORM_EC2_XEN,	/* /sys/hypervisor/uuid starts with "ec2" */
	PLATFORM_EC2_NITRO,	/* DMI asset tag holds an instance id: confirm it */
};

/*
 * PROTOCOL.md section 3, the part that needs no network: on a Nitro
 * instance asset_tag receives the board asset tag (an instance id), to be
 * compared with IMDS's instance id by platform_ec2_confirm.
 */
enum platform_ec2 platform_ec2_probe(char asset_tag[EC2_INSTANCE_ID_MAX]);

/* Returns 1 if the probe result and the IMDS instance id prove EC2. */
int platform_ec2_confirm(enum platform_ec2 probe, const char *asset_tag,
    const char *instance_id);

/* Returns 1 if the local user exists (getpwnam). */
int platform_user_exists(const char *user);

/* Empties the environment: nothing downstream may read proxies, OPENSSL_CONF... */
void platform_clear_env(void);

/*
 * Appends everything readable from fd to b (within b's maximum). Returns 0,
 * EIC_ERR_LIMIT if the data would exceed it, or EIC_ERR_IO with errno set.
 */
int platform_read_fd(int fd, struct buf *b);

/* Writes the resolved path of the running executable; 0 on success. */
int platform_self_path(char *out, size_t outsz);

/* Milliseconds on a monotonic clock. */
int64_t platform_now_ms(void);

#endif
