/*
 * Internal to the configuration module: the validators of network and
 * origin settings, kept in config_net.c so config.c stays the table and
 * the loader. Both rebuild their derived fields from scratch.
 */
#ifndef GH_CORE_CONFIG_INT_H
#define GH_CORE_CONFIG_INT_H

#include <stddef.h>

#include "core/config.h"

/* Parses [server] staff_networks into cfg->staff_networks. 0 or -1 with
 * a message in err. */
int validate_networks(struct config *cfg, char *err, size_t errsz);

/* Derives the origins each listener accepts (CSRF) from the listen
 * addresses, the configured origins and [server] origins. 0 or -1 with a
 * message in err. */
int validate_origins(struct config *cfg, char *err, size_t errsz);

/* [auth] passkeys (issue 17, core/config_passkeys.c): checks
 * staff_passkeys and passkey_attestation, derives each listener's rp id
 * and builds cfg->staff_rp / portal_rp from the origins it accepts (so
 * run it after validate_origins). 0 or -1 with a message in err. */
int validate_passkeys(struct config *cfg, char *err, size_t errsz);

#endif
