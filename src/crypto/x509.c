/*
 * A self-signed certificate for a fresh installation, made with GnuTLS:
 * an ECDSA P-256 key (PKCS#8 PEM, unencrypted, mode 0600) and an X.509 v3
 * certificate for localhost, 127.0.0.1 and ::1 with serverAuth and
 * digitalSignature, a random 128-bit serial and the given validity.
 *
 * Everything is built in memory first; nothing is written when either file
 * already exists, and a half-written pair is removed. It does not load
 * certificates into a TLS server (that is http/server.c's job).
 */
#include "crypto/x509.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "crypto/crypto.h"
#include "util/fileio.h"

/* Upper bound on the validity: 100 years. */
#define X509_MAX_DAYS 36500u
/* Upper bound on a PEM file read by x509_read_file. */
#define X509_MAX_FILE (1024u * 1024u)

/* Builds the key and the certificate as PEM. */
static int
make_pair(unsigned days, gnutls_datum_t *key_pem, gnutls_datum_t *cert_pem)
{
	int ret = -1;
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	unsigned char serial[16];
	unsigned char keyid[64];
	size_t keyid_len = sizeof(keyid);
	static const unsigned char ip4[4] = { 127, 0, 0, 1 };
	static const unsigned char ip6[16] = { 0, 0, 0, 0, 0, 0, 0, 0,
					       0, 0, 0, 0, 0, 0, 0, 1 };
	time_t now = time(NULL);

	if (now == (time_t)-1)
		goto out;
	if (gnutls_x509_privkey_init(&key) < 0)
		goto out;
	if (gnutls_x509_privkey_generate2(
		    key, GNUTLS_PK_ECDSA,
		    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL,
		    0) < 0)
		goto out;
	if (gnutls_x509_crt_init(&crt) < 0)
		goto out;
	if (gnutls_x509_crt_set_version(crt, 3) < 0)
		goto out;
	crypto_random_bytes(serial, sizeof(serial));
	/* A positive, non-zero DER integer of full length. */
	serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);
	if (gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)) < 0)
		goto out;
	if (gnutls_x509_crt_set_activation_time(crt, now - 300) < 0)
		goto out;
	if (gnutls_x509_crt_set_expiration_time(
		    crt, now + (time_t)days * 86400) < 0)
		goto out;
	if (gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
					  "localhost", 9) < 0)
		goto out;
	if (gnutls_x509_crt_set_key(crt, key) < 0)
		goto out;
	if (gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME,
						 "localhost", 9,
						 GNUTLS_FSAN_APPEND) < 0)
		goto out;
	if (gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS,
						 ip4, sizeof(ip4),
						 GNUTLS_FSAN_APPEND) < 0)
		goto out;
	if (gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS,
						 ip6, sizeof(ip6),
						 GNUTLS_FSAN_APPEND) < 0)
		goto out;
	if (gnutls_x509_crt_set_basic_constraints(crt, 0, -1) < 0)
		goto out;
	if (gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE) <
	    0)
		goto out;
	if (gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER,
						0) < 0)
		goto out;
	if (gnutls_x509_crt_get_key_id(crt, 0, keyid, &keyid_len) < 0)
		goto out;
	if (gnutls_x509_crt_set_subject_key_id(crt, keyid, keyid_len) < 0)
		goto out;
	if (gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0)
		goto out;
	if (gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL,
					      GNUTLS_PKCS_PLAIN, key_pem) < 0)
		goto out;
	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, cert_pem) < 0)
		goto out;
	ret = 0;
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	if (key != NULL)
		gnutls_x509_privkey_deinit(key);
	return ret;
}

int
x509_selfsigned_create(const char *key_path, const char *cert_path,
		       unsigned days)
{
	int ret = -1;
	gnutls_datum_t key_pem = { NULL, 0 };
	gnutls_datum_t cert_pem = { NULL, 0 };
	struct stat st;
	int r;

	if (key_path == NULL || cert_path == NULL || *key_path == '\0' ||
	    *cert_path == '\0' || strcmp(key_path, cert_path) == 0)
		goto out;
	if (days == 0 || days > X509_MAX_DAYS)
		goto out;
	/* Refuse before doing any work when either file exists. */
	if (lstat(key_path, &st) == 0 || lstat(cert_path, &st) == 0) {
		ret = -EEXIST;
		goto out;
	}
	if (make_pair(days, &key_pem, &cert_pem) != 0)
		goto out;
	r = write_file_atomic(key_path, key_pem.data, key_pem.size, 0600);
	if (r != 0) {
		ret = r;
		goto out;
	}
	r = write_file_atomic(cert_path, cert_pem.data, cert_pem.size,
			      0644);
	if (r != 0) {
		(void)unlink(key_path);
		ret = r;
		goto out;
	}
	ret = 0;
out:
	if (key_pem.data != NULL) {
		crypto_wipe(key_pem.data, key_pem.size);
		gnutls_free(key_pem.data);
	}
	if (cert_pem.data != NULL)
		gnutls_free(cert_pem.data);
	return ret;
}

char *
x509_read_file(const char *path, size_t *len)
{
	char *ret = NULL;
	char *buf = NULL;
	int fd = -1;
	struct stat st;
	size_t size = 0;
	size_t done = 0;
	char extra;

	if (len != NULL)
		*len = 0;
	if (path == NULL)
		goto out;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	if (st.st_size < 0 || (unsigned long long)st.st_size > X509_MAX_FILE)
		goto out;
	size = (size_t)st.st_size;
	buf = malloc(size + 1);
	if (buf == NULL)
		goto out;
	while (done < size) {
		ssize_t n = read(fd, buf + done, size - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		if (n == 0)
			goto out;
		done += (size_t)n;
	}
	if (read(fd, &extra, 1) != 0)
		goto out;
	buf[size] = '\0';
	if (len != NULL)
		*len = size;
	ret = buf;
	buf = NULL;
out:
	if (buf != NULL) {
		crypto_wipe(buf, size);
		free(buf);
	}
	if (fd >= 0)
		(void)close(fd);
	return ret;
}
