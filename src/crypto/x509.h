/*
 * Self-signed TLS certificate for a fresh installation (GnuTLS): an ECDSA
 * P-256 key and a certificate for localhost, 127.0.0.1 and ::1, usable as
 * a server certificate until the operator installs a real one.
 */
#ifndef GH_CRYPTO_X509_H
#define GH_CRYPTO_X509_H

#include <stddef.h>

/*
 * Writes key_path (PKCS#8 PEM, mode 0600, O_EXCL) and cert_path (PEM).
 * Returns 0, -EEXIST when either file exists (nothing is written), -1 on
 * other errors.
 */
int x509_selfsigned_create(const char *key_path, const char *cert_path,
			   unsigned days);

/* Reads a whole file into a malloc'd NUL-terminated buffer (PEM loading).
 * Returns NULL on error. *len may be NULL. */
char *x509_read_file(const char *path, size_t *len);

#endif
